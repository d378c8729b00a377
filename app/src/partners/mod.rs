//! The hub's partner programme: its front page (live counters, registering interest) and the
//! hub admin's reseller console (approve, suspend, reinstate, unlock).

#[cfg(not(feature = "shop"))]
pub mod admin_api;
pub mod api;
mod home;
#[cfg(not(feature = "shop"))]
mod resellers;

pub use home::HomePage;
#[cfg(not(feature = "shop"))]
pub use resellers::ResellersPage;
