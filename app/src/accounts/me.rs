//! The visitor's own corner of every page: who is signed in and how many items their cart
//! holds, with the links that go with them (cart, account, the consoles their role opens).
//!
//! It is the only part of a storefront page that differs between visitors, so it is kept
//! apart from the rest: the frame renders it as one block of HTML made here ([`html`]),
//! from one resource ([`Me`]). The page cache keeps a store's pages as an anonymous visitor
//! sees them and, for a visitor with a session or a cart, swaps this block (and its
//! hydration value) for theirs ([`Splice`]), instead of rendering the whole page again.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use super::api::SessionInfo;
use crate::error::ApiError;

/// Who is looking at the page, as its header shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub session: Option<SessionInfo>,
    /// Items in the visitor's cart at this store.
    pub cart_count: u32,
    /// The host is a store open to shoppers: the header links to the cart.
    pub store: bool,
    /// The host is the hub: a visitor is invited to become a partner.
    pub hub: bool,
}

impl Me {
    /// What an anonymous visitor of the same host sees.
    pub fn anonymous(&self) -> Me {
        Me {
            session: None,
            cart_count: 0,
            ..self.clone()
        }
    }
}

/// Public: the caller's own header (session, cart count) at this host.
#[server(prefix = "/api", endpoint = "me", input = GetUrl, output = crate::codec::Answer)]
pub async fn visitor_header() -> Result<Me, ApiError> {
    use tenants::access::Visitor;

    use crate::context::{app_state, caller, run};
    run(|_: Visitor| async move {
        let guest = use_context::<http::request::Parts>()
            .and_then(|parts| crate::session::read_cart(&parts.headers));
        ssr::of(&app_state()?, &caller()?, guest).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub use ssr::{Splice, of};

#[cfg(feature = "ssr")]
mod ssr {
    use tenants::access::Caller;
    use tenants::auth::Role;
    use tenants::catalog::cart::{self, Owner};
    use tenants::{CartId, TenantKind};

    use super::{Me, html};
    use crate::context::AppState;
    use crate::error::ApiError;

    /// The caller's header, with the guest cart `guest` (the cart cookie's, if any). Needs no
    /// Leptos context: the page cache calls it outside a render.
    pub async fn of(
        state: &AppState,
        caller: &Caller,
        guest: Option<CartId>,
    ) -> Result<Me, ApiError> {
        let v = caller.visitor()?;
        let tenant = v.tenant();
        let principal = caller.principal();
        let store = match caller.shopper() {
            Ok(shopper) => state
                .catalog
                .storefront(&state.db, shopper.tenant())
                .await
                .is_ok_and(|sf| sf.settings.live),
            Err(_) => false,
        };
        let owner = match principal {
            Some(p) if p.role == Role::Customer => Some(Owner::Customer(p.user_id)),
            _ => guest.map(Owner::Guest),
        };
        let cart_count = match (store, owner) {
            (true, Some(owner)) => match cart::count(v.db(), owner).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "could not count a cart; the header shows 0");
                    0
                }
            },
            _ => 0,
        };
        Ok(Me {
            session: principal.map(|p| super::super::api::info(&p.name, &p.email, p.role, tenant)),
            cart_count,
            store,
            hub: tenant.kind() == TenantKind::Hub,
        })
    }

    /// How a kept anonymous page becomes one visitor's: the anonymous header block, found
    /// exactly once, replaced by theirs; and its hydration value likewise, where the page has
    /// one (a page the console bundle hydrates; a storefront page hydrates only its islands,
    /// and the header is none of them).
    pub struct Splice {
        from: [String; 2],
        to: [String; 2],
    }

    impl Splice {
        pub fn new(me: &Me) -> Self {
            let anonymous = me.anonymous();
            Self {
                from: [html(&anonymous), hydration_value(&anonymous)],
                to: [html(me), hydration_value(me)],
            }
        }

        /// The page with this visitor's header, or `None` when the page does not hold the
        /// anonymous header exactly once, or its hydration value more than once (then it
        /// must be rendered for them).
        pub fn apply(&self, page: &[u8]) -> Option<Vec<u8>> {
            // Where each part is: (offset, index into from/to).
            let mut found: Vec<(usize, usize)> = Vec::with_capacity(2);
            for (i, from) in self.from.iter().enumerate() {
                let mut hits = memchr::memmem::find_iter(page, from.as_bytes());
                match (hits.next(), hits.next()) {
                    (Some(at), None) => found.push((at, i)),
                    // The hydration value may be absent; the header may not.
                    (None, _) if i == 1 => {}
                    _ => return None,
                }
            }
            found.sort_unstable();
            let grow: usize = found.iter().map(|&(_, i)| self.to[i].len()).sum();
            let mut out = Vec::with_capacity(page.len() + grow);
            let mut pos = 0;
            for (at, i) in found {
                if at < pos {
                    return None;
                }
                out.extend_from_slice(&page[pos..at]);
                out.extend_from_slice(self.to[i].as_bytes());
                pos = at + self.from[i].len();
            }
            out.extend_from_slice(&page[pos..]);
            Some(out)
        }
    }

    /// The value as Leptos writes a resolved resource into the page for hydration: the JSON
    /// with `<` escaped, as a quoted JS string (`hydration_context`'s own formatting).
    fn hydration_value(me: &Me) -> String {
        let json = serde_json::to_string(me).unwrap_or_default();
        format!("{:?}", json.replace('<', "\\u003c"))
    }
}

