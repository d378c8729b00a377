#[cfg(not(feature = "shop"))]
pub mod form;
pub mod layout;
pub mod not_found;
