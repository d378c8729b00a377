//! Typed ids: a tenant id can never be passed where a lead id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses the external form `prefix_<uuid>`; anything else is `None`.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?.strip_prefix('_')?;
                Uuid::parse_str(rest).ok().map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> sea_orm::Value {
                id.0.into()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, self.0.simple())
            }
        }
    };
}

typed_id!(
    /// A tenant: the hub, a reseller or a distributor.
    TenantId,
    "tnt"
);
typed_id!(
    /// A partner lead registered on a hub.
    LeadId,
    "lead"
);

typed_id!(
    /// A user account; it belongs to exactly one tenant.
    UserId,
    "usr"
);
typed_id!(
    /// A signed-in session (one browser's log-in), the unit of revocation.
    SessionId,
    "ses"
);

typed_id!(
    /// A product of a hub's master catalog.
    ProductId,
    "prd"
);
typed_id!(
    /// A category of a hub's master catalog.
    CategoryId,
    "cat"
);
typed_id!(
    /// A shopping cart at one store (a guest's or a customer's).
    CartId,
    "cart"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let id = TenantId::generate();
        assert_eq!(TenantId::parse(&id.to_string()), Some(id));
    }

    #[test]
    fn parse_refuses_another_prefix() {
        let lead = LeadId::generate().to_string();
        assert_eq!(TenantId::parse(&lead), None);
        assert_eq!(TenantId::parse("tnt_not-a-uuid"), None);
    }
}
