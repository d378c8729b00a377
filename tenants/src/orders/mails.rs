//! The e-mails a customer gets for their order: one when it is placed and one at each step
//! the partner takes. Plain text, written into the store's mail outbox in the same
//! transaction as the step (see [`crate::mail`]).

use uuid::Uuid;

use super::State;
use crate::catalog::money::Money;
use crate::mail::{Mail, ORDER_LINK};

/// What a message says about an order.
pub(crate) struct Facts<'a> {
    pub order: Uuid,
    pub number: &'a str,
    pub store: &'a str,
    pub partner: &'a str,
    pub customer_name: &'a str,
    pub customer_email: &'a str,
    /// (name, quantity, line total)
    pub lines: Vec<(&'a str, u32, Money)>,
    pub delivery: Money,
    pub total: Money,
    pub address: &'a str,
    pub reason: Option<&'a str>,
    pub carrier: Option<&'a str>,
    pub tracking: Option<&'a str>,
}

/// The message for `state` (the order's new state; `Transferred`: just placed).
pub(crate) fn for_state(state: State, f: &Facts<'_>) -> Mail {
    let (kind, subject, news) = match state {
        State::Transferred => (
            "order.created",
            format!("Your order {} is with {}", f.number, f.partner),
            format!(
                "Thank you for your order. {} has it and will confirm it shortly.",
                f.partner
            ),
        ),
        State::Acknowledged => (
            "order.acknowledged",
            format!("Order {}: {} has it", f.number, f.partner),
            format!("{} has acknowledged your order.", f.partner),
        ),
        State::Accepted => (
            "order.accepted",
            format!("Order {} was accepted", f.number),
            format!("{} has accepted your order and is preparing it.", f.partner),
        ),
        State::Shipped => (
            "order.shipped",
            format!("Order {} has shipped", f.number),
            format!(
                "Your order is on its way: {} {}.",
                f.carrier.unwrap_or("the carrier"),
                f.tracking
                    .map(|t| format!("(tracking number {t})"))
                    .unwrap_or_default()
            ),
        ),
        State::Delivered => (
            "order.delivered",
            format!("Order {} was delivered", f.number),
            "Your order was delivered. Enjoy!".to_owned(),
        ),
        State::Rejected => (
            "order.rejected",
            format!("Order {}: {} cannot fulfil it", f.number, f.partner),
            format!(
                "{} cannot fulfil your order: {}\nYou can send it to another partner in one step from the order's page.",
                f.partner,
                f.reason.unwrap_or("no reason given")
            ),
        ),
        State::Cancelled => (
            "order.cancelled",
            format!("Order {} was cancelled", f.number),
            format!(
                "Your order was cancelled: {}",
                f.reason.unwrap_or("no reason given")
            ),
        ),
    };
    let mut body = format!("Hello {},\n\n{news}\n\n", f.customer_name);
    body.push_str(&format!(
        "Order {} from {}, fulfilled by {}\n",
        f.number, f.store, f.partner
    ));
    for (name, quantity, total) in &f.lines {
        body.push_str(&format!("  {quantity} × {name}  {}\n", total.display()));
    }
    body.push_str(&format!(
        "  Delivery  {}\n  Total  {}\n\nDelivery address:\n{}\n\nYour order: {ORDER_LINK}\n\n{}\n",
        f.delivery.display(),
        f.total.display(),
        f.address,
        f.store
    ));
    Mail {
        kind,
        order: Some(f.order),
        to_email: f.customer_email.to_owned(),
        to_name: f.customer_name.to_owned(),
        subject,
        body,
    }
}
