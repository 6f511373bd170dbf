//! Rule-based intent and claim extraction for live-selling comments (es/pt/en).
//!
//! Pipeline: noise filter → normalise (fold accents, rewrite code spellings as "a12") → phrase
//! cues decide the intent → a token walk turns codes, names, sizes, colours and quantities into
//! items → items are grouped into claims and resolved against the catalog.
//!
//! One file per part: `cues` (phrase regexes), `words` (word lists), `index` (the catalog index),
//! `walk` (normalising and the token walk), `group` (items into claims), `decide` (the intent and
//! the language); the types and `classify` here. The parts share their items with each other
//! (`pub(super)`), never outside this module.

use super::catalog::{Catalog, Product};
use super::filter;
use super::text;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

mod cues;
mod decide;
mod group;
mod index;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_phrasing;
mod walk;
mod words;

use cues::*;
use decide::*;
use group::*;
pub use index::CatalogIndex;
use index::*;
use walk::*;
use words::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    Purchase,
    Cancel,
    Question,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Es,
    Pt,
    En,
}

/// One item a comment names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSpec {
    /// Catalog code upper-case, None = could not be pinned down.
    pub code: Option<String>,
    /// >= 1
    pub qty: u32,
    /// The comment gave a number (a cancel without one cancels everything matching). Kept when
    /// stored, so a stage retry reads back the same decision.
    #[serde(default)]
    pub qty_explicit: bool,
    /// Catalog's canonical size string.
    pub size: Option<String>,
    /// Catalog's canonical colour.
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub intent: Intent,
    pub claims: Vec<ClaimSpec>,
    pub lang: Lang,
    /// 0.0..=1.0: how sure the rules are. Below UNCLEAR_BELOW the comment would go to an LLM later.
    pub confidence: f32,
    /// Some(reason) when the noise filter dropped it (then intent is Other, claims empty).
    pub filtered: Option<String>,
    /// For a question: the product (and variant) it is about, the current product when none is
    /// named; used to answer it from the catalog.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<ClaimSpec>,
    /// The rules were unsure (confidence below `UNCLEAR_BELOW`): an LLM was asked when configured.
    #[serde(default)]
    pub unclear: bool,
    /// Why the seller should check this decision (the LLM failed or answered outside the catalog
    /// and the rules decided instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
}

pub const UNCLEAR_BELOW: f32 = 0.6;

impl Classification {
    /// Whether an LLM should look at it: not noise, and below the rules' confidence threshold.
    pub fn needs_llm(&self) -> bool {
        self.filtered.is_none() && self.confidence < UNCLEAR_BELOW
    }
}

pub fn classify(text: &str, index: &CatalogIndex, current_product: Option<&str>) -> Classification {
    let prepared = prepare(text, index);
    let lang = detect_lang(text, &prepared.tokens);
    if let Some(reason) = filter::noise(text) {
        return Classification {
            intent: Intent::Other,
            claims: Vec::new(),
            lang,
            confidence: 0.95,
            filtered: Some(reason.to_string()),
            about: Vec::new(),
            unclear: false,
            review: None,
        };
    }
    // An unknown override code means "no current product", never an invented code.
    let current = match current_product {
        Some(c) => index.by_code.get(&compact_code(c)).copied(),
        None => index.current,
    };
    let ex = extract(&prepared.tokens, index, lang, &prepared.names);
    let clause = clause_claim(&prepared, &ex, index, lang, current);
    let (intent, mut confidence) = decide(&prepared, &ex, clause, lang);
    let claims = match intent {
        Intent::Purchase | Intent::Cancel => build_claims(&ex, index, intent, current),
        Intent::Question | Intent::Other => Vec::new(),
    };
    if intent == Intent::Purchase && claims.iter().any(|c| c.code.is_none()) {
        confidence = confidence.min(0.7);
    }
    // A question's subject, read like a claim (the product on screen when none is named).
    let about = if intent == Intent::Question { build_claims(&ex, index, Intent::Purchase, current) } else { Vec::new() };
    let unclear = confidence < UNCLEAR_BELOW;
    Classification { intent, claims, lang, confidence, filtered: None, about, unclear, review: None }
}
