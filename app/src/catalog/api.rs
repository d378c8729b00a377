//! The hub admin's catalog console: products, categories, the stores' price policy and locks,
//! CSV import with progress. Every function requires a hub admin on the hub's own host.
//!
//! Uploads (a product image, a CSV file) arrive as multipart form data through the
//! [`Upload`] encoding. CSV imports run as background jobs; their state lives in the
//! database (`tenants::catalog::import_jobs`), so any process can report on them, bound to the
//! hub tenant that started them.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, MultipartData};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
#[cfg(feature = "ssr")]
use tenants::access::HubAdmin;

/// Products per page in the console's list.
pub const PER_PAGE: u64 = 25;

/// A category as the console shows it: in tree order, with its depth for indenting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub id: String,
    pub parent: Option<String>,
    pub slug: String,
    pub name: String,
    pub position: i32,
    /// 0 for a top-level category.
    pub depth: usize,
}

/// One line of the product list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: String,
    pub sku: String,
    pub name: String,
    /// The category's name, if the product has one.
    pub category: Option<String>,
    /// Formatted for reading, e.g. `€1,299.00`.
    pub price: String,
    pub status: String,
    /// A stored media name, served at `/media/{name}`.
    pub image: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    pub items: Vec<ProductRow>,
    pub total: u64,
    /// 0-based.
    pub page: u64,
    pub per_page: u64,
    /// At least 1.
    pub pages: u64,
}

/// A product as its editor shows it: every field as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    /// `None` for a product not saved yet.
    pub id: Option<String>,
    pub sku: String,
    pub name: String,
    pub description: String,
    /// A decimal amount, e.g. `12.50`.
    pub price: String,
    pub currency: String,
    /// A category id, or empty.
    pub category: String,
    pub status: String,
    /// `Name=Value; Name=Value`.
    pub attributes: String,
    pub image: Option<String>,
    /// `2024-05-01 14:03 UTC`, empty for a new product.
    pub updated_at: String,
}

/// A product's fields as the editor's form sends them (flattened into the form: `sku`,
/// `name`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFields {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub currency: String,
    /// A category id, or empty.
    pub category: String,
    pub status: String,
    pub attributes: String,
}

/// What the product editor needs: the product (or a blank one), the categories to choose
/// from and the image size limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductEditor {
    pub product: ProductForm,
    pub categories: Vec<CategoryRow>,
    pub max_image_bytes: u64,
}

/// A product field stores may override, and whether the hub has locked it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockField {
    pub key: String,
    pub label: String,
    pub locked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub price_min_pct: i32,
    pub price_max_pct: i32,
    pub fields: Vec<LockField>,
}

/// A CSV row an import refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    pub line: u64,
    pub sku: String,
    pub reasons: Vec<String>,
}

/// How an import ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    Imported {
        rows: u64,
        created: u64,
        updated: u64,
    },
    /// Some rows are bad: nothing was written. `rows` holds at most the first thousand.
    BadRows { rows: Vec<BadRow>, total: u64 },
    /// The file as a whole cannot be imported (header, encoding, no rows...).
    FileError(String),
}

/// A CSV import job as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStatus {
    pub job: String,
    pub file_name: String,
    pub size_bytes: u64,
    /// `queued`, `reading`, `checking`, `writing` or `done`.
    pub phase: String,
    pub done: u64,
    /// 0 while unknown.
    pub total: u64,
    /// `None` while the job runs.
    pub outcome: Option<ImportOutcome>,
}

impl ImportStatus {
    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }
}

crate::upload::upload_codec!(UploadProductImage);
crate::upload::upload_codec!(StartCatalogImport);

// ---------------------------------------------------------------------------------------
// Server-side helpers.

