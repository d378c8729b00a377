//! The hub's master catalog: an ordered tree of categories and the products in it. Only the
//! hub tenant owns one; every change bumps the hub's catalog version in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};

use super::entity::{categories, products};
use super::money::{Currency, Money};
use super::text::MAX_DESCRIPTION;
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{CategoryId, ProductId};
use crate::registry::{TenantKind, bump_catalog_version};

/// The most categories a hub may have (a navigable tree, not a taxonomy dump).
pub const MAX_CATEGORIES: usize = 500;
pub const MAX_ATTRIBUTES: usize = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub parent: Option<CategoryId>,
    pub slug: String,
    pub name: String,
    pub position: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    Active,
    Discontinued,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Discontinued => "discontinued",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "draft" => Some(Self::Draft),
            "active" => Some(Self::Active),
            "discontinued" => Some(Self::Discontinued),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub category: Option<CategoryId>,
    pub status: ProductStatus,
    pub attributes: Vec<(String, String)>,
    pub image: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A product as typed into a form or a CSV row: every field a string, checked by
/// [`ProductDraft::parse`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub description: String,
    /// A decimal amount, e.g. `12.50`.
    pub price: String,
    pub currency: String,
    /// A category slug or id; empty for none.
    pub category: String,
    pub status: String,
    /// `Name=Value; Name=Value`.
    pub attributes: String,
    /// A stored image name (from an upload), or empty.
    pub image: String,
}

/// A checked product, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductDraft {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub category: Option<CategoryId>,
    pub status: ProductStatus,
    pub attributes: Vec<(String, String)>,
    pub image: Option<String>,
}

/// Field problems of one product: `(field, message)`, in field order.
pub type FieldErrors = Vec<(&'static str, String)>;

/// SKUs are compared and stored in upper case: `ab-12` and `AB-12` are one product.
pub fn normalise_sku(raw: &str) -> std::result::Result<String, String> {
    let sku = raw.trim().to_ascii_uppercase();
    if sku.is_empty() {
        return Err("enter a SKU".into());
    }
    if sku.len() > 64 {
        return Err("must be at most 64 characters".into());
    }
    if !sku
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
    {
        return Err("use letters, digits and - _ . / only".into());
    }
    Ok(sku)
}

/// `Name=Value; Name=Value` to ordered pairs.
pub fn parse_attributes(raw: &str) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("'{part}' is not Name=Value"));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.chars().count() > 40 {
            return Err(format!("attribute name '{k}' must be 1 to 40 characters"));
        }
        if v.is_empty() || v.chars().count() > 200 {
            return Err(format!("value of '{k}' must be 1 to 200 characters"));
        }
        if k.chars().chain(v.chars()).any(char::is_control) {
            return Err(format!("attribute '{k}' contains control characters"));
        }
        if out.iter().any(|(e, _)| e.eq_ignore_ascii_case(k)) {
            return Err(format!("attribute '{k}' appears twice"));
        }
        out.push((k.to_owned(), v.to_owned()));
    }
    if out.len() > MAX_ATTRIBUTES {
        return Err(format!("at most {MAX_ATTRIBUTES} attributes"));
    }
    Ok(out)
}

pub fn format_attributes(attrs: &[(String, String)]) -> String {
    attrs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A stored media name: what the storage hands out (hex digest + extension).
pub fn valid_media_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    (16..=64).contains(&stem.len())
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && matches!(ext, "png" | "jpg" | "webp")
}

pub fn check_name(
    raw: &str,
    field: &'static str,
    max: usize,
) -> std::result::Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(format!("enter a {field}"));
    }
    if name.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(name)
}

pub fn check_description(raw: &str) -> std::result::Result<String, String> {
    let d = raw.replace("\r\n", "\n");
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(format!("must be at most {MAX_DESCRIPTION} characters"));
    }
    if d.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("must not contain control characters".into());
    }
    Ok(d.trim().to_owned())
}

