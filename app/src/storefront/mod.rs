//! The storefront every store shows (and the hub's own store): home, categories, product
//! pages, search and the cart.

pub mod api;
mod pages;

pub use pages::{CartPage, CategoryPage, ProductPage, SearchPage, StoreHome};