/// The categories in tree order with their depths.
#[cfg(feature = "ssr")]
fn category_rows(all: &[tenants::catalog::Category]) -> Vec<CategoryRow> {
    use std::collections::HashMap;

    let mut depth: HashMap<tenants::CategoryId, usize> = HashMap::new();
    all.iter()
        .map(|c| {
            // Tree order puts a parent before its children; an unknown parent makes a root.
            let d = c.parent.and_then(|p| depth.get(&p)).map_or(0, |d| d + 1);
            depth.insert(c.id, d);
            CategoryRow {
                id: c.id.to_string(),
                parent: c.parent.map(|p| p.to_string()),
                slug: c.slug.clone(),
                name: c.name.clone(),
                position: c.position,
                depth: d,
            }
        })
        .collect()
}

#[cfg(feature = "ssr")]
fn product_form(p: &tenants::catalog::Product) -> ProductForm {
    ProductForm {
        id: Some(p.id.to_string()),
        sku: p.sku.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        price: p.price.to_decimal(),
        currency: p.price.currency.code().to_owned(),
        category: p.category.map(|c| c.to_string()).unwrap_or_default(),
        status: p.status.as_str().to_owned(),
        attributes: tenants::catalog::master::format_attributes(&p.attributes),
        image: p.image.clone(),
        updated_at: p.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

#[cfg(feature = "ssr")]
fn parse_category(raw: &str, field: &str) -> Result<Option<tenants::CategoryId>, ApiError> {
    match raw.trim() {
        "" | "all" => Ok(None),
        s => tenants::CategoryId::parse(s)
            .map(Some)
            .ok_or_else(|| ApiError::validation(field, "there is no such category")),
    }
}

#[cfg(feature = "ssr")]
fn parse_product_id(raw: &str) -> Result<tenants::ProductId, ApiError> {
    tenants::ProductId::parse(raw.trim()).ok_or(ApiError::NotFound)
}

/// A multipart part that could not be read: most often a body cut off at the size limit.
#[cfg(feature = "ssr")]
fn unreadable(field: &str) -> impl Fn(multer::Error) -> ApiError + '_ {
    move |e| {
        tracing::info!(error = %e, "unreadable upload");
        ApiError::validation(
            field,
            "the upload could not be read completely; it may be larger than the server accepts",
        )
    }
}

// ---------------------------------------------------------------------------------------
// Products.

/// Hub admin: the master catalog's products by SKU, filtered by a search text (SKU or name),
/// a status (`all`, `draft`, `active`, `discontinued`) and a category id; `page` is 0-based.
#[server(prefix = "/api", endpoint = "admin/catalog/products", input = GetUrl, output = crate::codec::Answer)]
pub async fn catalog_products(
    search: Option<String>,
    status: Option<String>,
    category: Option<String>,
    page: Option<u64>,
) -> Result<ProductList, ApiError> {
    use tenants::catalog::ProductStatus;
    use tenants::catalog::master::{ProductQuery, categories, list_products};

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let status = match status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "all")
        {
            None => None,
            Some(s) => Some(ProductStatus::parse(s).ok_or_else(|| {
                ApiError::validation("status", "must be all, draft, active or discontinued")
            })?),
        };
        let category = parse_category(category.as_deref().unwrap_or(""), "category")?;
        let cats = categories(admin.db()).await?;
        if let Some(c) = category
            && !cats.iter().any(|k| k.id == c)
        {
            return Err(ApiError::validation(
                "category",
                "there is no such category",
            ));
        }
        let result = list_products(
            admin.db(),
            &ProductQuery {
                search: search
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                status,
                category,
                page: page.unwrap_or(0),
                per_page: PER_PAGE,
            },
        )
        .await?;
        let name_of = |id| cats.iter().find(|c| c.id == id).map(|c| c.name.clone());
        Ok(ProductList {
            items: result
                .items
                .iter()
                .map(|p| ProductRow {
                    id: p.id.to_string(),
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    category: p.category.and_then(name_of),
                    price: p.price.display(),
                    status: p.status.as_str().to_owned(),
                    image: p.image.clone(),
                })
                .collect(),
            total: result.total,
            page: result.page,
            per_page: result.per_page,
            pages: result.total.div_ceil(result.per_page.max(1)).max(1),
        })
    })
    .await
}

