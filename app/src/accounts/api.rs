//! Sign-up, log-in, log-out and password change. Log-in works on every host, against that
//! host's tenant only; the session cookies it sets are host-only.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
#[cfg(feature = "ssr")]
use tenants::access::{HubVisitor, Member, Visitor};

/// The signed-in user, as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub name: String,
    pub email: String,
    /// e.g. `reseller_admin`
    pub role: String,
    pub tenant_name: String,
    /// `hub`, `reseller` or `distributor`
    pub tenant_kind: String,
    /// `pending`, `approved` or `suspended`
    pub tenant_status: String,
}

/// The answer to a reseller application.
#[cfg(not(feature = "shop"))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub company: String,
    pub slug: String,
    /// Where the new reseller logs in: its own subdomain.
    pub login_url: String,
}

/// Whether a store address can be taken.
#[cfg(not(feature = "shop"))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlugCheck {
    pub slug: String,
    pub available: bool,
    pub message: String,
}

#[cfg(feature = "ssr")]
pub(crate) fn info(
    name: &str,
    email: &str,
    role: tenants::auth::Role,
    tenant: &tenants::Tenant,
) -> SessionInfo {
    SessionInfo {
        name: name.to_owned(),
        email: email.to_owned(),
        role: role.as_str().to_owned(),
        tenant_name: tenant.name().to_owned(),
        tenant_kind: tenant.kind().as_str().to_owned(),
        tenant_status: tenant.status().as_str().to_owned(),
    }
}

/// Starts a session for `user` (who just proved who they are), sets its cookies on the
/// response and describes it.
#[cfg(feature = "ssr")]
async fn sign_in(
    db: &tenants::TenantDb,
    user: &tenants::auth::User,
) -> Result<SessionInfo, ApiError> {
    let state = crate::context::app_state()?;
    let issued = tenants::auth::sessions::start(db, &state.keys, user).await?;
    set_cookies(crate::session::set_cookies(&issued));
    // A guest cart at this store becomes part of the customer's cart.
    if user.role == tenants::auth::Role::Customer
        && let Some(parts) = use_context::<http::request::Parts>()
        && let Some(guest) = crate::session::read_cart(&parts.headers)
    {
        tenants::catalog::cart::merge(db, guest, user.id).await?;
        set_cookies(vec![crate::session::clear_cart_cookie()]);
    }
    Ok(info(&user.name, &user.email, user.role, db.tenant()))
}

