//! Grouping the walk's items into claims, resolved against the catalog index.
use super::*;

#[derive(Debug, Default, Clone)]
pub(super) struct Draft {
    pub(super) products: Option<Vec<usize>>,
    /// A code the catalog doesn't have.
    pub(super) unknown: Option<String>,
    /// Product copied from the previous claim ("A12 una S y una M"); a new name replaces it.
    pub(super) inherited: bool,
    /// The products came from a bare number several codes share: never narrowed by the variant.
    pub(super) shared_number: bool,
    pub(super) size: Option<Vec<String>>,
    pub(super) colour: Option<Vec<String>>,
    pub(super) size_or_tone: Option<(Vec<String>, Vec<String>)>,
    pub(super) qty: Option<u32>,
    /// The quantity came before any size or colour ("3 esmaltes: rojo, …").
    pub(super) qty_first: bool,
    /// Started by "otro"/"another".
    pub(super) another: bool,
    /// The quantity counts items in view ("las dos poleras"): a later count of them replaces it.
    pub(super) definite: bool,
    /// Size and colour said once for a whole list ("A3 blanco: una S y otra L"): every item of
    /// the list that does not name its own gets them.
    pub(super) header: (Option<Vec<String>>, Option<Vec<String>>),
}

impl Draft {
    pub(super) fn is_empty(&self) -> bool {
        self.products.is_none()
            && self.unknown.is_none()
            && self.size.is_none()
            && self.colour.is_none()
            && self.size_or_tone.is_none()
            && self.qty.is_none()
    }

    /// `next` only fills the variant parts this draft lacks, on the same product.
    pub(super) fn completed_by(&self, next: &Draft) -> bool {
        let detailed = self.size.is_some() || self.colour.is_some() || self.size_or_tone.is_some();
        let variant = |d: &Draft| [d.size.is_some(), d.colour.is_some(), d.size_or_tone.is_some()];
        let disjoint = variant(self).iter().zip(variant(next)).all(|(a, b)| !(*a && b));
        let one_qty = self.qty.is_none() || next.qty.is_none() || self.qty == next.qty;
        next.inherited && !next.another && self.products == next.products && detailed && disjoint && one_qty
    }

    /// A bare count for this bare item ("de los labiales que pedí, quita uno"): its quantity,
    /// not a second item.
    pub(super) fn counted_by(&self, next: &Draft) -> bool {
        let bare = |d: &Draft| d.size.is_none() && d.colour.is_none() && d.size_or_tone.is_none();
        next.inherited && !next.another && self.products == next.products && bare(self) && bare(next) && self.qty.is_none()
    }

    pub(super) fn child(&self) -> Draft {
        Draft {
            products: self.products.clone(),
            shared_number: self.shared_number,
            inherited: true,
            header: self.header.clone(),
            ..Draft::default()
        }
    }

    pub(super) fn has_header(&self) -> bool {
        self.header.0.is_some() || self.header.1.is_some()
    }
}

