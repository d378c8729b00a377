//! The hub's domain and data layer.
//!
//! Domain code reaches tenant-owned tables only through [`TenantDb`], which only this crate
//! builds: other crates get one from a guard in [`access`] that checked the caller, for a
//! [`Tenant`] that the registry resolved. Every query it runs filters by `tenant_id`,
//! every insert sets it, and on PostgreSQL it also sets `app.tenant_id` for the transaction so
//! row-level security stands behind the code as a second wall.

pub mod access;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod db;
pub mod error;
pub mod ids;
pub mod leads;
pub mod mail;
pub mod orders;
pub mod partners;
pub mod quotes;
pub mod registry;
pub mod webhooks;

pub use db::{Backend, Database, DbOptions, RoleReport, TenantDb, TenantTx};
pub use error::{Error, Result};
pub use ids::{CartId, CategoryId, ProductId, SessionId, TenantId, UserId};
pub use registry::{Tenant, TenantKind, TenantStatus};
