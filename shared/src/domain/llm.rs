//! What an LLM is shown (a handful of candidate products, never the whole catalog) and what of its
//! answer is trusted: only codes, sizes and colours the catalog has, in the catalog's spelling.
use super::catalog::{Catalog, Product};
use super::ids::{CommentId, PageId};
use super::intent::{ClaimSpec, Intent};
use super::inventory::find_product;
use super::reservation::MAX_QTY;
use super::text::fold;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A product the LLM may name: only a few candidates go in the prompt, never the whole catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateProduct {
    pub code: String,
    pub name: String,
    pub sizes: Vec<String>,
    pub colors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    pub page: PageId,
    pub comment_id: CommentId,
    pub text: String,
    pub candidates: Vec<CandidateProduct>,
    pub current_product: Option<String>,
}

/// A claim as the model wrote it: not trusted until checked against the catalog.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct LlmClaim {
    pub code: Option<String>,
    pub qty: Option<u32>,
    pub size: Option<String>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmAnswer {
    pub intent: Intent,
    pub claims: Vec<LlmClaim>,
    pub tokens_in: u32,
    pub tokens_out: u32,
}

/// Why the LLM gave no usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("no answer within the deadline")]
    Timeout,
    #[error("rate limited")]
    RateLimited,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("malformed answer: {0}")]
    Malformed(String),
    #[error("circuit open after repeated failures")]
    CircuitOpen,
}

impl LlmError {
    /// The `ai_logs.outcome` word.
    pub fn outcome(&self) -> &'static str {
        match self {
            LlmError::Timeout => "timeout",
            LlmError::RateLimited => "rate_limited",
            LlmError::Unavailable(_) => "unavailable",
            LlmError::Malformed(_) => "malformed",
            LlmError::CircuitOpen => "circuit_open",
        }
    }
}

/// One LLM decision (or a cache hit standing for one), as `ai_logs` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AiCall {
    pub page_id: PageId,
    pub comment_id: CommentId,
    pub model: String,
    pub latency_ms: u64,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub cached: bool,
    /// ok, cache_hit, timeout, rate_limited, unavailable, malformed, invalid_answer, circuit_open
    pub outcome: String,
    pub fallback_reason: Option<String>,
    pub at: DateTime<Utc>,
}

fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 2).map(str::to_string).collect()
}

fn candidate(p: &Product) -> CandidateProduct {
    let mut sizes = Vec::new();
    let mut colors = Vec::new();
    for v in &p.variants {
        if let Some(s) = &v.size {
            if !sizes.contains(s) {
                sizes.push(s.clone());
            }
        }
        if let Some(c) = &v.color {
            if !colors.contains(c) {
                colors.push(c.clone());
            }
        }
    }
    CandidateProduct { code: p.code.clone(), name: p.name.clone(), sizes, colors }
}

/// Up to `max` products the comment may be about, best first: a code written out, words of the
/// name or category, a colour; the product on screen always among them.
pub fn candidates(catalog: &Catalog, text: &str, current: Option<&str>, max: usize) -> Vec<CandidateProduct> {
    let said = words(text);
    let compact: Vec<String> = said.iter().map(|w| w.replace('-', "")).collect();
    let mut scored: Vec<(i32, usize)> = catalog
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let code = fold(&p.code).replace(['-', ' ', '.'], "");
            let mut score = if compact.contains(&code) { 10 } else { 0 };
            let name_words = words(&format!("{} {}", p.name, p.category));
            // Prefix match tolerates plurals and endings ("sandalias" ~ "sandalia", "poleras").
            score += said
                .iter()
                .filter(|w| w.len() >= 4 && name_words.iter().any(|n| n.len() >= 4 && (n.starts_with(&w[..4]) || w.starts_with(&n[..4]))))
                .count() as i32
                * 3;
            let colours: Vec<String> = p.variants.iter().filter_map(|v| v.color.as_deref()).map(fold).collect();
            score += said.iter().filter(|w| colours.iter().any(|c| c.len() >= 3 && w.starts_with(&c[..3]))).count() as i32;
            if current.is_some_and(|c| c.eq_ignore_ascii_case(&p.code)) {
                score += 2;
            }
            (score, i)
        })
        .filter(|(s, _)| *s > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(max.max(1)).map(|(_, i)| candidate(&catalog.products[i])).collect()
}

fn canonical(wanted: &str, have: &[String]) -> Option<String> {
    have.iter().find(|h| fold(h.trim()) == fold(wanted.trim())).cloned()
}

