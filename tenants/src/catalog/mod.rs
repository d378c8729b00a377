//! The catalog: the hub's master (categories, products, CSV), each store's view of it
//! (branding, selection, pricing, overrides, within the hub's policy), the effective catalog
//! snapshots the storefront serves from memory, carts and media.

pub mod cart;
pub mod csv_io;
mod entity;
pub mod import_jobs;
pub mod master;
pub mod media;
pub mod money;
pub mod setup;
pub mod snapshot;
pub mod store;
pub mod text;
pub mod versions;

pub use master::{Category, Product, ProductInput, ProductStatus};
pub use money::{Currency, Money, PricingRule, Rounding};
pub use snapshot::{CatalogCache, Listing, ProductDetail, ProductView, Sort, Storefront};
pub use store::{Branding, Field, Font, Policy, Selection, StoreSettings};