/// The header block for `me`. Every text in it is escaped here (names are what people typed).
pub fn html(me: &Me) -> String {
    use html_escape::encode_text as text;
    let mut out = String::with_capacity(256);
    if me.store {
        out.push_str(&format!(
            "<a href=\"/cart\" class=\"cartlink\" data-testid=\"cart-link\">Cart\
             <span class=\"cartlink__count\" data-testid=\"cart-count\">{}</span></a>",
            me.cart_count
        ));
    }
    match &me.session {
        Some(s) => {
            match s.role.as_str() {
                "hub_admin" => out.push_str(
                    "<a href=\"/admin/catalog\">Catalog</a><a href=\"/admin/resellers\">Resellers</a>\
                     <a href=\"/admin/distributors\">Distributors</a><a href=\"/admin/rfqs\">RFQs</a>\
                     <a href=\"/admin/mail\">Mail</a>",
                ),
                "distributor_admin" | "distributor_staff" => {
                    out.push_str(
                        "<a href=\"/console/partner\">Partner console</a>\
                         <a href=\"/console/partner/rfqs\">Quote requests</a>",
                    )
                }
                "reseller_admin" | "reseller_staff" => {
                    out.push_str(
                        "<a href=\"/console/store\">My store</a>\
                         <a href=\"/console/rfqs\">Quote requests</a>",
                    )
                }
                _ => {}
            }
            let initial = s.name.chars().next().unwrap_or('?').to_string();
            out.push_str(&format!(
                "<a href=\"/account\" class=\"account-chip\" data-testid=\"account-chip\">\
                 <span class=\"account-chip__avatar\" aria-hidden=\"true\">{}</span>\
                 <span>{}</span></a>",
                text(&initial),
                text(&s.name)
            ));
        }
        None => {
            out.push_str("<a href=\"/login\" data-testid=\"login-link\">Log in</a>");
            out.push_str(if me.hub {
                "<a href=\"/partners/apply\" class=\"button button--small\">Become a partner</a>"
            } else {
                "<a href=\"/signup\" class=\"button button--small\">Create account</a>"
            });
        }
    }
    out
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn session(name: &str, role: &str) -> SessionInfo {
        SessionInfo {
            name: name.into(),
            email: "x@example.com".into(),
            role: role.into(),
            tenant_name: "Acme".into(),
            tenant_kind: "reseller".into(),
            tenant_status: "approved".into(),
        }
    }

    #[test]
    fn names_are_escaped_in_the_header() {
        let me = Me {
            session: Some(session("<img src=x onerror=alert(1)>", "customer")),
            cart_count: 2,
            store: true,
            hub: false,
        };
        let h = html(&me);
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"), "{h}");
        assert!(h.contains(">2</span>"), "{h}");
    }

    #[test]
    fn a_kept_page_gets_the_visitors_header_and_hydration_value() {
        let me = Me {
            session: Some(session("Dana </script>", "customer")),
            cart_count: 3,
            store: true,
            hub: false,
        };
        let anon = me.anonymous();
        let json = serde_json::to_string(&anon).unwrap();
        let page = format!(
            "<header><nav><span class=\"topbar__me\">{}</span></nav></header><main>x</main>\
             <script>__RESOLVED_RESOURCES=[0: {:?},];</script>",
            html(&anon),
            json
        );
        let out = String::from_utf8(Splice::new(&me).apply(page.as_bytes()).unwrap()).unwrap();
        assert!(out.contains(&html(&me)), "{out}");
        assert!(!out.contains("login-link"), "{out}");
        assert!(out.contains("\\\"cart_count\\\":3"), "{out}");
        // The name's `</script>` cannot end the hydration script.
        assert!(!out.contains("Dana </script>"), "{out}");
        assert!(out.contains("<main>x</main>"), "{out}");
    }

    #[test]
    fn a_page_without_the_anonymous_header_exactly_once_is_not_spliced() {
        let me = Me {
            session: Some(session("Dana", "customer")),
            cart_count: 1,
            store: true,
            hub: false,
        };
        let anon = me.anonymous();
        let value = format!("{:?}", serde_json::to_string(&anon).unwrap());
        let twice = format!("{}{}{value}", html(&anon), html(&anon));
        assert!(Splice::new(&me).apply(twice.as_bytes()).is_none());
        let value_twice = format!("{value}{}{value}", html(&anon));
        assert!(Splice::new(&me).apply(value_twice.as_bytes()).is_none());
        let no_header = format!("<main>x</main>{value}");
        assert!(Splice::new(&me).apply(no_header.as_bytes()).is_none());
    }

    #[test]
    fn a_storefront_page_without_a_hydration_value_gets_the_header_alone() {
        let me = Me {
            session: None,
            cart_count: 4,
            store: true,
            hub: false,
        };
        let anon = me.anonymous();
        let page = format!("<nav>{}</nav><main>x</main>", html(&anon));
        let out = String::from_utf8(Splice::new(&me).apply(page.as_bytes()).unwrap()).unwrap();
        assert_eq!(out, format!("<nav>{}</nav><main>x</main>", html(&me)));
        assert!(out.contains(">4</span>"), "{out}");
    }
}