/// Checks the model's claims against the catalog. Anything it names that the catalog doesn't
/// have rejects the whole answer (it is then not trusted at all, the rules decide).
pub fn accept(catalog: &Catalog, answer: &LlmAnswer, current: Option<&str>) -> Result<Vec<ClaimSpec>, String> {
    if !matches!(answer.intent, Intent::Purchase | Intent::Cancel) {
        return Ok(Vec::new());
    }
    let all: Vec<CandidateProduct> = catalog.products.iter().map(candidate).collect();
    let mut out = Vec::new();
    for c in &answer.claims {
        let qty = c.qty.unwrap_or(1);
        if !(1..=MAX_QTY).contains(&qty) {
            return Err(format!("quantity {qty} out of range"));
        }
        let product = match c.code.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(candidate(find_product(catalog, code).ok_or_else(|| format!("code {code} is not in the catalog"))?)),
            None => None,
        };
        let pool: Vec<&CandidateProduct> = match &product {
            Some(p) => vec![p],
            None => all.iter().collect(),
        };
        let size = match c.size.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(pool.iter().find_map(|p| canonical(s, &p.sizes)).ok_or_else(|| format!("size {s} is not in the catalog"))?),
            None => None,
        };
        let color = match c.color.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(col) => {
                Some(pool.iter().find_map(|p| canonical(col, &p.colors)).ok_or_else(|| format!("colour {col} is not in the catalog"))?)
            }
            None => None,
        };
        out.push(ClaimSpec { code: product.map(|p| p.code), qty, qty_explicit: c.qty.is_some_and(|q| q != 1), size, color });
    }
    if out.is_empty() && answer.intent == Intent::Purchase {
        // "mine!" on the item being shown, as the rules do.
        out.push(ClaimSpec { code: current.map(str::to_string), qty: 1, qty_explicit: false, size: None, color: None });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::LlmClaim;
    use super::*;

    fn catalog() -> Catalog {
        serde_json::from_value(serde_json::json!({"currency": "CLP", "current_product": "B3", "products": [
            {"code": "A1", "name": "Vestido midi floral", "category": "ropa", "price_cents": 1,
             "variants": [{"sku": "a", "size": "S", "color": "azul"}, {"sku": "b", "size": "M", "color": "rosado"}]},
            {"code": "A7", "name": "Vestido largo de fiesta", "category": "ropa", "price_cents": 1,
             "variants": [{"sku": "c", "size": "S", "color": "rojo"}]},
            {"code": "B3", "name": "Sandalias de plataforma", "category": "calzado", "price_cents": 1,
             "variants": [{"sku": "d", "size": "38", "color": "negro"}]},
            {"code": "B5", "name": "Aros de plata", "category": "accesorios", "price_cents": 1}
        ]}))
        .expect("catalog")
    }

    fn answer(intent: Intent, claims: Vec<LlmClaim>) -> LlmAnswer {
        LlmAnswer { intent, claims, tokens_in: 0, tokens_out: 0 }
    }

    fn claim(code: Option<&str>, size: Option<&str>, color: Option<&str>) -> LlmClaim {
        LlmClaim { code: code.map(Into::into), qty: Some(1), size: size.map(Into::into), color: color.map(Into::into) }
    }

    #[test]
    fn candidates_are_the_products_the_comment_may_mean_not_the_whole_catalog() {
        let c = catalog();
        let codes = |t: &str| candidates(&c, t, Some("B3"), 3).into_iter().map(|p| p.code).collect::<Vec<_>>();
        assert_eq!(codes("el vestidito rojo porfa")[..2], ["A7".to_string(), "A1".to_string()], "the red one first");
        assert_eq!(codes("a1 en M"), ["A1", "B3"]);
        assert_eq!(codes("hmm"), ["B3"], "the product on screen is always a candidate");
    }

    #[test]
    fn answers_inside_the_catalog_are_accepted_in_its_spelling() {
        let got = accept(&catalog(), &answer(Intent::Purchase, vec![claim(Some("a7"), Some("s"), Some("ROJO"))]), Some("B3"));
        assert_eq!(
            got.map(|v| (v[0].code.clone(), v[0].size.clone(), v[0].color.clone())),
            Ok((Some("A7".into()), Some("S".into()), Some("rojo".into())))
        );
        let bare = accept(&catalog(), &answer(Intent::Purchase, vec![]), Some("B3")).expect("accepted");
        assert_eq!(bare[0].code.as_deref(), Some("B3"));
        assert_eq!(accept(&catalog(), &answer(Intent::Question, vec![claim(Some("Z1"), None, None)]), None), Ok(vec![]));
    }

    #[test]
    fn codes_sizes_or_colours_outside_the_catalog_reject_the_answer() {
        let c = catalog();
        assert!(accept(&c, &answer(Intent::Purchase, vec![claim(Some("Z9"), None, None)]), None).is_err());
        assert!(accept(&c, &answer(Intent::Purchase, vec![claim(Some("A7"), Some("XL"), None)]), None).is_err());
        assert!(accept(&c, &answer(Intent::Purchase, vec![claim(Some("A1"), None, Some("verde"))]), None).is_err());
        let too_many = LlmClaim { qty: Some(500), ..claim(Some("B5"), None, None) };
        assert!(accept(&c, &answer(Intent::Purchase, vec![too_many]), None).is_err());
    }
}