impl ProductDraft {
    /// Checks every field and reports all problems at once.
    pub fn parse(
        input: &ProductInput,
        category: &dyn Fn(&str) -> Option<CategoryId>,
    ) -> std::result::Result<Self, FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        let sku = normalise_sku(&input.sku)
            .map_err(|e| errors.push(("sku", e)))
            .ok();
        let name = check_name(&input.name, "name", 200)
            .map_err(|e| errors.push(("name", e)))
            .ok();
        let description = check_description(&input.description)
            .map_err(|e| errors.push(("description", e)))
            .ok();
        let currency = Currency::parse(&input.currency);
        if currency.is_none() {
            errors.push((
                "currency",
                format!(
                    "'{}' is not an ISO 4217 currency code",
                    input.currency.trim()
                ),
            ));
        }
        let price = currency.and_then(|c| {
            Money::parse_decimal(&input.price, c)
                .map_err(|e| errors.push(("price", e)))
                .ok()
        });
        let cat = input.category.trim();
        let category = if cat.is_empty() {
            Some(None)
        } else {
            match category(cat) {
                Some(id) => Some(Some(id)),
                None => {
                    errors.push(("category", format!("there is no category '{cat}'")));
                    None
                }
            }
        };
        let status = if input.status.trim().is_empty() {
            Some(ProductStatus::Active)
        } else {
            ProductStatus::parse(&input.status).or_else(|| {
                errors.push((
                    "status",
                    format!(
                        "'{}' must be draft, active or discontinued",
                        input.status.trim()
                    ),
                ));
                None
            })
        };
        let attributes = parse_attributes(&input.attributes)
            .map_err(|e| errors.push(("attributes", e)))
            .ok();
        let image = input.image.trim();
        let image = if image.is_empty() {
            Some(None)
        } else if valid_media_name(image) {
            Some(Some(image.to_owned()))
        } else {
            errors.push(("image", format!("'{image}' is not a stored image name")));
            None
        };
        match (
            sku,
            name,
            description,
            price,
            category,
            status,
            attributes,
            image,
        ) {
            (
                Some(sku),
                Some(name),
                Some(description),
                Some(price),
                Some(category),
                Some(status),
                Some(attributes),
                Some(image),
            ) if errors.is_empty() => Ok(Self {
                sku,
                name,
                description,
                price,
                category,
                status,
                attributes,
                image,
            }),
            _ => Err(errors),
        }
    }
}

fn to_category(m: categories::Model) -> Category {
    Category {
        id: m.id.into(),
        parent: m.parent_id.map(Into::into),
        slug: m.slug,
        name: m.name,
        position: m.position,
    }
}

pub(crate) fn to_product(m: products::Model) -> Result<Product> {
    let bad = |what: &str| {
        Error::Db(sea_orm::DbErr::Custom(format!(
            "product {} has a bad {what}",
            m.id
        )))
    };
    let currency = Currency::parse(&m.currency).ok_or_else(|| bad("currency"))?;
    Ok(Product {
        id: m.id.into(),
        status: ProductStatus::parse(&m.status).ok_or_else(|| bad("status"))?,
        attributes: serde_json::from_str(&m.attributes).map_err(|_| bad("attribute list"))?,
        price: Money::new(m.price_minor, currency),
        sku: m.sku,
        name: m.name,
        description: m.description,
        category: m.category_id.map(Into::into),
        image: m.image,
        updated_at: m.updated_at,
    })
}

/// The hub's catalog handle: refuses any tenant but a hub.
fn hub_only(db: &TenantDb) -> Result<()> {
    if db.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    Ok(())
}

/// `name` → `some-name` for category addresses.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

/// Every category of the hub, as a tree flattened depth-first in position order.
pub async fn categories(db: &TenantDb) -> Result<Vec<Category>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<categories::Entity>()
        .order_by_asc(categories::Column::Position)
        .order_by_asc(categories::Column::Name)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(tree_order(rows.into_iter().map(to_category).collect()))
}

