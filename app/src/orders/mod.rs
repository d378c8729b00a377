//! Cart transfer and orders: the shopper's exact prices and confirmation, the customer's
//! order pages, and the partner's inbox.

pub mod api;
mod pages;

pub use pages::{MyOrdersPage, OrderPage, PartnerOrdersPage, StoreOrdersPage, TransferPage};
