//! The demo catalog: about 200 products in 10 categories, each with a generated product image,
//! imported through the same CSV import the hub admin uses; and the demo stores' branding,
//! selection, pricing and overrides, published through the same call as the store wizard.

use std::sync::Arc;

use tenants::catalog::csv_io;
use tenants::catalog::master::{self, CategoryInput};
use tenants::catalog::media::Media;
use tenants::catalog::money::{PricingRule, Rounding};
use tenants::catalog::store::{
    self, Branding, BrandingInput, OverrideInput, Selection, StoreSetup,
};
use tenants::{Database, Error, Tenant};

/// (slug, name, parent slug, product kinds with a base price in cents)
type CategorySpec = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, i64)],
);

const CATEGORIES: [CategorySpec; 10] = [
    ("power-tools", "Power Tools", None, &[]),
    (
        "drills-drivers",
        "Drills & Drivers",
        Some("power-tools"),
        &[
            ("Cordless Drill", 8900),
            ("Impact Driver", 11900),
            ("Hammer Drill", 13900),
            ("Drill Driver Kit", 15900),
        ],
    ),
    (
        "saws",
        "Saws",
        Some("power-tools"),
        &[
            ("Circular Saw", 12900),
            ("Jigsaw", 7900),
            ("Reciprocating Saw", 10900),
            ("Mitre Saw", 24900),
        ],
    ),
    (
        "hand-tools",
        "Hand Tools",
        None,
        &[
            ("Claw Hammer", 2400),
            ("Screwdriver Set", 1900),
            ("Adjustable Wrench", 1600),
            ("Utility Knife", 900),
        ],
    ),
    (
        "fasteners",
        "Fasteners",
        None,
        &[
            ("Wood Screws", 699),
            ("Hex Bolts", 899),
            ("Wall Anchors", 549),
            ("Washers", 399),
        ],
    ),
    (
        "safety",
        "Safety Gear",
        None,
        &[
            ("Safety Glasses", 1290),
            ("Work Gloves", 990),
            ("Ear Defenders", 2490),
            ("Hard Hat", 1990),
        ],
    ),
    (
        "electrical",
        "Electrical",
        None,
        &[
            ("Extension Reel", 3490),
            ("Voltage Tester", 1790),
            ("Cable Ties", 490),
            ("Junction Box", 690),
        ],
    ),
    (
        "garden",
        "Garden",
        None,
        &[
            ("Pruning Shears", 2290),
            ("Garden Hose", 3990),
            ("Leaf Rake", 1890),
            ("Spade", 2790),
        ],
    ),
    (
        "storage",
        "Storage",
        None,
        &[
            ("Tool Box", 3490),
            ("Parts Organiser", 1990),
            ("Wall Rail", 2490),
            ("Rolling Cabinet", 18900),
        ],
    ),
    (
        "lighting",
        "Lighting",
        None,
        &[
            ("LED Work Light", 4490),
            ("Head Torch", 2190),
            ("Inspection Lamp", 2990),
            ("Site Floodlight", 8990),
        ],
    ),
];

const VARIANTS: [(&str, i64, &str); 5] = [
    ("Compact", 85, "Light and easy to handle in tight spaces."),
    (
        "Pro",
        125,
        "Built for daily use on site, with a reinforced body.",
    ),
    ("XL", 140, "Extra capacity for the big jobs."),
    (
        "Eco",
        90,
        "Made with 60 % recycled material and shipped without plastic.",
    ),
    (
        "Classic",
        100,
        "The dependable original, unchanged for years because it works.",
    ),
];

/// A 320×320 PNG: the category's hue, a lighter disc and a band for the variant.
fn product_png(hue: u32, variant: usize) -> Vec<u8> {
    let (w, h) = (320_u32, 320_u32);
    let base = hsl(hue, 45, 88);
    let disc = hsl(hue, 55, 62);
    let band = hsl((hue + 30 * variant as u32) % 360, 50, 40);
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as i64 - 160, y as i64 - 150);
            let c = if y > 262 && y < 282 && x > 60 && x < 260 {
                band
            } else if dx * dx + dy * dy < 95 * 95 {
                disc
            } else {
                base
            };
            data.extend_from_slice(&c);
        }
    }
    encode_png(w, h, &data)
}