/// Depth-first, children after their parent, siblings by position.
pub fn tree_order(mut all: Vec<Category>) -> Vec<Category> {
    all.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
    let mut by_parent: HashMap<Option<CategoryId>, Vec<Category>> = HashMap::new();
    let ids: std::collections::HashSet<CategoryId> = all.iter().map(|c| c.id).collect();
    for c in all {
        // A parent that no longer exists makes the category a root rather than lost.
        let parent = c.parent.filter(|p| ids.contains(p));
        by_parent.entry(parent).or_default().push(c);
    }
    let mut out = Vec::new();
    let mut stack: Vec<Category> = by_parent.remove(&None).unwrap_or_default();
    stack.reverse();
    while let Some(c) = stack.pop() {
        let mut kids = by_parent.remove(&Some(c.id)).unwrap_or_default();
        kids.reverse();
        out.push(c);
        stack.extend(kids);
    }
    out
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryInput {
    pub name: String,
    /// Empty: derived from the name.
    pub slug: String,
    /// A parent category id, or empty for a top-level one.
    pub parent: String,
    pub position: i32,
}

/// Creates a category (or updates `id`'s).
pub async fn save_category(
    db: &TenantDb,
    id: Option<CategoryId>,
    input: &CategoryInput,
) -> Result<Category> {
    hub_only(db)?;
    let name = check_name(&input.name, "name", 80).map_err(|e| Error::validation("name", e))?;
    let slug = if input.slug.trim().is_empty() {
        slugify(&name)
    } else {
        slugify(&input.slug)
    };
    if slug.is_empty() {
        return Err(Error::validation("slug", "use letters or digits"));
    }
    let parent = match input.parent.trim() {
        "" => None,
        p => Some(
            CategoryId::parse(p).ok_or_else(|| Error::validation("parent", "no such category"))?,
        ),
    };
    let tx = db.begin_write().await?;
    let existing = tx.find::<categories::Entity>().all(tx.conn()).await?;
    if let Some(p) = parent {
        if !existing.iter().any(|c| c.id == p.as_uuid()) {
            return Err(Error::validation("parent", "no such category"));
        }
        // Walking up from the parent must never reach the category itself.
        if let Some(me) = id {
            let mut cur = Some(p.as_uuid());
            while let Some(c) = cur {
                if c == me.as_uuid() {
                    return Err(Error::validation(
                        "parent",
                        "a category cannot sit inside itself",
                    ));
                }
                cur = existing
                    .iter()
                    .find(|e| e.id == c)
                    .and_then(|e| e.parent_id);
            }
        }
    }
    let now = Utc::now();
    let model = match id {
        Some(id) => {
            let row = existing
                .iter()
                .find(|c| c.id == id.as_uuid())
                .ok_or(Error::NotFound("category"))?;
            let mut am: categories::ActiveModel = row.clone().into();
            am.name = Set(name.clone());
            am.slug = Set(slug.clone());
            am.parent_id = Set(parent.map(|p| p.as_uuid()));
            am.position = Set(input.position);
            tx.update_many::<categories::Entity>()
                .set(am)
                .filter(categories::Column::Id.eq(id.as_uuid()))
                .exec(tx.conn())
                .await
                .map_err(|e| {
                    Error::on_unique_violation(e, format!("the category address '{slug}' is taken"))
                })?;
            categories::Model {
                tenant_id: db.tenant_id().as_uuid(),
                id: id.as_uuid(),
                parent_id: parent.map(|p| p.as_uuid()),
                slug,
                name,
                position: input.position,
                created_at: row.created_at,
            }
        }
        None => {
            if existing.len() >= MAX_CATEGORIES {
                return Err(Error::validation(
                    "name",
                    format!("a hub has at most {MAX_CATEGORIES} categories"),
                ));
            }
            tx.insert(categories::ActiveModel {
                tenant_id: Set(db.tenant_id().as_uuid()),
                id: Set(CategoryId::generate().as_uuid()),
                parent_id: Set(parent.map(|p| p.as_uuid())),
                slug: Set(slug.clone()),
                name: Set(name),
                position: Set(input.position),
                created_at: Set(now),
            })
            .await
            .map_err(|e| {
                Error::on_unique_violation(e, format!("the category address '{slug}' is taken"))
            })?
        }
    };
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(to_category(model))
}

/// Deletes an empty category (no products, no sub-categories).
pub async fn delete_category(db: &TenantDb, id: CategoryId) -> Result<()> {
    hub_only(db)?;
    let tx = db.begin_write().await?;
    let kids = tx
        .find::<categories::Entity>()
        .filter(categories::Column::ParentId.eq(id.as_uuid()))
        .count(tx.conn())
        .await?;
    let used = tx
        .find::<products::Entity>()
        .filter(products::Column::CategoryId.eq(id.as_uuid()))
        .count(tx.conn())
        .await?;
    if kids > 0 || used > 0 {
        return Err(Error::Conflict(format!(
            "the category still holds {used} products and {kids} sub-categories; move them first"
        )));
    }
    let res = tx
        .delete_many::<categories::Entity>()
        .filter(categories::Column::Id.eq(id.as_uuid()))
        .exec(tx.conn())
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("category"));
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a category given by slug or id against a list.
pub fn category_resolver(all: &[Category]) -> impl Fn(&str) -> Option<CategoryId> + '_ {
    move |key: &str| {
        let key = key.trim();
        CategoryId::parse(key)
            .filter(|id| all.iter().any(|c| c.id == *id))
            .or_else(|| {
                all.iter()
                    .find(|c| c.slug.eq_ignore_ascii_case(key))
                    .map(|c| c.id)
            })
    }
}

