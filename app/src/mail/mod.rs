//! The hub's e-mail, as the hub admin sees it: in development the file outbox (every message
//! the hub sent, read back from its `.eml` files) at `/admin/mail`.

pub mod api;
#[cfg(not(feature = "shop"))]
mod page;

#[cfg(not(feature = "shop"))]
pub use page::MailPage;
