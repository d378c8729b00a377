//! Building the master snapshot from the hub's rows.

use super::*;

/// Builds the master snapshot from the hub's rows.
pub(super) async fn build_master(db: &Database, hub: &Tenant, version: i64) -> Result<Master> {
    let hdb = TenantDb::new(db, hub);
    let tx = hdb.begin().await?;
    let categories = all_categories(&tx).await?;
    let rows = all_products(&tx).await?;
    let policy = crate::catalog::store::policy_in(&tx).await?;
    tx.commit().await?;
    let mut items = Vec::with_capacity(rows.len());
    let cat_index: HashMap<CategoryId, u32> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    for row in rows {
        let p = to_product(row)?;
        if p.status != ProductStatus::Active {
            continue;
        }
        items.push(MasterItem {
            id: p.id,
            category: p.category.and_then(|c| cat_index.get(&c).copied()),
            sku: p.sku,
            name: p.name,
            description: p.description,
            price: p.price,
            attributes: p.attributes,
            image: p.image,
            html: OnceLock::new(),
            text: OnceLock::new(),
        });
    }
    Ok(master_of(version, categories, items, policy))
}

/// A master of uncategorised products `(sku, price)`, for other modules' tests.
#[cfg(test)]
pub(crate) fn master_for_tests(items: &[(&str, Money)]) -> Arc<Master> {
    let items = items
        .iter()
        .map(|(sku, price)| MasterItem {
            id: ProductId::generate(),
            sku: (*sku).to_owned(),
            name: format!("Product {sku}"),
            description: String::new(),
            price: *price,
            category: None,
            attributes: Vec::new(),
            image: None,
            html: OnceLock::new(),
            text: OnceLock::new(),
        })
        .collect();
    Arc::new(master_of(1, Vec::new(), items, Policy::default()))
}

/// The pure part of building a master: indexes and orders over its products.
pub(super) fn master_of(
    version: i64,
    categories: Vec<Category>,
    items: Vec<MasterItem>,
    policy: Policy,
) -> Master {
    let cat_index: HashMap<CategoryId, u32> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    let lineage: Vec<Vec<u32>> = categories
        .iter()
        .map(|c| {
            let mut chain = vec![cat_index[&c.id]];
            let mut cur = c.parent;
            while let Some(p) = cur {
                let Some(&pi) = cat_index.get(&p) else { break };
                if chain.contains(&pi) {
                    break;
                }
                chain.push(pi);
                cur = categories[pi as usize].parent;
            }
            chain
        })
        .collect();
    let by_id = items
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i as u32))
        .collect();
    let by_sku = items
        .iter()
        .enumerate()
        .map(|(i, m)| (m.sku.clone(), i as u32))
        .collect();
    let name_keys: Vec<Box<str>> = items.iter().map(|m| m.name.to_lowercase().into()).collect();
    let mut by_name: Vec<u32> = (0..items.len() as u32).collect();
    by_name.sort_by(|a, b| {
        name_keys[*a as usize]
            .cmp(&name_keys[*b as usize])
            .then(a.cmp(b))
    });
    let mut cat_by_name: Vec<Vec<u32>> = vec![Vec::new(); categories.len()];
    for &i in &by_name {
        if let Some(c) = items[i as usize].category {
            for x in &lineage[c as usize] {
                cat_by_name[*x as usize].push(i);
            }
        }
    }
    Master {
        version,
        categories,
        lineage,
        items,
        by_id,
        by_sku,
        policy,
        name_keys,
        by_name,
        cat_by_name,
        search: OnceLock::new(),
    }
}
