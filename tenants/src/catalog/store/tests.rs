//! Branding, pricing and override checks.

use super::*;
use crate::catalog::money::Currency;

#[test]
fn contrast_and_colours() {
    assert_eq!(contrast_x100("#000000", "#ffffff"), 2100);
    assert!(contrast_x100("#1f3a5f", "#ffffff") >= MIN_CONTRAST_X100);
    assert!(contrast_x100("#ffdd00", "#ffffff") < 200);
    let e = parse_color("#12345g", "primary_color").unwrap_err();
    assert!(
        matches!(&e, Error::Validation { field: "primary_color", message }
            if message == "'#12345g' is not a colour like #1a4f8b"),
        "{e}"
    );
    for bad in ["12345f", "#12345", "#1234567", "#abc"] {
        assert!(
            matches!(
                parse_color(bad, "c"),
                Err(Error::Validation { field: "c", .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(parse_color(" #ABCDEF ", "c").unwrap(), "#abcdef");
    let input = BrandingInput {
        primary_color: "#ffdd00".into(),
        accent_color: "#b4461f".into(),
        font: "serif".into(),
        ..Default::default()
    };
    let err = Branding::parse(&input).unwrap_err().to_string();
    assert!(
        err.contains("primary_color") && err.contains("contrast"),
        "{err}"
    );
}

#[test]
fn markups_parse_and_respect_the_policy() {
    assert_eq!(parse_markup("15").unwrap(), 1500);
    assert_eq!(parse_markup("12.5 %").unwrap(), 1250);
    assert_eq!(parse_markup("-5").unwrap(), -500);
    for bp in [1500, 1250, 1205, -500, 0] {
        assert_eq!(parse_markup(&markup_text(bp)).unwrap(), bp);
    }
    assert_eq!(format_bp(1250), "+12.5 %");
    assert_eq!(format_bp(-500), "-5 %");
    for bad in ["abc", "1.234", "12,5", "--5", "12345"] {
        let e = parse_markup(bad).unwrap_err();
        let want = format!("'{bad}' is not a percentage like 15 or 12.5");
        assert!(
            matches!(&e, Error::Validation { field: "markup", message } if *message == want),
            "{bad}: {e}"
        );
    }
    let p = Policy::default();
    assert!(check_pricing(&PricingRule::new(5000, Rounding::None).unwrap(), &p).is_ok());
    let e = check_pricing(&PricingRule::new(6000, Rounding::None).unwrap(), &p).unwrap_err();
    assert!(e.to_string().contains("160 %"), "{e}");
}

#[test]
fn overrides_name_product_field_and_range() {
    let p = Product {
        id: ProductId::generate(),
        sku: "DR-1".into(),
        name: "Drill".into(),
        description: String::new(),
        price: Money::new(10_000, Currency::parse("EUR").unwrap()),
        category: None,
        status: super::super::master::ProductStatus::Active,
        attributes: vec![],
        image: None,
        updated_at: Utc::now(),
    };
    let policy = Policy::default();
    assert_eq!(
        check_override(&p, Field::Price, "120", &policy).unwrap(),
        Value::Price(12_000)
    );
    let e = check_override(&p, Field::Price, "200", &policy)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("DR-1") && e.contains("price") && e.contains("€90.00") && e.contains("€150.00"),
        "{e}"
    );
    let locked = Policy {
        locked: vec![Field::Name],
        ..Policy::default()
    };
    let e = check_override(&p, Field::Name, "Better drill", &locked)
        .unwrap_err()
        .to_string();
    assert!(e.contains("DR-1") && e.contains("locked"), "{e}");
    let e = check_override(&p, Field::Featured, "maybe", &policy).unwrap_err();
    assert!(
        matches!(&e, Error::Validation { field: "overrides", message }
            if message == "DR-1 \u{201c}Drill\u{201d}: featured must be yes or no"),
        "{e}"
    );
}