fn draft_errors(errors: FieldErrors) -> Error {
    let (field, message) = errors
        .into_iter()
        .next()
        .unwrap_or(("product", "is not valid".to_owned()));
    Error::validation(field, message)
}

/// Creates a product, or updates `id`'s. The SKU stays unique within the hub.
pub async fn save_product(
    db: &TenantDb,
    id: Option<ProductId>,
    input: &ProductInput,
) -> Result<Product> {
    hub_only(db)?;
    let cats = categories(db).await?;
    let draft = ProductDraft::parse(input, &category_resolver(&cats)).map_err(draft_errors)?;
    let tx = db.begin_write().await?;
    let now = Utc::now();
    let taken = |e| {
        Error::on_unique_violation(
            e,
            format!(
                "another product already has SKU {}",
                input.sku.trim().to_ascii_uppercase()
            ),
        )
    };
    let model = match id {
        Some(id) => {
            let row = tx
                .find::<products::Entity>()
                .filter(products::Column::Id.eq(id.as_uuid()))
                .one(tx.conn())
                .await?
                .ok_or(Error::NotFound("product"))?;
            let mut am: products::ActiveModel = row.into();
            write_draft(&mut am, &draft, now);
            tx.update_many::<products::Entity>()
                .set(am)
                .filter(products::Column::Id.eq(id.as_uuid()))
                .exec(tx.conn())
                .await
                .map_err(taken)?;
            tx.find::<products::Entity>()
                .filter(products::Column::Id.eq(id.as_uuid()))
                .one(tx.conn())
                .await?
                .ok_or(Error::NotFound("product"))?
        }
        None => {
            let mut am = products::ActiveModel {
                tenant_id: Set(db.tenant_id().as_uuid()),
                id: Set(ProductId::generate().as_uuid()),
                created_at: Set(now),
                ..Default::default()
            };
            write_draft(&mut am, &draft, now);
            tx.insert(am).await.map_err(taken)?
        }
    };
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    to_product(model)
}

pub(crate) fn write_draft(am: &mut products::ActiveModel, d: &ProductDraft, now: DateTime<Utc>) {
    am.sku = Set(d.sku.clone());
    am.name = Set(d.name.clone());
    am.description = Set(d.description.clone());
    am.price_minor = Set(d.price.minor);
    am.currency = Set(d.price.currency.code().to_owned());
    am.category_id = Set(d.category.map(|c| c.as_uuid()));
    am.status = Set(d.status.as_str().to_owned());
    am.attributes = Set(serde_json::to_string(&d.attributes).unwrap_or_else(|_| "[]".into()));
    am.image = Set(d.image.clone());
    am.updated_at = Set(now);
}

