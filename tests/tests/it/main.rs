//! In-process integration tests: one binary, one module per capability.

mod admin;
mod auth;
mod catalog;
mod csrf;
mod fuzz;
mod health;
mod hosts;
mod jwt;
mod landing;
mod limits;
mod live_prices;
mod orders;
mod partner_api;
mod probe;
mod processes;
mod quotes;
mod rls;
mod security;
mod webhooks;
