//! The cross-tenant probe. Seeds tenants of every kind with an account of every role, takes
//! every endpoint the server registers (from `server::http::endpoints()`, built from the same
//! sources as the router) and replays each with every account's session:
//!
//! - on every OTHER tenant's host (the session must count as none), and
//! - on its own host with another tenant's ids, e-mails and slugs as arguments.
//!
//! Server-function arguments are discovered from the server's own "missing field" answers, so
//! new functions are probed without editing this file. A leak is any answer that carries a
//! private marker (an account's unique e-mail or name) of a tenant other than the caller's own
//! (and, on a foreign host, of any tenant at all), or any change to another tenant's seeded
//! rows. Public endpoints may create rows as they would for any visitor; rows that pre-existed
//! must not change and nothing may be created under the attacker's identity.

use std::collections::BTreeMap;

use hub_tests::scenario::{Account, PASSWORD, Session, World, seed};
use hub_tests::{TestApp, backend_name, spawn_app};
use reqwest::header::{COOKIE, ORIGIN};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use server::http::{EndpointKind, endpoints};
use tenants::auth::Role;

/// A value for a server-function argument named `field`, aimed at `victim`.
fn value_for(field: &str, victim: &Account, world: &World) -> String {
    let f = field.to_ascii_lowercase();
    if f == "id" || f.ends_with("_id") {
        // Tenant ids of the victim are what id arguments take today; user ids cover the rest.
        if f.contains("user") {
            return victim.user_id.clone();
        }
        return world.tenant(&victim.host).id().to_string();
    }
    match f.as_str() {
        "email" => victim.email.clone(),
        "slug" | "store" => victim.tenant.slug().to_owned(),
        "status" => "suspended".into(),
        "page" => "0".into(),
        "search" | "q" => victim.name.clone(),
        "sku" => "DR-1".into(),
        "quantity" => "1".into(),
        f if f.contains("password") => "Probe-Passw0rd-xyz".into(),
        _ => "probe".into(),
    }
}

/// A summary of every seeded tenant's rows: changes show up as differences.
async fn fingerprint(conn: &DatabaseConnection) -> BTreeMap<String, String> {
    let backend = conn.get_database_backend();
    let queries = [
        (
            "tenants",
            "SELECT id, status, version, name FROM tenants ORDER BY id",
        ),
        (
            "users",
            "SELECT tenant_id, id, email, name, role, password_hash FROM users ORDER BY tenant_id, id",
        ),
        (
            "sessions",
            "SELECT tenant_id, id, user_id, revoked_at IS NULL FROM sessions ORDER BY tenant_id, id",
        ),
        (
            "links",
            "SELECT tenant_id, partner_id, relation FROM tenant_links ORDER BY tenant_id, partner_id",
        ),
        (
            "domains",
            "SELECT tenant_id, domain FROM tenant_domains ORDER BY domain",
        ),
        (
            "leads",
            "SELECT tenant_id, id, email FROM partner_leads ORDER BY tenant_id, id",
        ),
        (
            "products",
            "SELECT tenant_id, id, sku, name, price_minor, status FROM catalog_products ORDER BY tenant_id, id",
        ),
        (
            "categories",
            "SELECT tenant_id, id, slug, name FROM catalog_categories ORDER BY tenant_id, id",
        ),
        (
            "policy",
            "SELECT tenant_id, locked_fields, price_min_pct, price_max_pct FROM catalog_policy ORDER BY tenant_id",
        ),
        (
            "store_settings",
            "SELECT tenant_id, tagline, primary_color, markup_bp, live FROM store_settings ORDER BY tenant_id",
        ),
        (
            "store_overrides",
            "SELECT tenant_id, product_id, field, value FROM store_overrides ORDER BY tenant_id, product_id, field",
        ),
        (
            "store_selection",
            "SELECT tenant_id, target_id, target_kind FROM store_selection ORDER BY tenant_id, target_id",
        ),
        (
            "carts",
            "SELECT tenant_id, id, user_id FROM carts ORDER BY tenant_id, id",
        ),
    ];
    let mut out = BTreeMap::new();
    for (name, sql) in queries {
        let rows = conn
            .query_all_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("fingerprint query");
        for row in rows {
            let mut cols = vec![];
            for i in 0..8 {
                let v = row
                    .try_get_by_index::<String>(i)
                    .or_else(|_| row.try_get_by_index::<uuid::Uuid>(i).map(|u| u.to_string()))
                    .or_else(|_| row.try_get_by_index::<i64>(i).map(|n| n.to_string()))
                    .or_else(|_| row.try_get_by_index::<bool>(i).map(|b| b.to_string()));
                match v {
                    Ok(v) => cols.push(v),
                    Err(_) => break,
                }
            }
            let key = format!(
                "{name}:{}:{}",
                cols.first().cloned().unwrap_or_default(),
                cols.get(1).cloned().unwrap_or_default()
            );
            out.insert(key, cols.join("|"));
        }
    }
    out
}

