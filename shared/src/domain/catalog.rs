//! The seller's catalog as loaded from JSON, plus small read helpers.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The seller's catalog file (../shared/data/catalog.json format).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Catalog {
    #[serde(default)]
    pub seller: String,
    #[serde(default)]
    pub live_id: Option<String>,
    pub currency: String,
    #[serde(default)]
    pub current_product: Option<String>,
    #[serde(default)]
    pub transfer_instructions: Option<String>,
    /// What shipping costs, charged once per order; none: free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Shipping>,
    /// Facebook only: also answer the buyer's comment in public ("¡Listo! Te escribimos por
    /// privado"), from several templates so consecutive replies differ. Off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_replies: bool,
    /// Claims hold no stock: everyone claiming gets a link, the first payments win, a later payer
    /// on a sold-out variant is flagged for a refund (CommentSold's "first paid, first served").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_paid_first_served: bool,
    /// At most this many units per buyer per live (against hoarding); none: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units_per_buyer: Option<u32>,
    pub products: Vec<Product>,
}

/// Shipping, charged once per order: a live's purchases ship together, however many comments the
/// order grew from. Either a flat fee, or a fee per unit with an optional cap; `pickup` offers
/// free pickup instead (the reply says so).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_item_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_cents: Option<i64>,
    #[serde(default)]
    pub pickup: bool,
}

impl Shipping {
    /// The fee for an order of `units` units, in minor units.
    pub fn fee(&self, units: i64) -> i64 {
        match (self.flat_cents, self.per_item_cents) {
            (Some(flat), _) => flat,
            (None, Some(each)) => {
                let fee = each.saturating_mul(units.max(0));
                self.cap_cents.map_or(fee, |cap| fee.min(cap))
            }
            (None, None) => 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Product {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    pub price_cents: i64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    #[serde(default)]
    pub stock: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Variant {
    pub sku: String,
    pub size: Option<String>,
    pub color: Option<String>,
}

/// What an import changed, for the seller.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub version: i64,
    pub products: usize,
    /// Units for sale after the import, reserved ones included.
    pub units: i64,
    /// Products and SKUs no longer in the file, hidden from new claims.
    pub hidden: Vec<String>,
    /// SKUs whose new stock was below what is reserved: kept at the reserved count.
    pub short: Vec<ShortStock>,
    /// Waitlisted claims that got units from raised stock.
    pub promoted: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShortStock {
    pub sku: String,
    pub asked: i64,
    pub reserved: i64,
}

impl Catalog {
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Case-insensitive lookup by code.
    pub fn product(&self, code: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.code.eq_ignore_ascii_case(code))
    }
}

impl Product {
    /// Distinct sizes in catalog order.
    pub fn sizes(&self) -> Vec<&str> {
        distinct(self.variants.iter().filter_map(|v| v.size.as_deref()))
    }

    /// Distinct colours (or tones) in catalog order.
    pub fn colors(&self) -> Vec<&str> {
        distinct(self.variants.iter().filter_map(|v| v.color.as_deref()))
    }
}

fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"currency":"CLP","products":[
        {"code":"A1","name":"Vestido","price_cents":100,
         "variants":[{"sku":"A1-S-AZUL","size":"S","color":"azul"},{"sku":"A1-M-AZUL","size":"M","color":"azul"}]},
        {"code":"B5","name":"Aros","price_cents":50,"stock":{"B5":3}}]}"#;

    #[test]
    fn a_minimal_catalog_parses_with_defaults() {
        let c = Catalog::from_json(SMALL).expect("parses");
        assert_eq!(c.current_product, None);
        assert_eq!(c.products.len(), 2);
        assert!(c.products[1].variants.is_empty());
    }

    #[test]
    fn sizes_and_colours_are_listed_once_in_catalog_order() {
        let c = Catalog::from_json(SMALL).expect("parses");
        let a1 = c.product("a1").expect("found");
        assert_eq!(a1.sizes(), vec!["S", "M"]);
        assert_eq!(a1.colors(), vec!["azul"]);
    }

    #[test]
    fn the_labelled_sets_catalog_parses() {
        // The repository's own copy (tests/data/dev): the test fails, never skips, without it.
        let c = Catalog::from_json(include_str!("../../../tests/data/dev/catalog.json")).expect("parses");
        assert_eq!(c.products.len(), 24);
        assert_eq!(c.current_product.as_deref(), Some("B3"));
    }
}
