//! The hub's partner programme: its front page (live counters, registering interest) and the
//! hub admin's reseller console (approve, suspend, reinstate, unlock) and its distributors
//! (list, create).

#[cfg(not(feature = "shop"))]
pub mod admin_api;
pub mod api;
#[cfg(not(feature = "shop"))]
mod distributors;
mod home;
#[cfg(not(feature = "shop"))]
mod resellers;

#[cfg(not(feature = "shop"))]
pub use distributors::DistributorsPage;
pub use home::HomePage;
#[cfg(not(feature = "shop"))]
pub use resellers::ResellersPage;