struct Probe<'a> {
    app: &'a TestApp,
    requests: usize,
    leaks: Vec<String>,
}

impl Probe<'_> {
    /// Sends `method path` on `host` with `session`; for server functions, fills arguments the
    /// server says are missing with values aimed at `victim`.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        host: &str,
        session: &Session,
        victim: &Account,
        world: &World,
    ) -> (u16, String, Vec<String>) {
        let mut args: Vec<(String, String)> = vec![];
        for _ in 0..12 {
            let url = self.app.url(host, path);
            let mut req = if method == "GET" {
                self.app.client.get(&url).query(&args)
            } else {
                self.app
                    .client
                    .post(&url)
                    .form(&args)
                    .header(ORIGIN, self.app.origin(host))
            };
            req = req.header("accept", "application/json");
            if let Some(c) = session.cookie_header() {
                req = req.header(COOKIE, c);
            }
            let res = req.send().await.expect("the hub answers");
            self.requests += 1;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            let missing = body
                .split("missing field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned);
            match missing {
                Some(field) if !args.iter().any(|(k, _)| *k == field) => {
                    let v = value_for(&field, victim, world);
                    args.push((field, v));
                }
                _ => return (status, body, args.into_iter().map(|(_, v)| v).collect()),
            }
        }
        (0, String::new(), vec![])
    }

    /// `sent`: the argument values of the request; an answer echoing what it was sent (a
    /// sign-up repeating the e-mail it was given) reveals nothing.
    fn check(
        &mut self,
        what: &str,
        host: &str,
        body: &str,
        allowed_tenant: Option<&str>,
        world: &World,
        sent: &[String],
    ) {
        // A store's own data (its overrides, its words) is public on its host only.
        for (owner, marker) in &world.markers {
            if owner != host && body.contains(marker.as_str()) && !sent.contains(marker) {
                self.leaks.push(format!("{what}: shows {owner}'s {marker}"));
            }
        }
        for a in &world.accounts {
            if Some(a.host.as_str()) == allowed_tenant
                || sent.contains(&a.email)
                || sent.contains(&a.name)
            {
                continue;
            }
            if body.contains(&a.email) || body.contains(&a.name) {
                self.leaks
                    .push(format!("{what}: shows {} of {}", a.email, a.host));
            }
        }
    }
}

