//! Quote requests: the reseller asks its distributors for quotes, compares, negotiates and
//! accepts one (a purchase order); the distributor answers in its console; the hub admin
//! watches the network's activity.

pub mod api;
mod pages;

pub use pages::{BuyerRfqPage, BuyerRfqsPage, RfqActivityPage, SellerRfqPage, SellerRfqsPage};
