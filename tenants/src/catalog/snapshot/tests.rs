//! The snapshot against a slow and obvious reference, page by page.

use super::*;
use crate::catalog::money::{Currency, Rounding};

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn category(slug: &str, parent: Option<CategoryId>) -> Category {
    Category {
        id: CategoryId::generate(),
        parent,
        slug: slug.into(),
        name: slug.into(),
        position: 0,
    }
}

fn master(rng: &mut Rng, n: usize) -> Master {
    let root = category("tools", None);
    let drills = category("drills", Some(root.id));
    let saws = category("saws", Some(root.id));
    let paint = category("paint", None);
    let cats = vec![root, drills, saws, paint];
    let eur = Currency::parse("EUR").expect("EUR");
    let words = [
        "Drill", "saw", "Bit", "anchor", "Level", "tape", "Hammer", "drill",
    ];
    let items = (0..n)
        .map(|i| {
            let name = format!(
                "{} {}",
                words[rng.next(words.len() as u64) as usize],
                rng.next(20)
            );
            MasterItem {
                id: ProductId::generate(),
                sku: format!("SKU-{i}"),
                description: format!("A {} for every job", name.to_lowercase()),
                name,
                price: Money::new(100 + rng.next(50) as i64 * 100, eur),
                category: match rng.next(5) {
                    4 => None,
                    c => Some(c as u32),
                },
                attributes: Vec::new(),
                image: None,
                html: OnceLock::new(),
                text: OnceLock::new(),
            }
        })
        .collect();
    master_of(1, cats, items, Policy::default())
}

/// What a store shows, computed the slow and obvious way.
struct Reference {
    sold: Vec<u32>,
    name: HashMap<u32, String>,
    price: HashMap<u32, i64>,
    featured: HashSet<u32>,
    sort: HashMap<u32, i32>,
}

fn store(rng: &mut Rng, m: &Arc<Master>) -> (Storefront, Reference) {
    let mut settings = StoreSettings {
        pricing: PricingRule::new(1_500, Rounding::Ends99).expect("rule"),
        ..Default::default()
    };
    settings.selection.all = rng.next(2) == 0;
    settings.selection.include_categories = vec![m.categories[1].id];
    settings.selection.exclude_categories = vec![m.categories[2].id];
    settings.selection.include_products = vec![m.items[rng.next(m.len() as u64) as usize].id];
    settings.selection.exclude_products = vec![m.items[rng.next(m.len() as u64) as usize].id];
    let mut overrides = Vec::new();
    // One override at most per product and field, as the table's key has it.
    let mut taken = HashSet::new();
    for _ in 0..m.len() / 3 {
        let i = rng.next(m.len() as u64) as usize;
        let item = &m.items[i];
        let field = rng.next(6);
        if !taken.insert((i, field)) {
            continue;
        }
        let (f, v) = match field {
            0 => (
                Field::Price,
                Value::Price(item.price.minor + rng.next(40) as i64 - 5),
            ),
            1 => (
                Field::Name,
                Value::Text(format!("{} {}", words(rng), rng.next(9))),
            ),
            2 => (Field::Featured, Value::Flag(rng.next(3) > 0)),
            3 => (Field::Hidden, Value::Flag(rng.next(4) == 0)),
            4 => (Field::Sort, Value::Sort(rng.next(7) as i32 - 3)),
            _ => (
                Field::Description,
                Value::Text("Told anew: zeppelin".into()),
            ),
        };
        overrides.push((item.id.as_uuid(), f, v));
    }
    // The reference, straight from the rules.
    let sel = &settings.selection;
    let in_cat = |i: usize, c: &CategoryId| {
        m.items[i].category.is_some_and(|own| {
            m.lineage[own as usize]
                .iter()
                .any(|x| m.categories[*x as usize].id == *c)
        })
    };
    let mut r = Reference {
        sold: Vec::new(),
        name: HashMap::new(),
        price: HashMap::new(),
        featured: HashSet::new(),
        sort: HashMap::new(),
    };
    let mut hidden = HashSet::new();
    for (p, f, v) in &overrides {
        let i = m.by_id[&ProductId::from(*p)];
        match (f, v) {
            (Field::Price, Value::Price(x)) => {
                let (lo, hi) = m.policy.price_range(m.items[i as usize].price);
                if (lo.minor..=hi.minor).contains(x) {
                    r.price.insert(i, *x);
                }
            }
            (Field::Name, Value::Text(t)) => {
                r.name.insert(i, t.clone());
            }
            (Field::Featured, Value::Flag(b)) => {
                if *b {
                    r.featured.insert(i);
                } else {
                    r.featured.remove(&i);
                }
            }
            (Field::Hidden, Value::Flag(b)) => {
                if *b {
                    hidden.insert(i);
                } else {
                    hidden.remove(&i);
                }
            }
            (Field::Sort, Value::Sort(s)) => {
                r.sort.insert(i, *s);
            }
            _ => {}
        }
    }
    for (i, item) in m.items.iter().enumerate() {
        let visible = if sel.exclude_products.contains(&item.id) {
            false
        } else if sel.include_products.contains(&item.id) {
            true
        } else if sel.exclude_categories.iter().any(|c| in_cat(i, c)) {
            false
        } else {
            sel.all || sel.include_categories.iter().any(|c| in_cat(i, c))
        };
        if visible && !hidden.contains(&(i as u32)) {
            r.sold.push(i as u32);
        }
    }
    let sf = resolve(
        TenantId::generate(),
        m.clone(),
        settings,
        true,
        &overrides,
        1,
    );
    (sf, r)
}