fn logo_png(rgb: [u8; 3]) -> Vec<u8> {
    let (w, h) = (96_u32, 96_u32);
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let ring = {
                let (dx, dy) = (x as i64 - 48, y as i64 - 48);
                let d = dx * dx + dy * dy;
                (26 * 26..34 * 34).contains(&d)
            };
            data.extend_from_slice(if ring { &[255, 255, 255] } else { &rgb });
        }
    }
    encode_png(w, h, &data)
}

fn encode_png(w: u32, h: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        if let Ok(mut writer) = enc.write_header() {
            let _ = writer.write_image_data(rgb);
        }
    }
    out
}

fn hsl(h: u32, s: u32, l: u32) -> [u8; 3] {
    // Integer HSL → RGB, good enough for swatches.
    let (h, s, l) = (h as i64, s as i64, l as i64);
    let c = (100 - (2 * l - 100).abs()) * s / 100; // 0..100
    let hp = h * 100 / 60; // sector ×100
    let x = c * (100 - ((hp % 200) - 100).abs()) / 100;
    let (r, g, b) = match h / 60 {
        0 => (c, x, 0),
        1 => (x, c, 0),
        2 => (0, c, x),
        3 => (0, x, c),
        4 => (x, 0, c),
        _ => (c, 0, x),
    };
    let m = l - c / 2;
    let to = |v: i64| (((v + m) * 255) / 100).clamp(0, 255) as u8;
    [to(r), to(g), to(b)]
}

/// SKU prefixes, one per category (in CATEGORIES order).
const CODES: [&str; 10] = [
    "PWR", "DRL", "SAW", "HND", "FST", "SAF", "ELE", "GRD", "STO", "LIT",
];

/// Creates the demo catalog if the hub has no products yet. Answers how many it created.
pub async fn catalog(db: &Database, hub: &Tenant, media: &Media) -> Result<usize, Error> {
    let hdb = tenants::access::operator(db, hub);
    let existing = master::list_products(
        &hdb,
        &master::ProductQuery {
            per_page: 1,
            ..Default::default()
        },
    )
    .await?;
    if existing.total > 0 {
        return Ok(0);
    }
    let mut ids = std::collections::HashMap::new();
    for (position, (slug, name, parent, _)) in (1..).zip(CATEGORIES) {
        let c = master::save_category(
            &hdb,
            None,
            &CategoryInput {
                name: name.into(),
                slug: slug.into(),
                parent: parent
                    .and_then(|p| ids.get(p).map(|id: &tenants::CategoryId| id.to_string()))
                    .unwrap_or_default(),
                position,
            },
        )
        .await?;
        ids.insert(slug, c.id);
    }
    let mut csv =
        String::from("sku,name,description,price,currency,category,status,attributes,image\n");
    let mut n = 0;
    for (ci, (slug, cname, _, kinds)) in CATEGORIES.iter().enumerate() {
        let hue = (ci as u32 * 37) % 360;
        for (ki, (kind, base)) in kinds.iter().enumerate() {
            for (vi, (variant, pct, blurb)) in VARIANTS.iter().enumerate() {
                n += 1;
                let image = media
                    .store_image(&product_png(hue, vi + ki), Some("image/png"))
                    .await?;
                let price = base * pct / 100;
                let sku = format!("{}-{}{}", CODES[ci], ki + 1, vi + 1);
                let desc = format!(
                    "**{variant} {kind}** for trade and home use. {blurb}\n\n- Part of our *{cname}* range\n- 2-year warranty\n- Spare parts available for 10 years"
                );
                csv.push_str(&format!(
                    "{sku},\"{variant} {kind}\",\"{}\",{}.{:02},EUR,{slug},active,\"Brand=Hubline; Warranty=2 years; Range={variant}\",{image}\n",
                    desc.replace('"', "\"\""),
                    price / 100,
                    price % 100
                ));
            }
        }
    }
    let progress: csv_io::ProgressFn = Arc::new(|_| {});
    csv_io::import(&hdb, csv.into_bytes(), progress)
        .await
        .map_err(|e| match e {
            csv_io::ImportError::Other(e) => e,
            other => Error::Validation {
                field: "catalog",
                message: other.to_string(),
            },
        })?;
    Ok(n)
}

