//! Background workers of the server process.

pub mod mail;
pub mod quotes;
pub mod webhooks;