/// Sets (or clears) a product's image to a stored media name.
pub async fn set_product_image(db: &TenantDb, id: ProductId, image: Option<&str>) -> Result<()> {
    hub_only(db)?;
    if let Some(name) = image
        && !valid_media_name(name)
    {
        return Err(Error::validation("image", "not a stored image"));
    }
    let tx = db.begin_write().await?;
    let res = tx
        .update_many::<products::Entity>()
        .col_expr(
            products::Column::Image,
            Expr::value(image.map(str::to_owned)),
        )
        .col_expr(products::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(products::Column::Id.eq(id.as_uuid()))
        .exec(tx.conn())
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("product"));
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn product(db: &TenantDb, id: ProductId) -> Result<Product> {
    let tx = db.begin().await?;
    let row = tx
        .find::<products::Entity>()
        .filter(products::Column::Id.eq(id.as_uuid()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("product"))?;
    tx.commit().await?;
    to_product(row)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    pub search: Option<String>,
    pub status: Option<ProductStatus>,
    pub category: Option<CategoryId>,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub items: Vec<Product>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The hub's products by SKU, filtered and paged in SQL. The search matches SKU and name,
/// case-insensitively.
pub async fn list_products(db: &TenantDb, q: &ProductQuery) -> Result<ProductPage> {
    let per_page = q.per_page.clamp(1, 200);
    let tx = db.begin().await?;
    let mut sel = tx.find::<products::Entity>();
    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!(
            "%{}%",
            s.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sel = sel.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(products::Column::Sku)))
                        .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(products::Column::Name)))
                        .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    if let Some(st) = q.status {
        sel = sel.filter(products::Column::Status.eq(st.as_str()));
    }
    if let Some(c) = q.category {
        sel = sel.filter(products::Column::CategoryId.eq(c.as_uuid()));
    }
    let total = sel.clone().count(tx.conn()).await?;
    let rows = sel
        .order_by_asc(products::Column::Sku)
        .offset(q.page * per_page)
        .limit(per_page)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(ProductPage {
        items: rows.into_iter().map(to_product).collect::<Result<_>>()?,
        total,
        page: q.page,
        per_page,
    })
}

/// Every product row of the hub (snapshot building and export).
pub(crate) async fn all_products(tx: &TenantTx) -> Result<Vec<products::Model>> {
    Ok(tx
        .find::<products::Entity>()
        .order_by_asc(products::Column::Sku)
        .all(tx.conn())
        .await?)
}

pub(crate) async fn all_categories(tx: &TenantTx) -> Result<Vec<Category>> {
    let rows = tx.find::<categories::Entity>().all(tx.conn()).await?;
    Ok(tree_order(rows.into_iter().map(to_category).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_attributes_and_names() {
        assert_eq!(normalise_sku(" ab-12 ").unwrap(), "AB-12");
        // The message is what the SKU field shows.
        assert_eq!(
            normalise_sku("a b").unwrap_err(),
            "use letters, digits and - _ . / only"
        );
        assert_eq!(normalise_sku("  ").unwrap_err(), "enter a SKU");
        assert_eq!(
            normalise_sku(&"A".repeat(65)).unwrap_err(),
            "must be at most 64 characters"
        );
        assert_eq!(
            parse_attributes("Colour=Red; Weight = 2 kg;").unwrap(),
            vec![
                ("Colour".into(), "Red".into()),
                ("Weight".into(), "2 kg".into())
            ]
        );
        assert_eq!(
            parse_attributes("Colour").unwrap_err(),
            "'Colour' is not Name=Value"
        );
        assert_eq!(
            parse_attributes("a=1; A=2").unwrap_err(),
            "attribute 'A' appears twice"
        );
        assert_eq!(
            parse_attributes("Colour=").unwrap_err(),
            "value of 'Colour' must be 1 to 200 characters"
        );
        assert_eq!(slugify("Power Tools & More!"), "power-tools-more");
        assert!(valid_media_name("0123456789abcdef0123456789abcdef.png"));
        assert!(!valid_media_name("../etc/passwd.png"));
    }

    #[test]
    fn drafts_report_every_problem() {
        let input = ProductInput {
            sku: "a b".into(),
            name: "".into(),
            price: "abc".into(),
            currency: "EUR".into(),
            status: "gone".into(),
            category: "nope".into(),
            ..Default::default()
        };
        let errs = ProductDraft::parse(&input, &|_| None).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["sku", "name", "price", "category", "status"]);
    }

    #[test]
    fn tree_order_is_depth_first() {
        let a = CategoryId::generate();
        let b = CategoryId::generate();
        let c = CategoryId::generate();
        let cat = |id, parent, name: &str, position| Category {
            id,
            parent,
            slug: name.into(),
            name: name.into(),
            position,
        };
        let out = tree_order(vec![
            cat(c, Some(a), "c", 0),
            cat(b, None, "b", 2),
            cat(a, None, "a", 1),
        ]);
        let names: Vec<_> = out.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["a", "c", "b"]);
    }
}
