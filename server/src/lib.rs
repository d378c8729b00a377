//! The hub's server: configuration, start-up, the HTTP surface and the command line.

pub mod cli;
pub mod config;
pub mod http;
pub mod outbound;
pub mod partner_api;
pub mod secrets;
pub mod seed;
pub mod seed_catalog;
pub mod seed_orders;
pub mod seed_partners;
pub mod seed_quotes;
pub mod startup;
pub mod workers;

pub use config::Config;
pub use startup::{Prepared, StartupError, prepare, prepare_with_clock};
