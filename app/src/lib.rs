//! The hub's user interface: pages, components and the server functions they call.
//! Built twice: with `ssr` into the server, with `hydrate` into the browser's wasm.

pub mod accounts;
#[cfg(not(feature = "shop"))]
pub mod catalog;
pub mod codec;
mod components;
#[cfg(feature = "ssr")]
pub mod context;
pub mod error;
pub mod mail;
#[cfg(not(feature = "shop"))]
pub mod orders;
#[cfg(not(feature = "shop"))]
pub mod partner_console;
pub mod partners;
#[cfg(not(feature = "shop"))]
pub mod quotes;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(not(feature = "shop"))]
pub mod store_console;
pub mod storefront;
#[cfg(not(feature = "shop"))]
pub mod upload;

use leptos::prelude::*;
#[cfg(not(feature = "shop"))]
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
#[cfg(not(feature = "shop"))]
use leptos_router::components::{Route, Router, Routes};
#[cfg(not(feature = "shop"))]
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

pub use error::ApiError;

/// The HTML document around the app, rendered on the server.
///
/// A storefront page is static HTML with a few interactive islands (`#[island]`: add to
/// cart, the cart, the sort order, the partner form, the hydration mark): it loads the shop
/// bundle, which holds only those, and hydrates only them. Any other page (the consoles,
/// log-in, the order pages) loads the whole app and hydrates the whole page.
#[cfg(not(feature = "shop"))]
pub fn shell(mut options: LeptosOptions) -> impl IntoView {
    let shop = use_context::<http::request::Parts>().is_some_and(|p| is_shop_page(p.uri.path()));
    if shop {
        options.output_name = format!("{}-shop", options.output_name).into();
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=shop/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The text of `<title>` as it goes into the server's HTML. leptos_meta writes the title
/// into the document head as raw text (it escapes the body, meta attributes, but not this),
/// and titles carry names people typed and search queries from the URL; so every title is
/// escaped here, in the one formatter all pages share. In the browser the title is set as
/// text (`document.title`) and needs nothing.
#[cfg(feature = "ssr")]
fn head_title(text: String) -> String {
    html_escape::encode_text(&text).into_owned()
}

#[cfg(not(any(feature = "ssr", feature = "shop")))]
fn head_title(text: String) -> String {
    text
}

/// Every page: what the server renders, and what the console bundle hydrates.
#[cfg(not(feature = "shop"))]
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // The formatter for every page's `<Title text=…/>`: pages set only the text.
        <Title formatter=head_title/>
        <Stylesheet id="leptos" href="/pkg/hub.css"/>
        <Router>
            <AppRoutes/>
        </Router>
    }
}

/// Every page. The server renders with these, and so does the console bundle (the shop
/// bundle has no router: a storefront page hydrates only its islands).
#[cfg(not(feature = "shop"))]
#[component]
fn AppRoutes() -> impl IntoView {
    view! {
            <Routes fallback=components::not_found::NotFound>
            // Async: the whole page is rendered once its data is loaded, so the HTML is
            // complete without JavaScript and hydration starts from settled data.
            <Route path=StaticSegment("") view=partners::HomePage ssr=SsrMode::Async/>
            <Route path=StaticSegment("login") view=accounts::LoginPage ssr=SsrMode::Async/>
            <Route path=StaticSegment("signup") view=accounts::SignUpPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("partners"), StaticSegment("apply")) view=accounts::ApplyPage ssr=SsrMode::Async/>
            <Route path=StaticSegment("account") view=accounts::AccountPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("resellers")) view=partners::ResellersPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("distributors")) view=partners::DistributorsPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("mail")) view=mail::MailPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("partner")) view=partner_console::PartnerConsolePage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("partner"), StaticSegment("orders")) view=orders::PartnerOrdersPage ssr=SsrMode::Async/>
            // Cart transfer and the customer's orders (store hosts).
            <Route path=(StaticSegment("cart"), StaticSegment("transfer")) view=orders::TransferPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("orders"), ParamSegment("id")) view=orders::OrderPage ssr=SsrMode::Async/>
            <Route path=StaticSegment("orders") view=orders::MyOrdersPage ssr=SsrMode::Async/>
            // The storefront (every store host, and the hub's own store on the bare domain).
            <Route path=(StaticSegment("c"), ParamSegment("slug")) view=storefront::CategoryPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("p"), ParamSegment("sku")) view=storefront::ProductPage ssr=SsrMode::Async/>
            <Route path=StaticSegment("search") view=storefront::SearchPage ssr=SsrMode::Async/>
            <Route path=StaticSegment("cart") view=storefront::CartPage ssr=SsrMode::Async/>
            // The hub admin's catalog console.
            <Route path=(StaticSegment("admin"), StaticSegment("catalog")) view=catalog::CatalogPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("catalog"), StaticSegment("new")) view=catalog::ProductEditorPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("catalog"), StaticSegment("products"), ParamSegment("id")) view=catalog::ProductEditorPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("catalog"), StaticSegment("categories")) view=catalog::CategoriesPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("catalog"), StaticSegment("policy")) view=catalog::PolicyPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("catalog"), StaticSegment("import")) view=catalog::ImportPage ssr=SsrMode::Async/>
            // The reseller's console.
            <Route path=(StaticSegment("console"), StaticSegment("store")) view=store_console::StoreWizardPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("catalog")) view=store_console::StoreCatalogPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("orders")) view=orders::StoreOrdersPage ssr=SsrMode::Async/>
            // Quote requests: the reseller's, the distributor's, the hub's view of them.
            <Route path=(StaticSegment("console"), StaticSegment("rfqs")) view=quotes::BuyerRfqsPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("rfqs"), ParamSegment("id")) view=quotes::BuyerRfqPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("partner"), StaticSegment("rfqs")) view=quotes::SellerRfqsPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("console"), StaticSegment("partner"), StaticSegment("rfqs"), ParamSegment("id")) view=quotes::SellerRfqPage ssr=SsrMode::Async/>
            <Route path=(StaticSegment("admin"), StaticSegment("rfqs")) view=quotes::RfqActivityPage ssr=SsrMode::Async/>
        </Routes>
    }
}

/// Whether the page at `path` is a storefront page: islands and the shop bundle.
pub fn is_shop_page(path: &str) -> bool {
    matches!(path, "/" | "/search" | "/cart") || path.starts_with("/c/") || path.starts_with("/p/")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn titles_are_escaped_for_the_head() {
        assert_eq!(
            super::head_title("</title><script>x()</script> & more".into()),
            "&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; &amp; more"
        );
    }
}

/// Marks `<body data-hydrated>` once the browser has taken over the server's HTML, so tests
/// (and curious people) can tell a hydrated page from a static one. Rendered last in a page:
/// hydration runs in document order (islands too), so everything before it is interactive
/// by then. An island, so that a storefront page (islands only) is marked as well.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