pub struct StoreLook {
    pub tagline: &'static str,
    pub hero: &'static str,
    pub primary: &'static str,
    pub accent: &'static str,
    pub font: &'static str,
    pub logo_rgb: [u8; 3],
    pub markup: &'static str,
    pub rounding: Rounding,
    /// Category slugs; empty means everything.
    pub categories: &'static [&'static str],
    pub overrides: &'static [(&'static str, &'static str, &'static str)],
}

pub const ACME: StoreLook = StoreLook {
    tagline: "Tools and supplies for serious makers, delivered by your local partner.",
    hero: "Everything your workshop needs",
    primary: "#0b5d3b",
    accent: "#9a3412",
    font: "humanist",
    logo_rgb: [11, 93, 59],
    markup: "15",
    rounding: Rounding::Ends99,
    categories: &[],
    overrides: &[
        ("DRL-21", "featured", "yes"),
        ("SAW-12", "featured", "yes"),
        ("HND-11", "featured", "yes"),
        ("LIT-12", "featured", "yes"),
        ("DRL-22", "name", "Acme Pro Impact Driver"),
        ("HND-12", "price", "28.00"),
        ("FST-45", "hidden", "yes"),
    ],
};

pub const BOLT: StoreLook = StoreLook {
    tagline: "Fixings, power tools and safety kit for the trade.",
    hero: "Built for the trade",
    primary: "#1e3a8a",
    accent: "#b91c1c",
    font: "geometric",
    logo_rgb: [30, 58, 138],
    markup: "5",
    rounding: Rounding::Whole,
    categories: &["power-tools", "fasteners", "safety"],
    overrides: &[
        ("FST-12", "featured", "yes"),
        ("SAF-22", "featured", "yes"),
        ("DRL-12", "featured", "yes"),
        ("SAF-32", "sort", "-5"),
    ],
};

/// Publishes a demo store unless it has settings already.
pub async fn store(
    db: &Database,
    hub: &Tenant,
    tenant: &Tenant,
    look: &StoreLook,
    media: &Media,
) -> Result<bool, Error> {
    let sdb = tenants::access::operator(db, tenant);
    if store::settings(&sdb).await?.is_some() {
        return Ok(false);
    }
    let hdb = tenants::access::operator(db, hub);
    let logo = media
        .store_image(&logo_png(look.logo_rgb), Some("image/png"))
        .await?;
    let branding = Branding::parse(&BrandingInput {
        tagline: look.tagline.into(),
        hero_text: look.hero.into(),
        primary_color: look.primary.into(),
        accent_color: look.accent.into(),
        font: look.font.into(),
        logo,
    })?;
    let cats = master::categories(&hdb).await?;
    let selection = Selection {
        all: look.categories.is_empty(),
        include_categories: cats
            .iter()
            .filter(|c| look.categories.contains(&c.slug.as_str()))
            .map(|c| c.id)
            .collect(),
        ..Default::default()
    };
    let view = tenants::access::MasterView::of_hub(&hdb)?;
    let policy = store::policy(&view).await?;
    let pricing = PricingRule::new(store::parse_markup(look.markup)?, look.rounding)?;
    store::check_pricing(&pricing, &policy)?;
    let inputs: Vec<OverrideInput> = look
        .overrides
        .iter()
        .map(|(sku, field, value)| OverrideInput {
            sku: (*sku).into(),
            field: (*field).into(),
            value: (*value).into(),
        })
        .collect();
    let overrides = store::check_overrides(&view, &inputs, &policy).await?;
    store::publish(
        &sdb,
        &StoreSetup {
            branding,
            selection,
            pricing,
            overrides,
        },
    )
    .await?;
    Ok(true)
}
