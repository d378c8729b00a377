//! The catalog console's server functions, until they move to `catalog/` (see ARCHITECTURE).

pub mod catalog_admin;
