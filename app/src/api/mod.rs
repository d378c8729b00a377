//! Server functions: public HTTP endpoints under `/api`. Each body gets the request context,
//! checks who may call it, calls one domain function and maps its error.

pub mod admin;
pub mod auth;
pub mod catalog_admin;
pub mod hub;
pub mod store;
pub mod store_console;
pub mod upload;
