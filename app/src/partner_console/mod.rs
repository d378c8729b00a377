//! The partner console on a distributor's own host (the seed's "proxy store"): profile,
//! territories, price list, API keys, webhook endpoints and their delivery log.

pub mod api;
mod page;

pub use page::PartnerConsolePage;