/// Hub admin: a product for its editor (a blank one without `id`), with the categories to
/// choose from.
#[server(prefix = "/api", endpoint = "admin/catalog/product", input = GetUrl, output = crate::codec::Answer)]
pub async fn catalog_product(id: Option<String>) -> Result<ProductEditor, ApiError> {
    use tenants::catalog::master::{ProductQuery, categories, list_products, product};

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let form = match id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => product_form(&product(admin.db(), parse_product_id(id)?).await?),
            None => {
                // A new product starts in the currency of the catalog's first one.
                let first = list_products(
                    admin.db(),
                    &ProductQuery {
                        per_page: 1,
                        ..Default::default()
                    },
                )
                .await?;
                ProductForm {
                    currency: first
                        .items
                        .first()
                        .map_or("EUR", |p| p.price.currency.code())
                        .to_owned(),
                    status: "draft".into(),
                    ..Default::default()
                }
            }
        };
        Ok(ProductEditor {
            product: form,
            categories: category_rows(&categories(admin.db()).await?),
            max_image_bytes: state.media.max_bytes() as u64,
        })
    })
    .await
}

/// Hub admin: creates a product (empty `id`) or updates one. The image stays as it is; it
/// changes through [`upload_product_image`] and [`remove_product_image`].
#[server(prefix = "/api", endpoint = "admin/catalog/product-save", output = crate::codec::Answer)]
pub async fn save_catalog_product(
    id: String,
    #[server(flatten)] product: ProductFields,
) -> Result<ProductForm, ApiError> {
    use tenants::catalog::ProductInput;
    use tenants::catalog::master::{product as find_product, save_product};

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let id = match id.trim() {
            "" => None,
            s => Some(parse_product_id(s)?),
        };
        let image = match id {
            Some(id) => find_product(admin.db(), id).await?.image.unwrap_or_default(),
            None => String::new(),
        };
        let ProductFields {
            sku,
            name,
            description,
            price,
            currency,
            category,
            status,
            attributes,
        } = product;
        let input = ProductInput {
            sku,
            name,
            description,
            price,
            currency,
            category,
            status,
            attributes,
            image,
        };
        // The only conflict a product save meets is a taken SKU: say so at the SKU.
        let saved = save_product(admin.db(), id, &input)
            .await
            .map_err(|e| match ApiError::from(e) {
                ApiError::Conflict(message) => ApiError::validation("sku", message),
                other => other,
            })?;
        tracing::info!(product = %saved.id, sku = %saved.sku, created = id.is_none(), "product saved");
        Ok(product_form(&saved))
    })
    .await
}

/// Hub admin: a new image for a product. The form carries the product's `id` and the file as
/// `image` (PNG, JPEG or WebP, checked by content). Answers the stored image's name.
#[server(prefix = "/api", endpoint = "admin/catalog/product-image", input = crate::upload::Upload, input_derive = (), output = crate::codec::Answer)]
pub async fn upload_product_image(data: MultipartData) -> Result<String, ApiError> {
    use tenants::catalog::master::{product, set_product_image};

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let mut form = data
            .into_inner()
            .ok_or_else(|| ApiError::validation("image", "the upload did not arrive as a form"))?;
        let mut id = None;
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(unreadable("image"))? {
            match field.name() {
                Some("id") => id = Some(field.text().await.map_err(unreadable("image"))?),
                Some("image") => {
                    let declared = field.content_type().map(|m| m.essence_str().to_owned());
                    let bytes = field.bytes().await.map_err(unreadable("image"))?;
                    file = Some((bytes, declared));
                }
                _ => {}
            }
        }
        let id = parse_product_id(id.as_deref().unwrap_or(""))?;
        // Refuse an unknown product before storing anything.
        product(admin.db(), id).await?;
        let (bytes, declared) =
            file.ok_or_else(|| ApiError::validation("image", "choose a file to upload"))?;
        let name = state.media.store_image(&bytes, declared.as_deref()).await?;
        set_product_image(admin.db(), id, Some(&name)).await?;
        tracing::info!(product = %id, image = %name, "product image set");
        Ok(name)
    })
    .await
}

