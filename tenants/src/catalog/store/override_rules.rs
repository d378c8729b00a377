//! Per-field overrides of master products, their checks against the hub's policy, publishing and the drift view.

use super::*;

/// An override as typed: a product by SKU, a field and the value as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideInput {
    pub sku: String,
    pub field: String,
    pub value: String,
}

pub(super) fn product_label(p: &Product) -> String {
    format!("{} \u{201c}{}\u{201d}", p.sku, p.name)
}

/// Checks one override against the product and the hub's policy. The message names the
/// product, the field and, for prices, the allowed range.
pub fn check_override(
    product: &Product,
    field: Field,
    raw: &str,
    policy: &Policy,
) -> Result<Value> {
    let label = product_label(product);
    if policy.is_locked(field) {
        return Err(Error::validation(
            "overrides",
            format!("{label}: the {} is locked by the hub", field.label()),
        ));
    }
    let value = match field {
        Field::Price => {
            let m = Money::parse_decimal(raw, product.price.currency)
                .map_err(|e| Error::validation("overrides", format!("{label}: price {e}")))?;
            if !policy.allows_price(product.price, m.minor) {
                let (lo, hi) = policy.price_range(product.price);
                return Err(Error::validation(
                    "overrides",
                    format!(
                        "{label}: price {} is outside the hub's range {} to {} ({} %–{} % of the list price {})",
                        m.display(),
                        lo.display(),
                        hi.display(),
                        policy.price_min_pct,
                        policy.price_max_pct,
                        product.price.display()
                    ),
                ));
            }
            Value::Price(m.minor)
        }
        Field::Name => Value::Text(
            check_name(raw, "name", 200)
                .map_err(|e| Error::validation("overrides", format!("{label}: name {e}")))?,
        ),
        Field::Description => Value::Text(
            check_description(raw)
                .map_err(|e| Error::validation("overrides", format!("{label}: description {e}")))?,
        ),
        Field::Featured | Field::Hidden => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Value::Flag(true),
            "false" | "no" | "off" | "0" => Value::Flag(false),
            _ => {
                return Err(Error::validation(
                    "overrides",
                    format!("{label}: {} must be yes or no", field.label()),
                ));
            }
        },
        Field::Sort => Value::Sort(
            raw.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (-100_000..=100_000).contains(n))
                .ok_or_else(|| {
                    Error::validation(
                        "overrides",
                        format!("{label}: sort order must be a whole number"),
                    )
                })?,
        ),
    };
    Ok(value)
}

pub(super) async fn master_by_sku(
    master: &MasterView,
    skus: &[String],
) -> Result<HashMap<String, Product>> {
    let tx = master.hub().begin().await?;
    let rows = tx
        .find::<products::Entity>()
        .filter(products::Column::Sku.is_in(skus.iter().cloned()))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| to_product(r).map(|p| (p.sku.clone(), p)))
        .collect()
}

pub(super) async fn master_by_ids(
    master: &MasterView,
    ids: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Product>> {
    let tx = master.hub().begin().await?;
    let rows = tx
        .find::<products::Entity>()
        .filter(products::Column::Id.is_in(ids.iter().copied()))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| to_product(r).map(|p| (p.id.as_uuid(), p)))
        .collect()
}

/// Checks overrides typed by SKU, reporting the first problem.
pub async fn check_overrides(
    master: &MasterView,
    inputs: &[OverrideInput],
    policy: &Policy,
) -> Result<Vec<(ProductId, Field, Value)>> {
    let skus: Vec<String> = inputs
        .iter()
        .filter_map(|o| normalise_sku(&o.sku).ok())
        .collect();
    let products = master_by_sku(master, &skus).await?;
    let mut out = Vec::with_capacity(inputs.len());
    for o in inputs {
        let sku = normalise_sku(&o.sku)
            .map_err(|e| Error::validation("overrides", format!("SKU '{}': {e}", o.sku.trim())))?;
        let p = products.get(&sku).ok_or_else(|| {
            Error::validation(
                "overrides",
                format!("there is no product {sku} in the catalog"),
            )
        })?;
        let field = Field::parse(&o.field).ok_or_else(|| {
            Error::validation(
                "overrides",
                format!("{sku}: '{}' is not a field a store can change", o.field),
            )
        })?;
        out.push((p.id, field, check_override(p, field, &o.value, policy)?));
    }
    Ok(out)
}

pub(super) async fn write_override(
    tx: &TenantTx,
    product: ProductId,
    field: Field,
    value: &Value,
) -> Result<()> {
    tx.delete_many::<overrides::Entity>()
        .filter(overrides::Column::ProductId.eq(product.as_uuid()))
        .filter(overrides::Column::Field.eq(field.as_str()))
        .exec(tx.conn())
        .await?;
    tx.insert(overrides::ActiveModel {
        tenant_id: Set(tx.tenant_id().as_uuid()),
        product_id: Set(product.as_uuid()),
        field: Set(field.as_str().to_owned()),
        value: Set(value.encode()),
        updated_at: Set(Utc::now()),
    })
    .await?;
    Ok(())
}

