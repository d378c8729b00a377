//! The search indexes: the master's and a store's own texts.

use super::*;

/// Tokens of a text: lower case, letters and digits.
pub fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// A product's text as search sees it.
pub(super) struct Entry<'a> {
    pub(super) item: u32,
    pub(super) name: &'a str,
    pub(super) sku: &'a str,
    pub(super) description: std::borrow::Cow<'a, str>,
}

#[derive(Debug, Default)]
pub(super) struct SearchIndex {
    /// term → (item, weight): 3 for name and SKU words, 1 for description words.
    terms: HashMap<String, Vec<(u32, u8)>>,
}

impl SearchIndex {
    pub(super) fn build<'a>(entries: impl Iterator<Item = Entry<'a>>) -> Self {
        let mut terms: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        for e in entries {
            let mut seen: HashMap<String, u8> = HashMap::new();
            for t in tokens(e.name)
                .chain(tokens(e.sku))
                .chain(std::iter::once(e.sku.to_lowercase()))
            {
                seen.insert(t, 3);
            }
            for t in tokens(&e.description) {
                seen.entry(t).or_insert(1);
            }
            for (t, w) in seen {
                terms.entry(t).or_default().push((e.item, w));
            }
        }
        Self { terms }
    }

    fn allowed_typos(len: usize) -> usize {
        match len {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        }
    }

    /// Items matching every word of `q`, with their scores (unordered).
    pub(super) fn query(&self, q: &str) -> Vec<(u32, u32)> {
        let words: Vec<String> = tokens(q).take(8).collect();
        if words.is_empty() || self.terms.is_empty() {
            return Vec::new();
        }
        let mut total: Option<HashMap<u32, u32>> = None;
        for w in &words {
            let mut scores: HashMap<u32, u32> = HashMap::new();
            let typos = Self::allowed_typos(w.chars().count());
            for (term, postings) in &self.terms {
                let score = if term == w {
                    4
                } else if w.chars().count() >= 3 && term.starts_with(w.as_str()) {
                    3
                } else if typos > 0
                    && term.len().abs_diff(w.len()) <= typos
                    && strsim::osa_distance(term, w) <= typos
                {
                    2
                } else {
                    continue;
                };
                for (item, weight) in postings {
                    let s = score * u32::from(*weight);
                    let e = scores.entry(*item).or_insert(0);
                    *e = (*e).max(s);
                }
            }
            total = Some(match total {
                None => scores,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(k, v)| scores.get(&k).map(|s| (k, v + s)))
                    .collect(),
            });
        }
        total.unwrap_or_default().into_iter().collect()
    }
}
