//! The hub's view of RFQ activity across its network: requests and answers over time,
//! response times and win rates per distributor, and lines nobody could price. It is built
//! from the hub's own `rfq_activity` rows, written in the same transaction as each send,
//! answer and decision; they hold who and when, never the negotiating texts or prices.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::entity::activity;
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::registry::TenantKind;

/// One day of the chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    pub day: NaiveDate,
    /// RFQs sent (one per request, whatever the number of distributors asked).
    pub requests: u32,
    /// First answers from distributors.
    pub answers: u32,
}

/// One distributor's row of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorStats {
    pub name: String,
    /// Requests it was sent.
    pub asked: u32,
    pub answered: u32,
    /// The median time to its first answer, in seconds.
    pub median_response_secs: Option<i64>,
    /// Decided requests it took part in, and how many it won.
    pub decided: u32,
    pub won: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: Vec<Day>,
    pub distributors: Vec<DistributorStats>,
    pub requests: u32,
    pub answers: u32,
    pub accepted: u32,
    /// Requests nobody answered at all.
    pub unanswered: u32,
    /// Lines no standing offer priced when their request closed, and in how many requests.
    pub unpriced_lines: u32,
    pub unpriced_requests: u32,
}

/// The last `days` days of activity (1 to 365), as of `now`.
pub async fn report(hub: &TenantDb, days: u32, now: DateTime<Utc>) -> Result<Report> {
    if hub.tenant().kind() != TenantKind::Hub {
        return Err(Error::NotFound("activity"));
    }
    if !(1..=365).contains(&days) {
        return Err(Error::validation("days", "from 1 to 365"));
    }
    let to = now.date_naive();
    let from = to - Duration::days(i64::from(days) - 1);
    let since = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let tx = hub.begin().await?;
    let rows = tx
        .find::<activity::Entity>()
        .filter(activity::Column::At.gte(since))
        .order_by_asc(activity::Column::At)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    let mut by_day: BTreeMap<NaiveDate, (std::collections::BTreeSet<uuid::Uuid>, u32)> =
        BTreeMap::new();
    let mut d = from;
    while d <= to {
        by_day.insert(d, Default::default());
        d += Duration::days(1);
    }
    #[derive(Default)]
    struct Acc {
        name: String,
        asked: u32,
        answered: u32,
        secs: Vec<i64>,
        decided: u32,
        won: u32,
    }
    let mut per: BTreeMap<uuid::Uuid, Acc> = BTreeMap::new();
    let mut requests = std::collections::BTreeSet::new();
    let mut answered_rfqs = std::collections::BTreeSet::new();
    let mut decided_rfqs = std::collections::BTreeSet::new();
    let mut answers = 0;
    let mut unpriced_lines = 0u32;
    let mut unpriced_rfqs = std::collections::BTreeSet::new();
    for r in &rows {
        let day = r.at.date_naive();
        if r.kind == "unpriced" {
            unpriced_lines = unpriced_lines.saturating_add(super::to_u32(i64::from(r.lines)));
            unpriced_rfqs.insert(r.rfq_id);
            continue;
        }
        let Some(d) = r.distributor_id else { continue };
        let acc = per.entry(d).or_default();
        acc.name = r.distributor_name.clone().unwrap_or_default();
        match r.kind.as_str() {
            "sent" => {
                acc.asked += 1;
                requests.insert(r.rfq_id);
                if let Some(e) = by_day.get_mut(&day) {
                    e.0.insert(r.rfq_id);
                }
            }
            "answered" => {
                acc.answered += 1;
                answers += 1;
                answered_rfqs.insert(r.rfq_id);
                if let Some(s) = r.response_secs {
                    acc.secs.push(s);
                }
                if let Some(e) = by_day.get_mut(&day) {
                    e.1 += 1;
                }
            }
            "accepted" => {
                acc.decided += 1;
                acc.won += 1;
                decided_rfqs.insert(r.rfq_id);
            }
            "not_selected" => acc.decided += 1,
            _ => {}
        }
    }
    let mut distributors: Vec<DistributorStats> = per
        .into_values()
        .map(|mut a| {
            a.secs.sort_unstable();
            DistributorStats {
                name: a.name,
                asked: a.asked,
                answered: a.answered,
                median_response_secs: a.secs.get(a.secs.len() / 2).copied(),
                decided: a.decided,
                won: a.won,
            }
        })
        .collect();
    distributors.sort_by(|a, b| b.asked.cmp(&a.asked).then(a.name.cmp(&b.name)));
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    Ok(Report {
        from,
        to,
        days: by_day
            .into_iter()
            .map(|(day, (reqs, answers))| Day {
                day,
                requests: n(reqs.len()),
                answers,
            })
            .collect(),
        distributors,
        requests: n(requests.len()),
        answers,
        accepted: n(decided_rfqs.len()),
        unanswered: n(requests.difference(&answered_rfqs).count()),
        unpriced_lines,
        unpriced_requests: n(unpriced_rfqs.len()),
    })
}