fn words(rng: &mut Rng) -> &'static str {
    ["Zeta", "alpha", "Mid", "drill"][rng.next(4) as usize]
}

impl Reference {
    fn name(&self, m: &Master, i: u32) -> String {
        self.name
            .get(&i)
            .cloned()
            .unwrap_or_else(|| m.items[i as usize].name.clone())
            .to_lowercase()
    }
    fn price(&self, sf: &Storefront, i: u32) -> i64 {
        self.price.get(&i).copied().unwrap_or_else(|| {
            sf.settings
                .pricing
                .apply(sf.master.items[i as usize].price)
                .minor
        })
    }
    fn listing(&self, sf: &Storefront, cat: Option<usize>, sort: Sort) -> Vec<u32> {
        let m = &sf.master;
        let mut v: Vec<u32> = self
            .sold
            .iter()
            .copied()
            .filter(|i| {
                cat.is_none_or(|c| {
                    m.items[*i as usize]
                        .category
                        .is_some_and(|own| m.lineage[own as usize].contains(&(c as u32)))
                })
            })
            .collect();
        match sort {
            Sort::Featured => v.sort_by_key(|i| {
                (
                    !self.featured.contains(i),
                    self.sort.get(i).copied().unwrap_or(0),
                    self.name(m, *i),
                    *i,
                )
            }),
            Sort::NameAsc => v.sort_by_key(|i| (self.name(m, *i), *i)),
            Sort::PriceAsc | Sort::PriceDesc => {
                v.sort_by_key(|i| (self.price(sf, *i), self.name(m, *i), *i));
                if sort == Sort::PriceDesc {
                    v.reverse();
                }
            }
        }
        v
    }
}

fn ids(sf: &Storefront, l: &Listing) -> Vec<u32> {
    l.items.iter().map(|p| sf.master.by_id[&p.id]).collect()
}

#[test]
fn listings_equal_a_full_sort_of_the_effective_catalog() {
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let m = Arc::new(master(&mut rng, 60 + seed as usize * 7));
        let (sf, r) = store(&mut rng, &m);
        assert_eq!(sf.product_count(), r.sold.len(), "seed {seed}");
        for (ci, _) in m.categories.iter().enumerate() {
            let want_all = r.listing(&sf, Some(ci), Sort::Featured);
            let Some(c) = sf.categories.iter().find(|c| c.master == ci as u32) else {
                assert!(want_all.is_empty(), "seed {seed}: category {ci} missing");
                continue;
            };
            assert_eq!(c.count(), want_all.len(), "seed {seed}: count of {ci}");
            for sort in [
                Sort::Featured,
                Sort::NameAsc,
                Sort::PriceAsc,
                Sort::PriceDesc,
            ] {
                let want = r.listing(&sf, Some(ci), sort);
                for per_page in [7, 48] {
                    let mut got = Vec::new();
                    for page in 0..=want.len() / per_page {
                        got.extend(ids(&sf, &sf.list(c, sort, page, per_page)));
                    }
                    assert_eq!(
                        got, want,
                        "seed {seed}: category {ci}, {sort:?}, {per_page}"
                    );
                }
            }
        }
        // The home page's picks: featured products, else the first in store order.
        let featured = sf.featured(8);
        let want: Vec<u32> = if r.featured.iter().any(|i| r.sold.contains(i)) {
            r.listing(&sf, None, Sort::Featured)
                .into_iter()
                .filter(|i| r.featured.contains(i))
                .take(8)
                .collect()
        } else {
            r.listing(&sf, None, Sort::Featured)
                .into_iter()
                .take(8)
                .collect()
        };
        assert_eq!(
            featured.iter().map(|p| m.by_id[&p.id]).collect::<Vec<_>>(),
            want
        );
        // Every product shows the store's name and price; unsold ones are not found.
        for (i, item) in m.items.iter().enumerate() {
            let i = i as u32;
            match sf.product(item.id) {
                Some(v) => {
                    assert!(r.sold.contains(&i), "seed {seed}: {i} is not sold");
                    assert_eq!(v.name.to_lowercase(), r.name(&m, i));
                    assert_eq!(v.price.minor, r.price(&sf, i));
                    assert_eq!(v.featured, r.featured.contains(&i));
                }
                None => assert!(!r.sold.contains(&i), "seed {seed}: {i} is sold"),
            }
        }
    }
}