/// Splits the item stream into one draft per named item: a second product, a second size or
/// colour, or a second quantity (or one after a separator) starts a new claim.
pub(super) fn group(items: &[Item]) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut cur = Draft::default();
    let (mut after_sep, mut another, mut definite) = (false, false, false);
    for item in items {
        let split = match item {
            Item::Sep => {
                after_sep = true;
                continue;
            }
            Item::Another => {
                another = true;
                continue;
            }
            Item::Definite => {
                definite = true;
                continue;
            }
            Item::Product(_) | Item::SharedNumber(_) | Item::UnknownCode(_) => {
                !((cur.products.is_none() && cur.unknown.is_none()) || (cur.inherited && cur.size.is_none() && cur.colour.is_none()))
            }
            Item::Size(_) => cur.size.is_some(),
            Item::Colour(_) => cur.colour.is_some(),
            Item::SizeOrTone(..) => false,
            Item::Qty(_) => cur.qty.is_some() || (after_sep && cur.products.is_some()) || (another && !cur.is_empty()),
        };
        if split {
            // A new product starts afresh; a new variant or quantity keeps the product.
            let new_product = matches!(item, Item::Product(_) | Item::SharedNumber(_) | Item::UnknownCode(_));
            let mut next = if new_product { Draft::default() } else { cur.child() };
            next.another = another;
            drafts.push(std::mem::replace(&mut cur, next));
        }
        match item {
            Item::Product(c) | Item::SharedNumber(c) => {
                cur.products = Some(c.clone());
                cur.shared_number = matches!(item, Item::SharedNumber(_));
                cur.unknown = None;
                cur.inherited = false;
            }
            Item::UnknownCode(c) => {
                cur.unknown = Some(c.clone());
                cur.products = None;
                cur.inherited = false;
            }
            Item::Size(c) => cur.size = Some(c.clone()),
            Item::Colour(c) => cur.colour = Some(c.clone()),
            Item::SizeOrTone(s, c) => cur.size_or_tone = Some((s.clone(), c.clone())),
            Item::Qty(n) => {
                cur.qty_first = cur.size.is_none() && cur.colour.is_none() && cur.size_or_tone.is_none();
                // "A3 blanco: una S…": a count after a named item's variant opens a list under it.
                if cur.qty.is_none() && !cur.inherited && cur.products.is_some() && !cur.qty_first {
                    cur.header = (cur.size.clone(), cur.colour.clone());
                }
                cur.qty = Some(*n);
                cur.definite = definite;
            }
            Item::Another | Item::Definite | Item::Sep => {}
        }
        (after_sep, another, definite) = (false, false, false);
    }
    drafts.push(cur);
    drafts.retain(|d| !d.is_empty());
    spread_leading_count(&mut drafts);
    merge_complements(drafts)
}

/// "3 esmaltes: rojo, negro y rosado": a count before the variants that equals the number of
/// variants listed is their total, one each, not the quantity of the first.
pub(super) fn spread_leading_count(drafts: &mut [Draft]) {
    for i in 0..drafts.len() {
        let Some(n) = drafts[i].qty.filter(|&n| n > 1 && drafts[i].qty_first) else {
            continue;
        };
        let same_item = |d: &Draft| d.inherited && !d.another && d.qty.is_none() && d.products == drafts[i].products;
        let listed = drafts[i + 1..].iter().take_while(|d| same_item(d)).count();
        if listed > 0 && listed + 1 == n as usize {
            drafts[i].qty = Some(1);
        }
    }
}

/// "ese chaleco beige…, apúntame uno en M": a follow-up that only adds the variant part the
/// item lacked is the same item, and what the item had then heads any further list items ("A3
/// blanco, una S y otra L"). A follow-up that repeats a part ("una S y una M") or says "otro"
/// stays a claim of its own; a bare count only gives the bare item its quantity.
pub(super) fn merge_complements(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for mut d in drafts {
        // "los dos collares están lindos, apártame uno": the later count is the order.
        if let Some(prev) =
            out.last_mut().filter(|p| p.definite && d.inherited && !d.another && d.qty.is_some() && p.products == d.products)
        {
            (prev.qty, prev.definite) = (None, false);
        }
        if let Some(prev) = out.last().filter(|prev| d.inherited && !d.has_header() && prev.products == d.products) {
            d.header = prev.header.clone();
        }
        if d.inherited {
            d.size = d.size.take().or_else(|| d.header.0.clone());
            d.colour = d.colour.take().or_else(|| d.header.1.clone());
        }
        if let Some(prev) = out.last_mut().filter(|prev| prev.completed_by(&d)) {
            if !prev.has_header() {
                prev.header = (prev.size.clone(), prev.colour.clone());
            }
            prev.size = prev.size.take().or(d.size);
            prev.colour = prev.colour.take().or(d.colour);
            prev.size_or_tone = prev.size_or_tone.take().or(d.size_or_tone);
            prev.qty = prev.qty.or(d.qty);
        } else if let Some(prev) = out.last_mut().filter(|prev| prev.counted_by(&d)) {
            prev.qty = d.qty;
        } else {
            out.push(d);
        }
    }
    out
}

/// The first candidate value the product actually has, in the catalog's spelling.
pub(super) fn pick(cands: &[String], have: &[String]) -> Option<String> {
    cands.iter().find_map(|c| have.iter().find(|h| text::fold(h) == text::fold(c))).cloned()
}

