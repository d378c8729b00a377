//! In-process integration tests: one binary, one module per capability.

mod health;
mod hosts;
mod landing;
mod limits;