pub(super) fn store_only(db: &TenantDb) -> Result<()> {
    match db.tenant().kind() {
        TenantKind::Reseller | TenantKind::Hub => Ok(()),
        TenantKind::Distributor => Err(Error::Forbidden),
    }
}

/// What the wizard collects, already checked field by field by [`StoreSetup::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreSetup {
    pub branding: Branding,
    pub selection: Selection,
    pub pricing: PricingRule,
    pub overrides: Vec<(ProductId, Field, Value)>,
}

/// Writes the wizard's result and makes the store live: settings, selection, pricing rule
/// and overrides in one transaction with the version bump.
pub async fn publish(db: &TenantDb, setup: &StoreSetup) -> Result<StoreSettings> {
    store_only(db)?;
    let s = StoreSettings {
        branding: setup.branding.clone(),
        pricing: setup.pricing,
        selection: setup.selection.clone(),
        live: true,
    };
    let tx = db.begin_write().await?;
    write_settings(&tx, &s).await?;
    for (p, f, v) in &setup.overrides {
        write_override(&tx, *p, *f, v).await?;
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(s)
}

/// Replaces the store's settings (branding, selection, pricing) keeping its overrides.
pub async fn save_settings(db: &TenantDb, s: &StoreSettings) -> Result<()> {
    store_only(db)?;
    let tx = db.begin_write().await?;
    write_settings(&tx, s).await?;
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets one override (checked against the master product and the hub's policy), or with
/// `value: None` reverts the field to the master's.
pub async fn set_override(
    db: &TenantDb,
    master: &MasterView,
    product: ProductId,
    field: Field,
    value: Option<&str>,
) -> Result<()> {
    store_only(db)?;
    let masters = master_by_ids(master, &[product.as_uuid()]).await?;
    let p = masters
        .get(&product.as_uuid())
        .ok_or(Error::NotFound("product"))?;
    // Checked before the write lock is taken.
    let checked = match value {
        Some(raw) => Some(check_override(p, field, raw, &policy(master).await?)?),
        None => None,
    };
    let tx = db.begin_write().await?;
    match checked {
        Some(v) => write_override(&tx, product, field, &v).await?,
        None => {
            tx.delete_many::<overrides::Entity>()
                .filter(overrides::Column::ProductId.eq(product.as_uuid()))
                .filter(overrides::Column::Field.eq(field.as_str()))
                .exec(tx.conn())
                .await?;
        }
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Every override of the store: `(product, field, value)`.
pub(crate) async fn read_overrides(tx: &TenantTx) -> Result<Vec<(uuid::Uuid, Field, Value)>> {
    let rows = tx.find::<overrides::Entity>().all(tx.conn()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let f = Field::parse(&r.field)?;
            Some((r.product_id, f, Value::decode(f, &r.value)?))
        })
        .collect())
}

/// One field where the store differs from the master.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub product: ProductId,
    pub sku: String,
    pub product_name: String,
    pub field: Field,
    pub master: String,
    pub store: String,
    /// The hub locked the field since: the store's value is not shown.
    pub locked: bool,
    /// A price the hub's current range no longer allows (the range, as text): the storefront
    /// shows the store's rule price instead until the store sets a price within it.
    pub outside_range: Option<String>,
}

pub(super) fn show(field: Field, v: &Value, p: &Product) -> String {
    match (field, v) {
        (_, Value::Price(m)) => Money::new(*m, p.price.currency).display(),
        (_, Value::Text(t)) => t.clone(),
        (_, Value::Flag(b)) => if *b { "yes" } else { "no" }.to_owned(),
        (_, Value::Sort(s)) => s.to_string(),
    }
}

/// The drift view: every overridden field with the master's value beside the store's.
pub async fn drift(db: &TenantDb, master: &MasterView, policy: &Policy) -> Result<Vec<Drift>> {
    store_only(db)?;
    let tx = db.begin().await?;
    let rows = read_overrides(&tx).await?;
    tx.commit().await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|(p, _, _)| *p).collect();
    let masters = master_by_ids(master, &ids).await?;
    let mut out: Vec<Drift> = rows
        .into_iter()
        .filter_map(|(pid, field, v)| {
            let p = masters.get(&pid)?;
            let master = match field {
                Field::Price => p.price.display() + " (list)",
                Field::Name => p.name.clone(),
                Field::Description => p.description.clone(),
                Field::Featured | Field::Hidden => "no".into(),
                Field::Sort => "0".into(),
            };
            let outside_range = match &v {
                Value::Price(m) if !policy.allows_price(p.price, *m) => {
                    let (lo, hi) = policy.price_range(p.price);
                    Some(format!("{} to {}", lo.display(), hi.display()))
                }
                _ => None,
            };
            Some(Drift {
                product: p.id,
                sku: p.sku.clone(),
                product_name: p.name.clone(),
                field,
                store: show(field, &v, p),
                master,
                locked: policy.is_locked(field),
                outside_range,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.sku, a.field).cmp(&(&b.sku, b.field)));
    Ok(out)
}