#[tokio::test]
async fn no_endpoint_leaks_across_tenants() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let owner = Database::connect(app.owner_db_url())
        .await
        .expect("owner connection");
    let eps = endpoints();
    assert!(
        eps.iter().any(|e| e.kind == EndpointKind::ServerFn),
        "server functions are listed"
    );
    assert!(
        eps.iter().any(|e| e.kind == EndpointKind::Page),
        "pages are listed"
    );
    let hosts: Vec<String> = world.tenants.iter().map(|(h, _)| h.clone()).collect();

    let mut sessions = vec![];
    for a in &world.accounts {
        sessions.push((a.clone(), app.log_in(&a.host, &a.email, PASSWORD).await));
    }
    let mut probe = Probe {
        app: &app,
        requests: 0,
        leaks: vec![],
    };
    let before = fingerprint(&owner).await;

    for (attacker, session) in &sessions {
        for host in &hosts {
            let foreign_host = host != &attacker.host;
            // The victim: on a foreign host, that host's tenant; at home, every other tenant in turn.
            // Relationships are explicit and exempt: the hub admin governs the hub's resellers
            // (approve, suspend, unlock) through the tenant_links table by design.
            let related = |v: &Account| {
                attacker.role == Role::HubAdmin && v.tenant.kind() == tenants::TenantKind::Reseller
            };
            let victims: Vec<&Account> = if foreign_host {
                world
                    .accounts
                    .iter()
                    .filter(|a| &a.host == host)
                    .take(1)
                    .collect()
            } else {
                world
                    .accounts
                    .iter()
                    .filter(|a| a.host != attacker.host && !related(a))
                    .collect()
            };
            for victim in victims {
                for ep in &eps {
                    // Log-out would end the attacker's own session mid-probe; it is probed last.
                    if ep.path.ends_with("/auth/logout")
                        || ep.path.contains(':')
                        || ep.path.contains('*')
                    {
                        continue;
                    }
                    let (status, body, sent) = probe
                        .send(&ep.method, &ep.path, host, session, victim, &world)
                        .await;
                    let what = format!(
                        "{} {} on {host} as {} ({})",
                        ep.method,
                        ep.path,
                        attacker.email,
                        attacker.role.as_str()
                    );
                    // On a foreign host the session is no session: nobody's private data.
                    let allowed = if foreign_host {
                        None
                    } else {
                        Some(attacker.host.as_str())
                    };
                    probe.check(&what, host, &body, allowed, &world, &sent);
                    if status == 0 {
                        probe
                            .leaks
                            .push(format!("{what}: argument discovery did not settle"));
                    }
                }
            }
        }
    }
    // Log-out last, every session on every foreign host: refused or harmless, never revoking.
    for (attacker, session) in &sessions {
        for host in hosts.iter().filter(|h| **h != attacker.host) {
            let (_, body, sent) = probe
                .send("POST", "/api/auth/logout", host, session, attacker, &world)
                .await;
            probe.check("logout", host, &body, None, &world, &sent);
        }
        assert_eq!(
            app.whoami(&attacker.host, Some(session)).await.as_deref(),
            Some(attacker.email.as_str()),
            "{}'s session must survive everything sent elsewhere",
            attacker.email
        );
    }

    let after = fingerprint(&owner).await;
    for (key, was) in &before {
        match after.get(key) {
            Some(now) if now == was => {}
            Some(now) => probe.leaks.push(format!("changed: {key}: {was} -> {now}")),
            None => probe.leaks.push(format!("deleted: {key}")),
        }
    }
    // New rows may only come from public endpoints (as for any visitor) and never belong to
    // a seeded account: no session, link or lead attributed to someone who did not make it.
    for (key, row) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
        for (a, _) in &sessions {
            let uuid = tenants::UserId::parse(&a.user_id)
                .expect("a user id")
                .as_uuid()
                .to_string();
            // At home an account may create its own rows (a customer's cart); anywhere else
            // nothing may carry its identity.
            let home = key.split(':').nth(1) == Some(a.tenant.id().as_uuid().to_string().as_str());
            if row.contains(&uuid) && !home {
                probe.leaks.push(format!("created for {}: {key}", a.email));
            }
        }
    }
    println!(
        "cross-tenant probe ({}): {} endpoints, {} accounts, {} hosts, {} requests, {} leaks",
        backend_name(),
        eps.len(),
        sessions.len(),
        hosts.len(),
        probe.requests,
        probe.leaks.len()
    );
    assert!(probe.leaks.is_empty(), "leaks:\n{}", probe.leaks.join("\n"));
}