#[cfg(feature = "ssr")]
fn set_cookies(cookies: Vec<String>) {
    use leptos_axum::ResponseOptions;
    if let Some(res) = use_context::<ResponseOptions>() {
        for c in cookies {
            if let Ok(v) = http::HeaderValue::from_str(&c) {
                res.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
}

/// What every page's frame shows: whose site this is (the same for every visitor; who is
/// signed in is `me::Me`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub name: String,
    /// `hub`, `reseller` or `distributor`
    pub kind: String,
    pub status: String,
    /// The store's branding (resellers and the hub's own store).
    pub theme: Option<crate::storefront::api::Theme>,
}

/// Public: the host's tenant (name, kind, status: what its pages show anyway) and its
/// branding; the same for every visitor.
#[server(prefix = "/api", endpoint = "site", input = GetUrl, output = crate::codec::Answer)]
pub async fn site_context() -> Result<SiteInfo, ApiError> {
    use crate::context::run;
    run(|v: Visitor| async move {
        Ok(SiteInfo {
            name: v.tenant().name().to_owned(),
            kind: v.tenant().kind().as_str().to_owned(),
            status: v.tenant().status().as_str().to_owned(),
            theme: match crate::context::caller()?.shopper() {
                Ok(shopper) => crate::storefront::api::storefront(&shopper)
                    .await
                    .ok()
                    .map(|(sf, _)| crate::storefront::api::theme(&sf)),
                Err(_) => None,
            },
        })
    })
    .await
}

/// Public: logs in with an e-mail and password of this host's tenant.
#[cfg(not(feature = "shop"))]
#[server(prefix = "/api", endpoint = "auth/login", output = crate::codec::Answer)]
pub async fn log_in(email: String, password: String) -> Result<SessionInfo, ApiError> {
    use tenants::auth::users::{self, LoginError};

    use crate::context::{app_state, request_ctx, run};
    run(|v: Visitor| async move {
        let state = app_state()?;
        let client = request_ctx()
            .map(|c| c.client_ip)
            .ok_or(ApiError::Unauthenticated)?;
        let user = users::log_in(v.db(), &state.throttle, client, &email, &password)
            .await
            .map_err(|e| match e {
                LoginError::Invalid => ApiError::BadCredentials,
                LoginError::Throttled { retry_after } => ApiError::TooManyAttempts {
                    retry_after_secs: retry_after.as_secs().max(1),
                },
                LoginError::Other(e) => e.into(),
            })?;
        tracing::info!(user = %user.id, "logged in");
        sign_in(v.db(), &user).await
    })
    .await
}

/// Public: ends this browser's session (revoked at once) and clears its cookies. Without a
/// session it only clears cookies.
#[cfg(not(feature = "shop"))]
#[server(prefix = "/api", endpoint = "auth/logout", output = crate::codec::Answer)]
pub async fn log_out() -> Result<(), ApiError> {
    use crate::context::{principal, run};
    run(|v: Visitor| async move {
        if let Some(p) = principal() {
            tenants::auth::sessions::revoke(v.db(), p.session_id).await?;
        }
        set_cookies(crate::session::clear_cookies());
        Ok(())
    })
    .await
}

/// Public: a customer creates an account at this store (the hub's own store or an approved
/// reseller's) and is signed in.
#[cfg(not(feature = "shop"))]
#[server(prefix = "/api", endpoint = "auth/signup", output = crate::codec::Answer)]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
) -> Result<SessionInfo, ApiError> {
    use crate::context::run;
    run(|v: Visitor| async move {
        let user = tenants::auth::signup::customer(v.db(), &email, &name, &password).await?;
        sign_in(v.db(), &user).await
    })
    .await
}

/// Public, hub host only: a company applies to become a reseller. Creates the pending
/// reseller and its admin account; the hub admin approves it later.
#[cfg(not(feature = "shop"))]
#[server(prefix = "/api", endpoint = "partners/apply", output = crate::codec::Answer)]
pub async fn apply_as_reseller(
    company: String,
    slug: String,
    name: String,
    email: String,
    password: String,
) -> Result<Application, ApiError> {
    use tenants::auth::signup::{self, ResellerApplication};

    use crate::context::{app_state, run, store_url};
    run(|v: HubVisitor| async move {
        let state = app_state()?;
        let (tenant, _) = signup::reseller(
            &state.db,
            v.tenant(),
            ResellerApplication {
                company: &company,
                slug: &slug,
                name: &name,
                email: &email,
                password: &password,
            },
        )
        .await?;
        // A visit to the new address just before the application left "no store here" in
        // this process's host cache: forget it.
        state.registry.invalidate(&tenant).await;
        tracing::info!(tenant = %tenant.id(), slug = tenant.slug(), "reseller applied");
        Ok(Application {
            company: tenant.name().to_owned(),
            slug: tenant.slug().to_owned(),
            login_url: store_url(tenant.slug(), "/login"),
        })
    })
    .await
}

/// Public, hub host only: whether a store address is valid and free, for checking as the
/// applicant types.
#[cfg(not(feature = "shop"))]
#[server(prefix = "/api", endpoint = "partners/slug-check", input = GetUrl, output = crate::codec::Answer)]
pub async fn check_slug(slug: String) -> Result<SlugCheck, ApiError> {
    use crate::context::{app_state, run};
    run(|_v: HubVisitor| async move {
        let state = app_state()?;
        let normalised = slug.trim().to_ascii_lowercase();
        Ok(
            match tenants::registry::slug_available(&state.db, &slug).await {
                Ok(()) => SlugCheck {
                    message: format!("{normalised} is available"),
                    slug: normalised,
                    available: true,
                },
                Err(tenants::Error::Validation { message, .. })
                | Err(tenants::Error::Conflict(message)) => SlugCheck {
                    slug: normalised,
                    available: false,
                    message,
                },
                Err(e) => return Err(e.into()),
            },
        )
    })
    .await
}

/// Signed-in users of any role: changes the password after checking the current one. Every
/// session of the user is revoked; this browser gets a fresh one.
#[cfg(not(feature = "shop"))]
#[server(prefix = "/api", endpoint = "account/password", output = crate::codec::Answer)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    use crate::context::{app_state, request_ctx, run};
    run(|m: Member| async move {
        let state = app_state()?;
        let client = request_ctx()
            .map(|c| c.client_ip)
            .ok_or(ApiError::Unauthenticated)?;
        let user = tenants::auth::users::change_password(
            m.db(),
            &state.throttle,
            client,
            m.principal(),
            &current_password,
            &new_password,
        )
        .await?;
        sign_in(m.db(), &user).await?;
        tracing::info!(user = %m.principal().user_id, "password changed; other sessions revoked");
        Ok(())
    })
    .await
}