/// Turns a draft into a claim: products narrowed by the variant named, size and colour checked
/// against the product (or any candidate while the product stays open).
pub(super) fn resolve(draft: &Draft, index: &CatalogIndex, fallback: Option<usize>) -> ClaimSpec {
    if let (Some(code), None) = (&draft.unknown, &draft.products) {
        return ClaimSpec {
            code: Some(code.clone()),
            qty: draft.qty.unwrap_or(1).max(1),
            qty_explicit: draft.qty.is_some(),
            size: draft.size.as_ref().and_then(|s| s.first().cloned()),
            color: draft.colour.as_ref().and_then(|c| c.first().cloned()),
        };
    }
    let mut cands = draft.products.clone().or_else(|| fallback.map(|p| vec![p])).unwrap_or_default();
    // A qualifier only one candidate has pins it down ("vestido rojo" → the red dress).
    if cands.len() > 1 && !draft.shared_number {
        let fits = |p: &usize| {
            let prod = &index.products[*p];
            draft.size.as_ref().is_none_or(|s| pick(s, &prod.sizes).is_some())
                && draft.colour.as_ref().is_none_or(|c| pick(c, &prod.colours).is_some())
        };
        let narrowed: Vec<usize> = cands.iter().copied().filter(fits).collect();
        if !narrowed.is_empty() {
            cands = narrowed;
        }
    }
    let code = (cands.len() == 1).then(|| cands[0]);
    let pool: Vec<&Indexed> =
        if cands.is_empty() { index.products.iter().collect() } else { cands.iter().map(|&p| &index.products[p]).collect() };
    let find_size = |wanted: &[String]| pool.iter().find_map(|p| pick(wanted, &p.sizes));
    let find_colour = |wanted: &[String]| pool.iter().find_map(|p| pick(wanted, &p.colours));
    let mut size = draft.size.as_deref().and_then(find_size);
    let mut color = draft.colour.as_deref().and_then(find_colour);
    if let Some((s, c)) = &draft.size_or_tone {
        size = size.or_else(|| find_size(s));
        if size.is_none() {
            color = color.or_else(|| find_colour(c));
        }
    }
    // A size and colour that never occur together: trust the colour, it usually named the item.
    if let (Some(p), Some(s), Some(c)) = (code, &size, &color) {
        if !index.products[p].skus.iter().any(|(ss, cc)| ss.as_ref() == Some(s) && cc.as_ref() == Some(c)) {
            size = None;
        }
    }
    ClaimSpec {
        code: code.map(|p| index.products[p].code.clone()),
        qty: draft.qty.unwrap_or(1).max(1),
        qty_explicit: draft.qty.is_some(),
        size,
        color,
    }
}

pub(super) fn build_claims(ex: &Extraction, index: &CatalogIndex, intent: Intent, current: Option<usize>) -> Vec<ClaimSpec> {
    // Each claim with the products its draft named, to compare claims left open.
    let mut named: Vec<(ClaimSpec, Option<Vec<usize>>)> = Vec::new();
    for d in group(&ex.items) {
        if intent == Intent::Cancel {
            // A cancel lists what it names; anything vaguer is resolved later from the order.
            let claim = d.products.is_some().then(|| resolve(&d, index, None));
            named.extend(claim.filter(|c| c.code.is_some()).map(|c| (c, d.products.clone())));
        } else {
            named.push((resolve(&d, index, current), d.products.clone()));
        }
    }
    // A bare mention next to a detailed one of the same product is the same item ("quero duas
    // do A12, uma P e uma M" → the two sized claims only); with no code, the same candidates
    // ("me gustaron las dos poleras, anótame una en M" → the M one only).
    let detailed = |c: &ClaimSpec| c.size.is_some() || c.color.is_some();
    let same_item = |(a, pa): &(ClaimSpec, Option<Vec<usize>>), (b, pb): &(ClaimSpec, Option<Vec<usize>>)| {
        if a.code.is_some() {
            a.code == b.code
        } else {
            pa.is_some() && pa == pb
        }
    };
    let keep: Vec<bool> =
        named.iter().map(|c| detailed(&c.0) || !named.iter().any(|other| detailed(&other.0) && same_item(c, other))).collect();
    let mut claims: Vec<ClaimSpec> = named.into_iter().zip(keep).filter(|(_, k)| *k).map(|((c, _), _)| c).collect();
    if claims.is_empty() && intent == Intent::Purchase {
        claims.push(ClaimSpec {
            code: current.map(|p| index.products[p].code.clone()),
            qty: 1,
            qty_explicit: false,
            size: None,
            color: None,
        });
    }
    claims
}
