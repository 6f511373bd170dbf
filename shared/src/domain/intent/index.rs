//! The catalog index: codes in every spelling, names and colours across languages, sizes.
use super::*;

pub(super) static NOUN_STEMS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (canon, surfaces) in text::NOUNS {
        for s in surfaces.iter().chain(std::iter::once(canon)) {
            push_unique(map.entry(text::stem(s)).or_default(), &text::stem(canon));
        }
    }
    map
});

pub(super) static CANONICAL_STEMS: LazyLock<HashSet<String>> = LazyLock::new(|| text::NOUNS.iter().map(|(c, _)| text::stem(c)).collect());

/// Per-product lookup data, with sizes and colours as the catalog spells them.
pub(super) struct Indexed {
    pub(super) code: String,
    /// Noun stem → weight: 2 for the head noun (first word of the name), 1 for qualifiers.
    pub(super) keys: HashMap<String, u8>,
    pub(super) sizes: Vec<String>,
    pub(super) colours: Vec<String>,
    pub(super) skus: Vec<(Option<String>, Option<String>)>,
}

/// Prepared, catalog-derived lookup tables (names, colours, sizes per product, number→codes).
/// Build once per catalog, reuse for many comments.
pub struct CatalogIndex {
    pub(super) products: Vec<Indexed>,
    /// Compact lower-case code ("a12") → product.
    pub(super) by_code: HashMap<String, usize>,
    /// Numeric part of a code → products ("el 4" → A4, B4, C4).
    pub(super) by_number: HashMap<u32, Vec<usize>>,
    /// Finds code spellings (A-12, #a12, cod A12, a 12) so they can be rewritten compactly.
    pub(super) code_re: Option<Regex>,
    /// Every noun stem that some product carries.
    pub(super) product_stems: HashSet<String>,
    /// Words of five letters or more (table and catalog) → canonical stems, for one-typo matching.
    pub(super) fuzzy_nouns: Vec<(String, Vec<String>)>,
    /// Colour word in any inflection → folded catalog colours in preference order.
    pub(super) colours: HashMap<String, Vec<String>>,
    /// Uninflected colour words, the only ones tried for typos.
    pub(super) colour_bases: Vec<String>,
    /// Multi-word catalog colours ("azul marino") and the single word they are rewritten to.
    pub(super) colour_phrases: Vec<(String, String)>,
    /// Every size in the catalog, as spelled there.
    pub(super) sizes: HashSet<String>,
    pub(super) current: Option<usize>,
}

impl CatalogIndex {
    pub fn new(catalog: &Catalog) -> Self {
        let products: Vec<Indexed> = catalog.products.iter().map(index_product).collect();
        let mut by_code = HashMap::new();
        let mut by_number: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut prefixes: Vec<String> = Vec::new();
        for (i, p) in products.iter().enumerate() {
            let compact = compact_code(&p.code);
            if let Some((prefix, number)) = split_code(&compact) {
                by_number.entry(number).or_default().push(i);
                push_unique(&mut prefixes, &prefix);
            }
            by_code.insert(compact, i);
        }

        let mut fuzzy: HashMap<String, Vec<String>> = HashMap::new();
        for (canon, surfaces) in text::NOUNS {
            for s in surfaces.iter().chain(std::iter::once(canon)).filter(|s| s.len() >= 5) {
                push_unique(fuzzy.entry(s.to_string()).or_default(), &text::stem(canon));
            }
        }
        for p in &catalog.products {
            for w in text::words(&text::fold(&p.name)).filter(|w| w.len() >= 5) {
                push_unique(fuzzy.entry(w.to_string()).or_default(), &text::stem(w));
            }
        }

        let mut colour_names: Vec<String> = Vec::new();
        for c in products.iter().flat_map(|p| &p.colours) {
            push_unique(&mut colour_names, &text::fold(c));
        }
        let (colours, colour_bases, colour_phrases) = colour_tables(&colour_names);
        let current = catalog.current_product.as_deref().and_then(|c| by_code.get(&compact_code(c)).copied());
        Self {
            product_stems: products.iter().flat_map(|p| p.keys.keys().cloned()).collect(),
            sizes: products.iter().flat_map(|p| p.sizes.iter().cloned()).collect(),
            products,
            by_code,
            by_number,
            code_re: code_regex(&prefixes),
            fuzzy_nouns: fuzzy.into_iter().collect(),
            colours,
            colour_bases,
            colour_phrases,
            current,
        }
    }

    /// Canonical noun stems a comment word stands for, limited to what this catalog sells;
    /// `typos` allows a one-typo match.
    pub(super) fn noun_keys(&self, word: &str, typos: bool) -> Vec<String> {
        // Colours and sizes are attributes, never typos of a product word ("preta" ≠ "prata").
        let attribute = self.colours.contains_key(word) || text::size_candidates(word).is_some();
        if attribute || is_filler(word) || word.chars().all(|c| c.is_ascii_digit()) {
            return Vec::new();
        }
        let st = text::stem(word);
        let mut out = NOUN_STEMS.get(&st).cloned().unwrap_or_default();
        push_unique(&mut out, &st);
        out.retain(|k| self.product_stems.contains(k));
        if typos && out.is_empty() && word.len() >= 5 && !FUZZY_BLOCK.contains(&word) {
            for (surface, canons) in &self.fuzzy_nouns {
                if text::within_one_edit(word, surface) {
                    canons.iter().filter(|c| self.product_stems.contains(*c)).for_each(|c| push_unique(&mut out, c));
                }
            }
        }
        out
    }

