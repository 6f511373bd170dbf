//! (interim) intent rules; replaced by the classifier's module.
use super::catalog::Catalog;
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSpec {
    pub code: Option<String>,
    pub qty: u32,
    #[serde(default)]
    pub qty_explicit: bool,
    pub size: Option<String>,
    pub color: Option<String>,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub intent: Intent,
    pub claims: Vec<ClaimSpec>,
    pub lang: Lang,
    pub confidence: f32,
    pub filtered: Option<String>,
}
pub const UNCLEAR_BELOW: f32 = 0.6;
pub struct CatalogIndex {
    codes: Vec<String>,
}
impl CatalogIndex {
    pub fn new(catalog: &Catalog) -> Self {
        CatalogIndex { codes: catalog.products.iter().map(|p| p.code.to_uppercase()).collect() }
    }
}
pub fn classify(text: &str, index: &CatalogIndex, current_product: Option<&str>) -> Classification {
    if let Some(r) = super::filter::noise(text) {
        return Classification { intent: Intent::Other, claims: vec![], lang: Lang::Es, confidence: 1.0, filtered: Some(r.to_string()) };
    }
    let up = text.to_uppercase();
    let words: Vec<&str> = up.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let claims: Vec<ClaimSpec> = words
        .iter()
        .filter(|w| index.codes.iter().any(|c| c == *w))
        .map(|w| ClaimSpec { code: Some(w.to_string()), qty: 1, qty_explicit: false, size: None, color: None })
        .collect();
    let intent = if up.contains("CANCEL") {
        Intent::Cancel
    } else if up.contains('?') {
        Intent::Question
    } else if !claims.is_empty() || words.iter().any(|w| ["YO", "MIO", "MÍO", "SOLD", "MINE", "QUIERO", "QUERO"].contains(w)) {
        Intent::Purchase
    } else {
        Intent::Other
    };
    let claims = match intent {
        Intent::Purchase if claims.is_empty() => {
            vec![ClaimSpec { code: current_product.map(str::to_string), qty: 1, qty_explicit: false, size: None, color: None }]
        }
        Intent::Purchase | Intent::Cancel => claims,
        _ => vec![],
    };
    Classification { intent, claims, lang: Lang::Es, confidence: 0.5, filtered: None }
}