#[test]
fn search_sees_the_store_text_and_not_the_master_text_it_replaced() {
    let mut rng = Rng(7);
    let m = Arc::new(master(&mut rng, 120));
    let (sf, r) = store(&mut rng, &m);
    // "zeppelin" is only in the store's own descriptions.
    let hits = sf.search("zeppelin", 0, 96);
    assert!(hits.total > 0);
    for p in &hits.items {
        let i = m.by_id[&p.id];
        assert!(r.sold.contains(&i));
    }
    // A product renamed by the store is not found by a word only its master name has.
    let renamed: Vec<u32> = r
        .name
        .keys()
        .copied()
        .filter(|i| r.sold.contains(i))
        .collect();
    assert!(!renamed.is_empty());
    for i in renamed {
        let store_name = r.name(&m, i);
        // A word of the master name that nothing the store shows of it comes near.
        let master_word = m.items[i as usize]
            .name
            .split(' ')
            .next()
            .unwrap_or_default();
        let master_word = master_word.to_lowercase();
        let near = |w: &str| {
            w.starts_with(&master_word[..3])
                || master_word.starts_with(w)
                || strsim::osa_distance(w, &master_word) <= 2
        };
        let redescribed = sf.deltas.get(&i).is_some_and(|d| d.description.is_some());
        if redescribed && !tokens(&store_name).any(|w| near(&w)) {
            let hits = sf.search(&master_word, 0, 96);
            assert!(
                hits.items.iter().all(|p| m.by_id[&p.id] != i),
                "'{master_word}' found product {i}, renamed '{store_name}'"
            );
        }
        // The store's own name finds it.
        let hits = sf.search(&store_name, 0, 96);
        assert!(hits.items.iter().any(|p| m.by_id[&p.id] == i) || hits.total > 96);
    }
}

/// The cache's budget (`catalog.cache_mib`) is counted in these weights: a store must
/// weigh at least what its snapshot holds, or the cache outgrows its budget, and far less
/// than the master it shares, or thousands of stores would not stay warm.
#[test]
fn a_store_snapshot_weighs_a_fraction_of_the_catalog() {
    let mut rng = Rng(11);
    let m = Arc::new(master(&mut rng, 100_000));
    let weight = |overrides: &[(uuid::Uuid, Field, Value)]| {
        let sf = resolve(
            TenantId::generate(),
            m.clone(),
            StoreSettings::default(),
            true,
            overrides,
            1,
        );
        assert_eq!(sf.product_count(), 100_000);
        sf.weight()
    };
    // ARCHITECTURE: a store over 100,000 products weighs ~12 KiB (a bit a product: 12.2
    // KiB) plus its overrides.
    let plain = weight(&[]);
    assert!((12..=20).contains(&plain), "weighs {plain} KiB");
    // The master it reads through holds at least its items and their texts.
    let master_bytes: usize = m
        .items
        .iter()
        .map(|i| {
            std::mem::size_of::<MasterItem>() + i.sku.len() + i.name.len() + i.description.len()
        })
        .sum();
    assert!(
        plain as usize * 1024 * 100 < master_bytes,
        "{plain} KiB is not under 1 % of the master's {master_bytes} bytes"
    );
    // Each new name (40 characters) is held twice, as shown and in lower case: at least
    // 80 bytes an override.
    let renamed = |n: usize| -> Vec<(uuid::Uuid, Field, Value)> {
        (0..n)
            .map(|i| {
                let text = format!("The store's own name for product {i:07}");
                assert_eq!(text.len(), 40);
                (m.items[i * 7].id.as_uuid(), Field::Name, Value::Text(text))
            })
            .collect()
    };
    let (w100, w1000, w10000) = (
        weight(&renamed(100)),
        weight(&renamed(1_000)),
        weight(&renamed(10_000)),
    );
    assert!(
        plain < w100 && w100 < w1000 && w1000 < w10000,
        "{plain} < {w100} < {w1000} < {w10000} KiB"
    );
    assert!(w1000 >= plain + 78, "1,000 new names weigh {w1000} KiB");
    assert!(w10000 >= plain + 781, "10,000 new names weigh {w10000} KiB");
    // A price override holds no text, but still an entry of its own.
    let repriced: Vec<_> = m.items[..1_000]
        .iter()
        .map(|i| (i.id.as_uuid(), Field::Price, Value::Price(i.price.minor)))
        .collect();
    let w_prices = weight(&repriced);
    assert!(w_prices >= plain + 31, "1,000 prices weigh {w_prices} KiB");
    // Yet a thousand such stores (1,000 overrides each) fit the default 512 MiB budget.
    assert!(
        w1000 * 1_000 <= 512 * 1024 && w_prices * 1_000 <= 512 * 1024,
        "{w1000} and {w_prices} KiB a store"
    );
}