    /// Products that best match a run of noun words; None when the run is too weak to count.
    /// Each word scores its best weight on a product; ties stay open.
    pub(super) fn match_run(&self, run: &[Vec<String>]) -> Option<Vec<usize>> {
        let strong =
            run.iter().flatten().any(|k| !WEAK_ALONE.contains(&k.as_str()) || self.products.iter().any(|p| p.keys.get(k) == Some(&2)));
        if !strong {
            return None;
        }
        let score = |p: &Indexed| -> u32 {
            run.iter().map(|keys| keys.iter().filter_map(|k| p.keys.get(k)).max().copied().unwrap_or(0) as u32).sum()
        };
        let scores: Vec<u32> = self.products.iter().map(score).collect();
        let best = scores.iter().copied().max().unwrap_or(0);
        (best > 0).then(|| (0..scores.len()).filter(|&i| scores[i] == best).collect())
    }

    /// A colour with one typo ("negor"); only tried on words nothing else explained.
    pub(super) fn fuzzy_colour(&self, word: &str) -> Option<Vec<String>> {
        if word.len() < 5 || FUZZY_BLOCK.contains(&word) {
            return None;
        }
        let mut out = Vec::new();
        for surface in self.colour_bases.iter().filter(|s| s.len() >= 5) {
            if text::within_one_edit(word, surface) {
                self.colours.get(surface).into_iter().flatten().for_each(|c| push_unique(&mut out, c));
            }
        }
        (out.len() == 1).then_some(out)
    }
}

pub(super) fn index_product(p: &Product) -> Indexed {
    // A catalog word stands for itself when it is a canonical noun ("jeans"), else for the
    // canonicals it spells ("canguro" → polerón) plus itself.
    let noun_stems = |word: &str| -> Vec<String> {
        let st = text::stem(word);
        if CANONICAL_STEMS.contains(&st) {
            return vec![st];
        }
        let mut out = NOUN_STEMS.get(&st).cloned().unwrap_or_default();
        push_unique(&mut out, &st);
        out
    };
    let mut keys: HashMap<String, u8> = HashMap::new();
    let name = text::fold(&p.name);
    for (n, w) in text::words(&name).filter(|w| !text::is_stopword(w)).enumerate() {
        let weight = if n == 0 { 2 } else { 1 };
        for k in noun_stems(w) {
            let e = keys.entry(k).or_insert(weight);
            *e = (*e).max(weight);
        }
    }
    for w in text::words(&text::fold(&p.category)) {
        for k in noun_stems(w) {
            keys.entry(k).or_insert(1);
        }
    }
    Indexed {
        code: p.code.to_uppercase(),
        keys,
        sizes: p.sizes().into_iter().map(String::from).collect(),
        colours: p.colors().into_iter().map(String::from).collect(),
        skus: p.variants.iter().map(|v| (v.size.clone(), v.color.clone())).collect(),
    }
}

/// Colour word → catalog colours; the uninflected words; multi-word colours and their rewrite.
pub(super) type ColourTables = (HashMap<String, Vec<String>>, Vec<String>, Vec<(String, String)>);

/// Colour words from the cross-language table and the catalog's own colour names.
pub(super) fn colour_tables(catalog_colours: &[String]) -> ColourTables {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let mut bases: Vec<String> = Vec::new();
    let mut phrases = Vec::new();
    for (canons, surfaces) in text::COLOURS {
        let present: Vec<&str> = canons.iter().copied().filter(|c| catalog_colours.iter().any(|x| x == c)).collect();
        if present.is_empty() {
            continue;
        }
        for s in surfaces.iter() {
            push_unique(&mut bases, s);
            for form in text::inflections(s) {
                let e = map.entry(form).or_default();
                present.iter().for_each(|c| push_unique(e, c));
            }
        }
    }
    for c in catalog_colours {
        push_unique(&mut bases, c);
        if c.contains(' ') {
            let joined: String = c.split_whitespace().collect();
            push_unique(map.entry(joined.clone()).or_default(), c);
            phrases.push((c.clone(), joined));
        } else {
            text::inflections(c).into_iter().for_each(|form| push_unique(map.entry(form).or_default(), c));
        }
    }
    (map, bases, phrases)
}

pub(super) fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// "A-12" → "a12": lower-case, alphanumerics only.
pub(super) fn compact_code(code: &str) -> String {
    text::fold(code).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// "a12" → ("a", 12) when a code is letters followed by digits.
pub(super) fn split_code(compact: &str) -> Option<(String, u32)> {
    let digits = compact.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let prefix = &compact[..compact.len() - digits.len()];
    if prefix.is_empty() || digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((prefix.to_string(), digits.parse().ok()?))
}

/// Matches the code spellings buyers use: A12, a-12, #A12, A.1, a 12, cod A12, código a3,
/// ref A6, and a size glued on ("A12M").
pub(super) fn code_regex(prefixes: &[String]) -> Option<Regex> {
    if prefixes.is_empty() {
        return None;
    }
    let mut sorted: Vec<&String> = prefixes.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let alternation = sorted.iter().map(|p| regex::escape(p)).collect::<Vec<_>>().join("|");
    let pattern = format!(
        r"(?:#\s*)?(?:\b(?:codigo|cod|ref|referencia|item)\s*[.:#]?\s*)?\b({alternation})\s?[-._–—]?\s?0*(\d{{1,4}})(s|m|l|xl|p|g|gg)?\b"
    );
    Regex::new(&pattern).ok()
}
