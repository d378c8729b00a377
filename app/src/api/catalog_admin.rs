//! The hub admin's catalog console: products, categories, the stores' price policy and locks,
//! CSV import with progress. Every function requires a hub admin on the hub's own host.
