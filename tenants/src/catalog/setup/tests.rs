//! The wizard's rules, each refusal with its field and message.

use super::*;
use crate::catalog::snapshot::master_for_tests;

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::parse("EUR").expect("EUR"))
}

fn category(name: &str, parent: Option<CategoryId>, position: i32) -> Category {
    Category {
        id: CategoryId::generate(),
        parent,
        slug: name.to_lowercase(),
        name: name.to_owned(),
        position,
    }
}

/// The field and message of a validation error.
fn invalid<T: std::fmt::Debug>(r: Result<T>) -> (&'static str, String) {
    match r {
        Err(Error::Validation { field, message }) => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn strings(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn an_unknown_or_malformed_sku_is_named_on_selection() {
    let master = master_for_tests(&[("A-1", eur(1_000))]);
    let input = SetupInput {
        include_products: strings(&["a-1", "NOPE-9"]),
        ..Default::default()
    };
    assert_eq!(
        invalid(selection(&master, &input)),
        (
            "selection",
            "there is no product NOPE-9 in the catalog".to_owned()
        )
    );
    let input = SetupInput {
        exclude_products: strings(&["bad sku"]),
        select_all: true,
        ..Default::default()
    };
    assert_eq!(
        invalid(selection(&master, &input)),
        (
            "selection",
            "SKU 'bad sku': use letters, digits and - _ . / only".to_owned()
        )
    );
}

#[test]
fn a_category_both_included_and_excluded_is_refused_by_name() {
    let shoes = category("Shoes", None, 0);
    let hats = category("Hats", None, 1);
    let input = SetupInput {
        include_categories: vec![hats.id.to_string(), shoes.id.to_string()],
        exclude_categories: vec![format!(" {} ", shoes.id)],
        ..Default::default()
    };
    let cats = [shoes, hats];
    assert_eq!(
        invalid(choose(&cats, |_| None, &input)),
        (
            "selection",
            "Shoes is both included and excluded; choose one".to_owned()
        )
    );
}

#[test]
fn a_product_both_included_and_excluded_is_refused_by_sku() {
    let master = master_for_tests(&[("A-1", eur(1_000)), ("B-2", eur(2_000))]);
    let input = SetupInput {
        include_products: strings(&["B-2", "a-1"]),
        exclude_products: strings(&["A-1"]),
        ..Default::default()
    };
    assert_eq!(
        invalid(selection(&master, &input)),
        (
            "selection",
            "A-1 is both included and excluded; choose one".to_owned()
        )
    );
}

#[test]
fn choosing_nothing_is_refused_unless_selling_everything() {
    let master = master_for_tests(&[("A-1", eur(1_000))]);
    // A category the hub removed since selects nothing.
    let gone = CategoryId::generate().to_string();
    let input = SetupInput {
        include_categories: vec![gone.clone()],
        include_products: strings(&["  "]),
        ..Default::default()
    };
    assert_eq!(
        invalid(selection(&master, &input)),
        (
            "selection",
            "choose at least one category or product to sell, or sell everything".to_owned()
        )
    );
    let all = selection(
        &master,
        &SetupInput {
            select_all: true,
            include_categories: vec![gone],
            ..Default::default()
        },
    )
    .expect("selling everything needs no choice");
    assert!(all.all);
    assert!(all.include_categories.is_empty());
}

#[test]
fn pricing_rule_bounds_and_order_of_errors() {
    let ok = |m: &str| pricing_rule(m, "none").expect(m).markup_bp;
    assert_eq!(ok("-50"), -5_000);
    assert_eq!(ok("400"), 40_000);
    assert_eq!(ok(" 12.5 % "), 1_250);
    assert_eq!(ok(""), 0);
    let range = ("markup", "must be between -50 % and +400 %".to_owned());
    assert_eq!(invalid(pricing_rule("-50.01", "none")), range);
    assert_eq!(invalid(pricing_rule("400.01", "none")), range);
    assert_eq!(invalid(pricing_rule("9999", "whole")), range);
    assert_eq!(
        invalid(pricing_rule("ten", "none")),
        (
            "markup",
            "'ten' is not a percentage like 15 or 12.5".to_owned()
        )
    );
    assert_eq!(
        invalid(pricing_rule("10", "up")),
        ("rounding", "choose a rounding from the list".to_owned())
    );
    // The markup is the earlier input: its problem is reported first.
    assert_eq!(invalid(pricing_rule("ten", "up")).0, "markup");
    // A rounding problem comes before the range.
    assert_eq!(invalid(pricing_rule("500", "up")).0, "rounding");
    assert_eq!(
        pricing_rule("10", " ends_99 ").expect("trimmed").rounding,
        Rounding::Ends99
    );
}

#[test]
fn markup_bounds_follow_the_policy() {
    assert_eq!(markup_bounds_bp(&Policy::default()), (-1_000, 5_000));
}

fn checked(master: Arc<Master>, selection: Selection) -> Checked {
    Checked {
        slug: "store".into(),
        slug_changed: false,
        name: "Store".into(),
        name_changed: false,
        setup: StoreSetup {
            branding: Branding::default(),
            selection,
            pricing: PricingRule::default(),
            overrides: Vec::new(),
        },
        master,
    }
}

#[test]
fn effect_counts_what_the_selection_sells() {
    let master = master_for_tests(&[
        ("A-1", eur(1_000)),
        ("B-2", eur(2_000)),
        ("C-3", eur(3_000)),
    ]);
    let store = TenantId::generate();
    let id = |sku: &str| master.find_sku(sku).expect(sku).id;
    let everything = Selection {
        all: true,
        ..Default::default()
    };
    assert_eq!(
        effect(store, &checked(master.clone(), everything)),
        Effect {
            products: 3,
            categories: 0
        }
    );
    let but_one = Selection {
        all: true,
        exclude_products: vec![id("B-2")],
        ..Default::default()
    };
    assert_eq!(effect(store, &checked(master.clone(), but_one)).products, 2);
    let chosen = Selection {
        include_products: vec![id("C-3")],
        ..Default::default()
    };
    assert_eq!(effect(store, &checked(master.clone(), chosen)).products, 1);
    let from_input = selection(
        &master,
        &SetupInput {
            include_products: strings(&["a-1", "b-2"]),
            ..Default::default()
        },
    )
    .expect("two products");
    assert_eq!(effect(store, &checked(master, from_input)).products, 2);
}

fn names(nodes: &[CategoryNode]) -> Vec<(String, u32)> {
    nodes.iter().map(|n| (n.name.clone(), n.depth)).collect()
}

#[test]
fn the_category_tree_lists_children_under_parents_by_position_then_name() {
    let garden = category("Garden", None, 2);
    let kitchen = category("kitchen", None, 1);
    let tools = category("Tools", Some(garden.id), 0);
    let knives = category("Knives", Some(kitchen.id), 0);
    let bowls = category("Bowls", Some(kitchen.id), 0);
    let spades = category("Spades", Some(tools.id), 0);
    let apples = category("Apples", None, 1);
    let cats = [garden, tools, spades, kitchen, knives, bowls, apples];
    assert_eq!(
        names(&tree(&cats)),
        [
            ("Apples", 0),
            ("kitchen", 0),
            ("Bowls", 1),
            ("Knives", 1),
            ("Garden", 0),
            ("Tools", 1),
            ("Spades", 2),
        ]
        .map(|(n, d)| (n.to_owned(), d))
    );
    assert_eq!(
        category_tree(&master_for_tests(&[("A-1", eur(100))])),
        Vec::new()
    );
}

#[test]
fn a_cycle_in_the_parents_lists_its_categories_at_the_top_level_last() {
    let mut a = category("Alpha", None, 0);
    let mut b = category("Beta", None, 0);
    a.parent = Some(b.id);
    b.parent = Some(a.id);
    let mut own = category("Own parent", None, 5);
    own.parent = Some(own.id);
    let orphan = category("Orphan", Some(CategoryId::generate()), 3);
    let top = category("Top", None, 4);
    let cats = [a, b, own, orphan, top];
    assert_eq!(
        names(&tree(&cats)),
        [
            ("Orphan", 0),
            ("Top", 0),
            ("Own parent", 0),
            ("Alpha", 0),
            ("Beta", 0),
        ]
        .map(|(n, d)| (n.to_owned(), d))
    );
}

#[test]
fn price_examples_pick_cheapest_middle_and_dearest() {
    let rule = PricingRule::new(1_000, Rounding::None).expect("10 %");
    let master = master_for_tests(&[
        ("MID", eur(2_000)),
        ("HIGH", eur(9_000)),
        ("LOW", eur(1_000)),
        ("MID2", eur(3_000)),
    ]);
    let got: Vec<(String, i64, i64)> = price_examples(&master, &rule)
        .into_iter()
        .map(|e| (e.sku, e.list.minor, e.price.minor))
        .collect();
    assert_eq!(
        got,
        [
            ("LOW", 1_000, 1_100),
            ("MID2", 3_000, 3_300),
            ("HIGH", 9_000, 9_900)
        ]
        .map(|(s, l, p)| (s.to_owned(), l, p))
    );
    let one = master_for_tests(&[("ONLY", eur(500))]);
    assert_eq!(price_examples(&one, &rule).len(), 1, "no repeats");
    let empty = master_for_tests(&[]);
    let made_up = price_examples(&empty, &rule);
    assert_eq!(made_up.len(), 3);
    assert!(made_up.iter().all(|e| e.sku.is_empty()));
    assert_eq!(made_up[0].list.minor, 999);
    assert_eq!(made_up[0].price.minor, 1_099);
}

#[test]
fn search_matches_sku_or_name_up_to_a_limit() {
    let master = master_for_tests(&[("AB-1", eur(100)), ("AB-2", eur(200)), ("CD-3", eur(300))]);
    let skus =
        |q: &str, n| -> Vec<String> { search(&master, q, n).into_iter().map(|p| p.sku).collect() };
    assert_eq!(skus(" ab ", 12), ["AB-1", "AB-2"]);
    assert_eq!(skus("product cd", 12), ["CD-3"]);
    assert_eq!(skus("product", 2).len(), 2);
    assert!(skus("   ", 12).is_empty());
}
