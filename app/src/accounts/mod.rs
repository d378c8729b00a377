//! Accounts on every host: log-in, sign-up (customers at stores, companies applying to resell
//! on the hub) and the account page (password change, log-out).

pub mod api;
pub mod me;

// The pages; the shop bundle has none of them (its frame needs only `api`).
#[cfg(not(feature = "shop"))]
mod account;
#[cfg(not(feature = "shop"))]
mod login;
#[cfg(not(feature = "shop"))]
mod signup;

#[cfg(not(feature = "shop"))]
pub use account::AccountPage;
#[cfg(not(feature = "shop"))]
pub use login::LoginPage;
#[cfg(not(feature = "shop"))]
pub use signup::{ApplyPage, SignUpPage};
