//! Resolving a store's snapshot over the master: selection, pricing, overrides.

use super::*;

/// Builds a store's snapshot over `master`.
pub(super) async fn build_store(
    db: &Database,
    store: &Tenant,
    master: Arc<Master>,
    store_version: i64,
) -> Result<Storefront> {
    let sdb = TenantDb::new(db, store);
    let tx = sdb.begin().await?;
    let settings = read_settings(&tx).await?;
    let overrides = read_overrides(&tx).await?;
    tx.commit().await?;
    let configured = settings.is_some();
    let mut settings = settings.unwrap_or_default();
    if store.kind() == registry::TenantKind::Hub {
        // The brand owner's own store: the master as it is.
        settings.selection = crate::catalog::store::Selection {
            all: true,
            ..Default::default()
        };
        settings.pricing = PricingRule::default();
        settings.live = true;
    }
    Ok(resolve(
        store.id(),
        master,
        settings,
        configured,
        &overrides,
        store_version,
    ))
}

/// The pure part: master + settings + overrides → snapshot.
pub fn resolve(
    store: TenantId,
    master: Arc<Master>,
    settings: StoreSettings,
    configured: bool,
    overrides: &[(uuid::Uuid, Field, Value)],
    store_version: i64,
) -> Storefront {
    let policy = &master.policy;
    let sel = &settings.selection;
    let cat_set = |set: &[CategoryId]| -> HashSet<u32> {
        set.iter()
            .filter_map(|c| {
                master
                    .categories
                    .iter()
                    .position(|x| x.id == *c)
                    .map(|i| i as u32)
            })
            .collect()
    };
    let inc_c = cat_set(&sel.include_categories);
    let exc_c = cat_set(&sel.exclude_categories);
    // Whether a product of each category is in the selection by its category.
    let cat_sold: Vec<bool> = master
        .lineage
        .iter()
        .map(|chain| {
            !chain.iter().any(|x| exc_c.contains(x))
                && (sel.all || chain.iter().any(|x| inc_c.contains(x)))
        })
        .collect();
    let mut sells = vec![0u64; master.items.len().div_ceil(64)];
    let mut set = |i: u32, on: bool| {
        let (w, b) = (i as usize / 64, 1u64 << (i % 64));
        if on {
            sells[w] |= b;
        } else {
            sells[w] &= !b;
        }
    };
    for (i, m) in master.items.iter().enumerate() {
        set(
            i as u32,
            m.category.map_or(sel.all, |c| cat_sold[c as usize]),
        );
    }
    for p in &sel.exclude_products {
        if let Some(&i) = master.by_id.get(p) {
            set(i, false);
        }
    }
    // Products named in both lists are excluded.
    for p in &sel.include_products {
        if let Some(&i) = master.by_id.get(p)
            && !sel.exclude_products.contains(p)
        {
            set(i, true);
        }
    }
    let mut deltas: HashMap<u32, Delta> = HashMap::new();
    for (p, f, v) in overrides {
        if policy.is_locked(*f) {
            continue;
        }
        let Some(&i) = master.by_id.get(&ProductId::from(*p)) else {
            continue;
        };
        let m = &master.items[i as usize];
        let d = deltas.entry(i).or_default();
        match (f, v) {
            // An override the hub's current range no longer allows is not shown.
            (Field::Price, Value::Price(p)) if policy.allows_price(m.price, *p) => {
                d.price = Some(*p);
            }
            (Field::Name, Value::Text(t)) => {
                d.name_key = Some(t.to_lowercase().into());
                d.name = Some(t.clone().into());
            }
            (Field::Description, Value::Text(t)) => d.description = Some(t.clone().into()),
            (Field::Featured, Value::Flag(b)) => d.featured = *b,
            (Field::Hidden, Value::Flag(true)) => set(i, false),
            (Field::Sort, Value::Sort(s)) => d.sort = *s,
            _ => {}
        }
    }
    let sold = |i: u32| sells[i as usize / 64] & (1 << (i % 64)) != 0;
    deltas.retain(|i, _| sold(*i));
    let mut counts = vec![0usize; master.categories.len()];
    let mut count = 0usize;
    for (i, m) in master.items.iter().enumerate() {
        if !sold(i as u32) {
            continue;
        }
        count += 1;
        if let Some(c) = m.category {
            for x in &master.lineage[c as usize] {
                counts[*x as usize] += 1;
            }
        }
    }
    let mut sf = Storefront {
        store,
        master_version: master.version,
        store_version,
        settings,
        configured,
        master: master.clone(),
        sells,
        count,
        deltas,
        categories: Vec::new(),
        cat_index: HashMap::new(),
        featured: Vec::new(),
        moved: Vec::new(),
        search: OnceLock::new(),
    };
    let mut moved: Vec<u32> = sf
        .deltas
        .iter()
        .filter(|(_, d)| d.moves())
        .map(|(i, _)| *i)
        .collect();
    moved.sort_by(|a, b| sf.cmp(Order::Store, *a, *b));
    let mut renamed: Vec<u32> = sf
        .deltas
        .iter()
        .filter(|(_, d)| d.name.is_some())
        .map(|(i, _)| *i)
        .collect();
    renamed.sort_by(|a, b| sf.cmp(Order::Name, *a, *b));
    let in_cat = |i: u32, c: usize| {
        master.items[i as usize]
            .category
            .is_some_and(|own| master.lineage[own as usize].contains(&(c as u32)))
    };
    for (ci, n) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let c = master.categories[ci].clone();
        sf.cat_index.insert(c.id, sf.categories.len() as u32);
        sf.categories.push(StoreCategory {
            depth: (master.lineage[ci].len() - 1) as u32,
            category: c,
            master: ci as u32,
            count: *n,
            moved: moved.iter().copied().filter(|i| in_cat(*i, ci)).collect(),
            renamed: renamed.iter().copied().filter(|i| in_cat(*i, ci)).collect(),
            by_price: OnceLock::new(),
        });
    }
    sf.featured = moved
        .iter()
        .copied()
        .filter(|i| sf.deltas.get(i).is_some_and(|d| d.featured))
        .collect();
    sf.moved = moved;
    sf
}
