//! Identity: accounts, passwords, sessions and log-in throttling. Every account belongs to
//! exactly one tenant and is only ever looked up through that tenant's [`crate::TenantDb`].

pub(crate) mod entity;
pub mod password;
pub mod sessions;
pub mod signup;
pub mod throttle;
pub mod users;

use serde::{Deserialize, Serialize};

use crate::ids::{SessionId, TenantId, UserId};
use crate::registry::TenantKind;

pub use sessions::{Authenticated, Issued, TokenError, TokenKeys};
pub use throttle::LoginThrottle;
pub use users::User;

/// What a user may do. A role only exists in tenants of the matching kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    HubAdmin,
    ResellerAdmin,
    ResellerStaff,
    DistributorAdmin,
    DistributorStaff,
    Customer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::HubAdmin,
        Self::ResellerAdmin,
        Self::ResellerStaff,
        Self::DistributorAdmin,
        Self::DistributorStaff,
        Self::Customer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HubAdmin => "hub_admin",
            Self::ResellerAdmin => "reseller_admin",
            Self::ResellerStaff => "reseller_staff",
            Self::DistributorAdmin => "distributor_admin",
            Self::DistributorStaff => "distributor_staff",
            Self::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether an account of a tenant of `kind` can hold this role. Customers shop at the
    /// hub's own store and at resellers' stores; distributors have no storefront.
    pub fn fits(self, kind: TenantKind) -> bool {
        matches!(
            (self, kind),
            (Self::HubAdmin | Self::Customer, TenantKind::Hub)
                | (
                    Self::ResellerAdmin | Self::ResellerStaff | Self::Customer,
                    TenantKind::Reseller
                )
                | (
                    Self::DistributorAdmin | Self::DistributorStaff,
                    TenantKind::Distributor
                )
        )
    }
}

/// Who is making a request: a signed-in user of the request's own tenant. A session of another
/// tenant never becomes a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub session_id: SessionId,
    pub role: Role,
    pub email: String,
    pub name: String,
    /// Only session verification in this crate makes a principal: the fields are readable
    /// everywhere, but no other crate can write one (nor change one's role).
    pub(crate) verified: Verified,
}

/// The mark of a principal made by this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verified;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_fit_their_tenants() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert!(Role::HubAdmin.fits(TenantKind::Hub));
        assert!(!Role::HubAdmin.fits(TenantKind::Reseller));
        assert!(Role::Customer.fits(TenantKind::Reseller));
        assert!(!Role::Customer.fits(TenantKind::Distributor));
        assert!(!Role::ResellerAdmin.fits(TenantKind::Distributor));
    }
}