/// Hub admin: removes a product's image (the stored file stays; names are content hashes
/// other products may share).
#[server(prefix = "/api", endpoint = "admin/catalog/product-image-remove", output = crate::codec::Answer)]
pub async fn remove_product_image(id: String) -> Result<(), ApiError> {
    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let id = parse_product_id(&id)?;
        tenants::catalog::master::set_product_image(admin.db(), id, None).await?;
        Ok(())
    })
    .await
}

/// Hub admin: a product description's Markdown as the storefront will show it (safe HTML).
#[server(prefix = "/api", endpoint = "admin/catalog/preview", output = crate::codec::Answer)]
pub async fn preview_description(text: String) -> Result<String, ApiError> {
    use crate::context::run;
    run(|_admin: HubAdmin| async move {
        let text = tenants::catalog::master::check_description(&text)
            .map_err(|e| ApiError::validation("description", e))?;
        Ok(tenants::catalog::text::render_markdown(&text))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Categories.

/// Hub admin: every category, depth-first in position order.
#[server(prefix = "/api", endpoint = "admin/catalog/categories", input = GetUrl, output = crate::codec::Answer)]
pub async fn catalog_categories() -> Result<Vec<CategoryRow>, ApiError> {
    use crate::context::run;
    run(|admin: HubAdmin| async move {
        Ok(category_rows(
            &tenants::catalog::master::categories(admin.db()).await?,
        ))
    })
    .await
}

/// Hub admin: creates a category (empty `id`) or updates one. An empty `slug` is derived from
/// the name; an empty `parent` makes a top-level category.
#[server(prefix = "/api", endpoint = "admin/catalog/category-save", output = crate::codec::Answer)]
pub async fn save_catalog_category(
    id: String,
    name: String,
    slug: String,
    parent: String,
    position: String,
) -> Result<CategoryRow, ApiError> {
    use tenants::catalog::master::{CategoryInput, categories, save_category};

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let id = match id.trim() {
            "" => None,
            s => Some(tenants::CategoryId::parse(s).ok_or(ApiError::NotFound)?),
        };
        let position = match position.trim() {
            "" => 0,
            p => p
                .parse::<i32>()
                .ok()
                .filter(|p| (-10_000..=10_000).contains(p))
                .ok_or_else(|| {
                    ApiError::validation(
                        "position",
                        "enter a whole number between -10000 and 10000",
                    )
                })?,
        };
        if parse_category(&parent, "parent")?.is_some_and(|p| Some(p) == id) {
            return Err(ApiError::validation(
                "parent",
                "a category cannot sit inside itself",
            ));
        }
        let saved = save_category(
            admin.db(),
            id,
            &CategoryInput {
                name,
                slug,
                parent: parent.trim().to_owned(),
                position,
            },
        )
        .await
        // The only conflict a category save meets is a taken address.
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(message) => ApiError::validation("slug", message),
            other => other,
        })?;
        tracing::info!(category = %saved.id, slug = %saved.slug, "category saved");
        let rows = category_rows(&categories(admin.db()).await?);
        let id = saved.id.to_string();
        rows.into_iter()
            .find(|r| r.id == id)
            .ok_or(ApiError::NotFound)
    })
    .await
}

