//! A store's settings (branding, pricing rule, selection) as stored.

use super::*;

/// Which master products a store sells. A rule on a product beats a rule on its category;
/// a category rule covers its sub-categories; an exclusion beats an inclusion on one level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub all: bool,
    pub include_categories: Vec<CategoryId>,
    pub exclude_categories: Vec<CategoryId>,
    pub include_products: Vec<ProductId>,
    pub exclude_products: Vec<ProductId>,
}

/// A store's settings as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub branding: Branding,
    pub pricing: PricingRule,
    pub selection: Selection,
    pub live: bool,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            branding: Branding::default(),
            pricing: PricingRule::default(),
            selection: Selection {
                all: true,
                ..Default::default()
            },
            live: false,
        }
    }
}

pub(crate) async fn read_settings(tx: &TenantTx) -> Result<Option<StoreSettings>> {
    let Some(row) = tx.find::<settings::Entity>().one(tx.conn()).await? else {
        return Ok(None);
    };
    let rules = tx.find::<selection::Entity>().all(tx.conn()).await?;
    let mut sel = Selection {
        all: row.select_all,
        ..Default::default()
    };
    for r in rules {
        match (r.target_kind.as_str(), r.include) {
            ("category", true) => sel.include_categories.push(r.target_id.into()),
            ("category", false) => sel.exclude_categories.push(r.target_id.into()),
            ("product", true) => sel.include_products.push(r.target_id.into()),
            ("product", false) => sel.exclude_products.push(r.target_id.into()),
            _ => {}
        }
    }
    Ok(Some(StoreSettings {
        branding: Branding {
            tagline: row.tagline,
            hero_text: row.hero_text,
            primary_color: row.primary_color,
            accent_color: row.accent_color,
            font: Font::parse(&row.font).unwrap_or(Font::System),
            logo: row.logo,
        },
        pricing: PricingRule {
            markup_bp: row.markup_bp,
            rounding: Rounding::parse(&row.rounding).unwrap_or(Rounding::None),
        },
        selection: sel,
        live: row.live,
    }))
}

/// The store's settings, or `None` before its wizard was finished.
pub async fn settings(db: &TenantDb) -> Result<Option<StoreSettings>> {
    let tx = db.begin().await?;
    let s = read_settings(&tx).await?;
    tx.commit().await?;
    Ok(s)
}

/// Writes the whole settings row and the selection rules.
pub(super) async fn write_settings(tx: &TenantTx, s: &StoreSettings) -> Result<()> {
    tx.delete_many::<settings::Entity>().exec(tx.conn()).await?;
    tx.insert(settings::ActiveModel {
        tenant_id: Set(tx.tenant_id().as_uuid()),
        tagline: Set(s.branding.tagline.clone()),
        hero_text: Set(s.branding.hero_text.clone()),
        primary_color: Set(s.branding.primary_color.clone()),
        accent_color: Set(s.branding.accent_color.clone()),
        font: Set(s.branding.font.as_str().to_owned()),
        logo: Set(s.branding.logo.clone()),
        select_all: Set(s.selection.all),
        markup_bp: Set(s.pricing.markup_bp),
        rounding: Set(s.pricing.rounding.as_str().to_owned()),
        live: Set(s.live),
        updated_at: Set(Utc::now()),
    })
    .await?;
    tx.delete_many::<selection::Entity>()
        .exec(tx.conn())
        .await?;
    let rules = [
        (
            "category",
            true,
            s.selection
                .include_categories
                .iter()
                .map(|c| c.as_uuid())
                .collect::<Vec<_>>(),
        ),
        (
            "category",
            false,
            s.selection
                .exclude_categories
                .iter()
                .map(|c| c.as_uuid())
                .collect(),
        ),
        (
            "product",
            true,
            s.selection
                .include_products
                .iter()
                .map(|c| c.as_uuid())
                .collect(),
        ),
        (
            "product",
            false,
            s.selection
                .exclude_products
                .iter()
                .map(|c| c.as_uuid())
                .collect(),
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (kind, include, ids) in rules {
        for id in ids {
            // An id both included and excluded: the exclusion (written later) is dropped by the
            // key, so keep the first and report nothing; the form cannot produce it.
            if !seen.insert((kind, id)) {
                continue;
            }
            tx.insert(selection::ActiveModel {
                tenant_id: Set(tx.tenant_id().as_uuid()),
                target_kind: Set(kind.to_owned()),
                target_id: Set(id),
                include: Set(include),
            })
            .await?;
        }
    }
    Ok(())
}
