//! A store's snapshot read: products, categories, listings in every order, pages, search.

use super::*;

impl Storefront {
    pub fn branding(&self) -> &Branding {
        &self.settings.branding
    }

    pub fn product_count(&self) -> usize {
        self.count
    }

    fn sells(&self, i: u32) -> bool {
        self.sells
            .get(i as usize / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn name_key(&self, i: u32) -> &str {
        self.deltas
            .get(&i)
            .and_then(|d| d.name_key.as_deref())
            .unwrap_or(&*self.master.name_keys[i as usize])
    }

    fn price_minor(&self, i: u32) -> i64 {
        match self.deltas.get(&i).and_then(|d| d.price) {
            Some(p) => p,
            None => {
                self.settings
                    .pricing
                    .apply(self.master.items[i as usize].price)
                    .minor
            }
        }
    }

    /// Compares two products in `order`; equal keys fall back to the master index, so every
    /// order is total and stable across processes.
    pub(super) fn cmp(&self, order: Order, a: u32, b: u32) -> std::cmp::Ordering {
        let names = || {
            self.name_key(a)
                .cmp(self.name_key(b))
                .then_with(|| a.cmp(&b))
        };
        match order {
            Order::Name => names(),
            Order::Store => {
                let place = |i: u32| {
                    self.deltas
                        .get(&i)
                        .map_or((true, 0), |d| (!d.featured, d.sort))
                };
                place(a).cmp(&place(b)).then_with(names)
            }
        }
    }

    /// Products of `base` (a master name-ordered list) the store sells, in `order`: the base
    /// list keeps its order for every product the store did not move, and `moved` (sorted in
    /// `order`) is merged in. Yields from position `skip` on, at most `take` products.
    fn merged(
        &self,
        base: &[u32],
        moved: &[u32],
        order: Order,
        skip: usize,
        take: usize,
    ) -> Vec<u32> {
        let stays = |i: u32| {
            self.sells(i)
                && !self.deltas.get(&i).is_some_and(|d| match order {
                    Order::Store => d.moves(),
                    Order::Name => d.name.is_some(),
                })
        };
        let mut out = Vec::with_capacity(take.min(base.len() + moved.len()));
        let (mut b, mut m, mut pos) = (0usize, 0usize, 0usize);
        while out.len() < take {
            while b < base.len() && !stays(base[b]) {
                b += 1;
            }
            let next = match (base.get(b), moved.get(m)) {
                (None, None) => break,
                (Some(&x), None) => {
                    b += 1;
                    x
                }
                (None, Some(&y)) => {
                    m += 1;
                    y
                }
                (Some(&x), Some(&y)) => {
                    if self.cmp(order, y, x).is_lt() {
                        m += 1;
                        y
                    } else {
                        b += 1;
                        x
                    }
                }
            };
            if pos >= skip {
                out.push(next);
            }
            pos += 1;
        }
        out
    }

    fn view(&self, i: u32) -> ProductView {
        let m = &self.master.items[i as usize];
        let d = self.deltas.get(&i);
        let summary = match d.and_then(|d| d.description.as_deref()) {
            Some(text) => excerpt(&plain_text(text), 160),
            None => excerpt(m.description_text(), 160),
        };
        ProductView {
            id: m.id,
            sku: m.sku.clone(),
            name: d
                .and_then(|d| d.name.as_deref())
                .unwrap_or(&m.name)
                .to_owned(),
            price: Money::new(self.price_minor(i), m.price.currency),
            list_price: m.price,
            image: m.image.clone(),
            featured: d.is_some_and(|d| d.featured),
            category: m.category.map(|c| self.master.categories[c as usize].id),
            summary,
        }
    }

    /// Up to `n` featured products (the first products in the store's order if none are).
    pub fn featured(&self, n: usize) -> Vec<ProductView> {
        let src: Vec<u32> = if self.featured.is_empty() {
            self.merged(&self.master.by_name, &self.moved, Order::Store, 0, n)
        } else {
            self.featured.iter().copied().take(n).collect()
        };
        src.into_iter().map(|i| self.view(i)).collect()
    }

    /// A category with products in this store, by id.
    pub fn category_by_id(&self, id: CategoryId) -> Option<&StoreCategory> {
        self.cat_index
            .get(&id)
            .map(|i| &self.categories[*i as usize])
    }

    pub fn category(&self, slug: &str) -> Option<&StoreCategory> {
        self.categories
            .iter()
            .find(|c| c.category.slug.eq_ignore_ascii_case(slug))
    }

    fn by_price<'a>(&'a self, c: &'a StoreCategory) -> &'a [u32] {
        c.by_price.get_or_init(|| {
            let mut v: Vec<(i64, u32)> = self.master.cat_by_name[c.master as usize]
                .iter()
                .copied()
                .filter(|i| self.sells(*i))
                .map(|i| (self.price_minor(i), i))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| self.cmp(Order::Name, a.1, b.1)));
            v.into_iter().map(|(_, i)| i).collect()
        })
    }