/// Hub admin: deletes an empty category; one holding products or sub-categories is refused
/// with a conflict saying so.
#[server(prefix = "/api", endpoint = "admin/catalog/category-delete", output = crate::codec::Answer)]
pub async fn delete_catalog_category(id: String) -> Result<(), ApiError> {
    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let id = tenants::CategoryId::parse(id.trim()).ok_or(ApiError::NotFound)?;
        tenants::catalog::master::delete_category(admin.db(), id).await?;
        tracing::info!(category = %id, "category deleted");
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Price policy and locks.

#[cfg(feature = "ssr")]
fn policy_form(p: &tenants::catalog::Policy) -> PolicyForm {
    PolicyForm {
        price_min_pct: p.price_min_pct,
        price_max_pct: p.price_max_pct,
        fields: tenants::catalog::Field::ALL
            .into_iter()
            .map(|f| LockField {
                key: f.as_str().to_owned(),
                label: f.label().to_owned(),
                locked: p.is_locked(f),
            })
            .collect(),
    }
}

/// Hub admin: the stores' price range and the fields they may not override.
#[server(prefix = "/api", endpoint = "admin/catalog/policy", input = GetUrl, output = crate::codec::Answer)]
pub async fn catalog_policy() -> Result<PolicyForm, ApiError> {
    use crate::context::run;
    run(|admin: HubAdmin| async move {
        Ok(policy_form(
            &tenants::catalog::store::policy(&admin.master()).await?,
        ))
    })
    .await
}

/// Hub admin: sets the price range (whole percentages of the list price) and the locked
/// fields (`locked` holds field keys; none given unlocks every field).
#[server(prefix = "/api", endpoint = "admin/catalog/policy-save", output = crate::codec::Answer)]
pub async fn save_catalog_policy(
    price_min_pct: String,
    price_max_pct: String,
    locked: Option<Vec<String>>,
) -> Result<PolicyForm, ApiError> {
    use tenants::catalog::{Field, Policy};

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let pct = |raw: &str, field: &str| {
            raw.trim()
                .trim_end_matches('%')
                .trim()
                .parse::<i32>()
                .map_err(|_| {
                    ApiError::validation(
                        field,
                        format!("'{}' is not a whole percentage", raw.trim()),
                    )
                })
        };
        let min = pct(&price_min_pct, "price_min_pct")?;
        let max = pct(&price_max_pct, "price_max_pct")?;
        if min > max {
            return Err(ApiError::validation(
                "price_max_pct",
                "must not be below the minimum",
            ));
        }
        let locked = locked
            .unwrap_or_default()
            .iter()
            .map(|k| {
                Field::parse(k)
                    .ok_or_else(|| ApiError::validation("locked", format!("'{k}' is not a field")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let saved = tenants::catalog::store::set_policy(
            admin.db(),
            &Policy {
                price_min_pct: min,
                price_max_pct: max,
                locked,
            },
        )
        .await?;
        tracing::info!(min, max, locked = saved.locked.len(), "store policy saved");
        Ok(policy_form(&saved))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// CSV import.

/// A stored import job as its page shows it.
#[cfg(feature = "ssr")]
fn import_status(job: tenants::catalog::import_jobs::ImportJob) -> ImportStatus {
    use tenants::catalog::import_jobs::Outcome;
    ImportStatus {
        job: job.id.to_string(),
        file_name: job.file_name,
        size_bytes: job.size_bytes,
        phase: job.phase.as_str().to_owned(),
        done: job.done,
        total: job.total,
        outcome: job.outcome.map(|o| match o {
            Outcome::Imported {
                rows,
                created,
                updated,
            } => ImportOutcome::Imported {
                rows,
                created,
                updated,
            },
            Outcome::BadRows { rows, total } => ImportOutcome::BadRows {
                rows: rows
                    .into_iter()
                    .map(|e| BadRow {
                        line: e.line,
                        sku: e.sku,
                        reasons: e.reasons,
                    })
                    .collect(),
                total,
            },
            Outcome::FileError { message } => ImportOutcome::FileError(message),
        }),
    }
}

/// Where [`start_catalog_import`] answers: the one request allowed a body above the global
/// limit (up to `catalog.max_import_bytes`).
pub const IMPORT_PATH: &str = "/api/admin/catalog/import";

/// Hub admin: starts importing a CSV file (the form's `file`) into the master catalog in the
/// background. Answers the new job; follow it with [`catalog_import_status`]. The job lives in
/// the database, so any server process can answer for it.
#[server(prefix = "/api", endpoint = "admin/catalog/import", input = crate::upload::Upload, input_derive = (), output = crate::codec::Answer)]
pub async fn start_catalog_import(data: MultipartData) -> Result<ImportStatus, ApiError> {
    use tenants::catalog::csv_io::{ImportError, import};
    use tenants::catalog::import_jobs::{self, Outcome, ProgressWriter};

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let limit = crate::context::app_state()?.max_import_bytes;
        let file = crate::upload::read_file(data, limit, "split it into parts").await?;
        let (file_name, bytes) = file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| ApiError::validation("file", "choose a CSV file to import"))?;
        let db = admin.db().clone();
        let started = import_jobs::start(&db, &file_name, bytes.len() as u64).await?;
        let job = started.id;
        tracing::info!(%job, bytes = bytes.len(), "catalog import started");
        let request_id = crate::context::request_id();
        tokio::spawn(async move {
            let writer = ProgressWriter::spawn(&db, job);
            let progress = writer.progress_fn();
            let import_db = db.clone();
            // The import runs in a task of its own, so a panic in it still ends the job.
            let run = tokio::spawn(async move { import(&import_db, bytes, progress).await });
            let outcome = match run.await {
                Ok(Ok(r)) => {
                    tracing::info!(%job, rows = r.rows, created = r.created, "catalog import done");
                    Outcome::Imported {
                        rows: r.rows,
                        created: r.created,
                        updated: r.updated,
                    }
                }
                Ok(Err(ImportError::Rows { errors, total })) => Outcome::BadRows {
                    rows: errors,
                    total,
                },
                Ok(Err(ImportError::File(message))) => Outcome::FileError { message },
                Ok(Err(ImportError::Other(e))) => match e {
                    tenants::Error::Validation { message, .. } | tenants::Error::Conflict(message) => {
                        Outcome::FileError { message }
                    }
                    other => {
                        tracing::error!(%request_id, %job, error = %other, "catalog import failed");
                        Outcome::FileError {
                            message: format!(
                                "something went wrong on our side (reference {request_id}); nothing was imported"
                            ),
                        }
                    }
                },
                Err(e) => {
                    tracing::error!(%request_id, %job, error = %e, "catalog import task failed");
                    Outcome::FileError {
                        message: format!(
                            "something went wrong on our side (reference {request_id}); nothing was imported"
                        ),
                    }
                }
            };
            writer.close().await;
            if let Err(e) = import_jobs::finish(&db, job, &outcome).await {
                tracing::error!(%request_id, %job, error = %e, "catalog import outcome not recorded");
            }
        });
        Ok(import_status(started))
    })
    .await
}

/// Hub admin: an import job's progress or outcome; without `job`, the hub's latest import
/// of the last hour (`None` if there is none).
#[server(prefix = "/api", endpoint = "admin/catalog/import-status", input = GetUrl, output = crate::codec::Answer)]
pub async fn catalog_import_status(job: Option<String>) -> Result<Option<ImportStatus>, ApiError> {
    use tenants::catalog::import_jobs::{self, ImportJobId};

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let found = match job.as_deref().map(str::trim).filter(|j| !j.is_empty()) {
            Some(job) => {
                let id = ImportJobId::parse(job).ok_or(ApiError::NotFound)?;
                Some(
                    import_jobs::get(admin.db(), id)
                        .await?
                        .ok_or(ApiError::NotFound)?,
                )
            }
            None => import_jobs::latest(admin.db()).await?,
        };
        Ok(found.map(import_status))
    })
    .await
}
