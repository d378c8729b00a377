//! Background workers of the server process.

pub mod webhooks;
