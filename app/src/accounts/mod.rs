//! Accounts on every host: log-in, sign-up (customers at stores, companies applying to resell
//! on the hub) and the account page (password change, log-out).

mod account;
mod login;
mod signup;

pub use account::AccountPage;
pub use login::LoginPage;
pub use signup::{ApplyPage, SignUpPage};
