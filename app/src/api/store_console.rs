//! The reseller's console: the store wizard, per-product overrides and the drift view. Every
//! function requires the store's admin on the store's own host.