    /// One page of a category's products.
    pub fn list(&self, c: &StoreCategory, sort: Sort, page: usize, per_page: usize) -> Listing {
        let per_page = per_page.clamp(1, 96);
        let skip = page.saturating_mul(per_page);
        let base = &self.master.cat_by_name[c.master as usize];
        let picked: Vec<u32> = match sort {
            Sort::Featured => self.merged(base, &c.moved, Order::Store, skip, per_page),
            Sort::NameAsc => self.merged(base, &c.renamed, Order::Name, skip, per_page),
            Sort::PriceAsc => self
                .by_price(c)
                .iter()
                .skip(skip)
                .take(per_page)
                .copied()
                .collect(),
            Sort::PriceDesc => self
                .by_price(c)
                .iter()
                .rev()
                .skip(skip)
                .take(per_page)
                .copied()
                .collect(),
        };
        Listing {
            items: picked.into_iter().map(|i| self.view(i)).collect(),
            total: c.count,
            page,
            per_page,
        }
    }

    fn index_of(&self, id: ProductId) -> Option<u32> {
        let m = *self.master.by_id.get(&id)?;
        self.sells(m).then_some(m)
    }

    /// A product the store sells, by id.
    pub fn product(&self, id: ProductId) -> Option<ProductView> {
        self.index_of(id).map(|i| self.view(i))
    }

    /// A product the store sells, by SKU (any case), with its page's details.
    pub fn detail(&self, sku: &str) -> Option<ProductDetail> {
        let i = *self.master.by_sku.get(&sku.trim().to_ascii_uppercase())?;
        if !self.sells(i) {
            return None;
        }
        let mi = &self.master.items[i as usize];
        let html = match self.deltas.get(&i) {
            Some(d) if d.description.is_some() => d
                .html
                .get_or_init(|| render_markdown(d.description.as_deref().unwrap_or_default()))
                .clone(),
            _ => mi.description_html().to_owned(),
        };
        let trail = mi
            .category
            .map(|c| {
                let mut t: Vec<Category> = self.master.lineage[c as usize]
                    .iter()
                    .map(|x| self.master.categories[*x as usize].clone())
                    .collect();
                t.reverse();
                t
            })
            .unwrap_or_default();
        Some(ProductDetail {
            product: self.view(i),
            description_html: html,
            attributes: mi.attributes.clone(),
            trail,
        })
    }

    /// Search over name, SKU and description as this store shows them, tolerant of one typo
    /// in words of 4+ letters and two in words of 8+. Every word of the query must match.
    /// Products with the master's text are found through the master's index; those the store
    /// renamed or described anew through the store's own small one.
    pub fn search(&self, query: &str, page: usize, per_page: usize) -> Listing {
        let own = self.search.get_or_init(|| {
            SearchIndex::build(
                self.deltas
                    .iter()
                    .filter(|(i, d)| d.retexts() && self.sells(**i))
                    .map(|(i, d)| {
                        let m = &self.master.items[*i as usize];
                        Entry {
                            item: *i,
                            name: d.name.as_deref().unwrap_or(&m.name),
                            sku: &m.sku,
                            description: match d.description.as_deref() {
                                Some(text) => plain_text(text).into(),
                                None => m.description_text().into(),
                            },
                        }
                    }),
            )
        });
        let mut hits: Vec<(u32, u32)> = self
            .master
            .search_index()
            .query(query)
            .into_iter()
            .filter(|(i, _)| self.sells(*i) && !self.deltas.get(i).is_some_and(Delta::retexts))
            .chain(own.query(query))
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = hits.len();
        let per_page = per_page.clamp(1, 96);
        Listing {
            items: hits
                .into_iter()
                .skip(page.saturating_mul(per_page))
                .take(per_page)
                .map(|(i, _)| self.view(i))
                .collect(),
            total,
            page,
            per_page,
        }
    }

    /// A rough size in bytes, for the cache's weigher: the bitset, the deltas and the
    /// per-category lists. Price orders built later (4 bytes a product of a category sorted
    /// by price) and the store's search index come on top.
    pub(super) fn weight(&self) -> u32 {
        let bytes = self.sells.len() * 8
            + self.deltas.values().map(|d| d.bytes() + 16).sum::<usize>()
            + self
                .categories
                .iter()
                .map(|c| {
                    std::mem::size_of::<StoreCategory>() + (c.moved.len() + c.renamed.len()) * 4
                })
                .sum::<usize>()
            + (self.featured.len() + self.moved.len()) * 4
            + 4096;
        u32::try_from(bytes / 1024).unwrap_or(u32::MAX).max(1)
    }
}
