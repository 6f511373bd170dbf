//! The seller's catalog file (`../shared/data/catalog.json` format).
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
    pub products: Vec<Product>,
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
