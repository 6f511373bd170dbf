//! A validated catalog, and the pure rule that turns a claim (code, size, colour) into a SKU or a
//! reason it can't be sold.
use super::catalog::{Catalog, Product};
use super::intent::ClaimSpec;
use super::money::{Currency, Money, MoneyError};
use super::text::fold;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog currency: {0}")]
    Currency(#[from] MoneyError),
    #[error("catalog has no products")]
    Empty,
    #[error("product code {0:?} is empty, too long or appears twice")]
    BadCode(String),
    #[error("product {code}: price {price} is negative")]
    NegativePrice { code: String, price: i64 },
    #[error("product {code}: SKU {sku:?} is empty or appears twice")]
    BadSku { code: String, sku: String },
    #[error("product {code}: stock key {key:?} is not one of its SKUs (or its code when it has no variants)")]
    StrayStockKey { code: String, key: String },
    #[error("product {code}: stock for {key} is negative ({qty})")]
    NegativeStock { code: String, key: String, qty: i64 },
    #[error("current_product {0:?} is not in the catalog")]
    UnknownCurrentProduct(String),
    #[error("shipping: {0}")]
    Shipping(&'static str),
    #[error("max_units_per_buyer must be at least 1")]
    BuyerCap,
}

/// One stock-keeping unit as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StockItem {
    pub sku: String,
    pub code: String,
    pub size: Option<String>,
    pub color: Option<String>,
    pub on_hand: i64,
}

/// Checks the catalog's invariants and lists its stock items (a product without variants is one
/// item keyed by its code). Missing stock entries mean zero.
pub fn validate(catalog: &Catalog) -> Result<Vec<StockItem>, CatalogError> {
    Currency::parse(&catalog.currency)?;
    if catalog.max_units_per_buyer == Some(0) {
        return Err(CatalogError::BuyerCap);
    }
    if let Some(s) = &catalog.shipping {
        let amounts = [s.flat_cents, s.per_item_cents, s.cap_cents];
        if amounts.iter().flatten().any(|a| *a < 0) {
            return Err(CatalogError::Shipping("amounts can't be negative"));
        }
        if s.flat_cents.is_some() && s.per_item_cents.is_some() {
            return Err(CatalogError::Shipping("give flat_cents or per_item_cents, not both"));
        }
        if s.cap_cents.is_some() && s.per_item_cents.is_none() {
            return Err(CatalogError::Shipping("cap_cents caps per_item_cents, which is missing"));
        }
    }
    if catalog.products.is_empty() {
        return Err(CatalogError::Empty);
    }
    let mut codes = HashSet::new();
    let mut skus = HashSet::new();
    let mut items = Vec::new();
    for p in &catalog.products {
        if p.code.trim().is_empty() || p.code.len() > 32 || !codes.insert(p.code.to_uppercase()) {
            return Err(CatalogError::BadCode(p.code.clone()));
        }
        if let Some(c) = &p.currency {
            Currency::parse(c)?;
        }
        if p.price_cents < 0 {
            return Err(CatalogError::NegativePrice { code: p.code.clone(), price: p.price_cents });
        }
        let keys: Vec<(String, Option<String>, Option<String>)> = if p.variants.is_empty() {
            vec![(p.code.clone(), None, None)]
        } else {
            p.variants.iter().map(|v| (v.sku.clone(), v.size.clone(), v.color.clone())).collect()
        };
        for (sku, size, color) in keys {
            if sku.trim().is_empty() || !skus.insert(sku.clone()) {
                return Err(CatalogError::BadSku { code: p.code.clone(), sku });
            }
            let on_hand = p.stock.get(&sku).copied().unwrap_or(0);
            if on_hand < 0 {
                return Err(CatalogError::NegativeStock { code: p.code.clone(), key: sku, qty: on_hand });
            }
            items.push(StockItem { sku, code: p.code.clone(), size, color, on_hand });
        }
        for key in p.stock.keys() {
            if !items.iter().any(|i| &i.sku == key && i.code == p.code) {
                return Err(CatalogError::StrayStockKey { code: p.code.clone(), key: key.clone() });
            }
        }
    }
    if let Some(cur) = &catalog.current_product {
        if find_product(catalog, cur).is_none() {
            return Err(CatalogError::UnknownCurrentProduct(cur.clone()));
        }
    }
    Ok(items)
}

pub fn find_product<'a>(catalog: &'a Catalog, code: &str) -> Option<&'a Product> {
    catalog.products.iter().find(|p| p.code.eq_ignore_ascii_case(code))
}

/// Why a claim can't become a reservation; each has its own reply to the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The comment wants something but names no product we could pin down.
    NoProduct,
    UnknownCode {
        code: String,
    },
    /// No variant has the size/colour asked for; `choices` is what the product comes in.
    UnknownVariant {
        code: String,
        asked: String,
        choices: Choices,
    },
    /// Several variants fit: the buyer must still say the size and/or colour listed.
    NeedsVariant {
        code: String,
        choices: Choices,
    },
}

impl Rejection {
    /// Short machine reason stored with the claim.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::NoProduct => "no_product",
            Rejection::UnknownCode { .. } => "unknown_code",
            Rejection::UnknownVariant { .. } => "unknown_variant",
            Rejection::NeedsVariant { .. } => "needs_variant",
        }
    }
}

/// The sizes and colours a buyer can still choose from (each empty when it doesn't vary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub sizes: Vec<String>,
    pub colors: Vec<String>,
}

impl Choices {
    fn of<'a>(variants: impl Iterator<Item = &'a super::catalog::Variant> + Clone) -> Self {
        let distinct = |vals: Vec<String>| dedup(vals);
        let sizes = distinct(variants.clone().filter_map(|v| v.size.clone()).collect());
        let colors = distinct(variants.filter_map(|v| v.color.clone()).collect());
        Choices { sizes: if sizes.len() > 1 { sizes } else { Vec::new() }, colors: if colors.len() > 1 { colors } else { Vec::new() } }
    }
}

/// A claim pinned to one SKU.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub code: String,
    pub sku: String,
    pub name: String,
    pub size: Option<String>,
    pub color: Option<String>,
    pub unit_price: Money,
}

fn same(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => fold(a.trim()) == fold(b.trim()),
        _ => false,
    }
}

/// The SKUs of `product` that fit the size and colour the claim gives (all of them when it gives none).
pub fn matching_skus(product: &Product, size: &Option<String>, color: &Option<String>) -> Vec<String> {
    if product.variants.is_empty() {
        return vec![product.code.clone()];
    }
    product
        .variants
        .iter()
        .filter(|v| size.is_none() || same(&v.size, size))
        .filter(|v| color.is_none() || same(&v.color, color))
        .map(|v| v.sku.clone())
        .collect()
}

/// Picks the SKU a claim means, or says why none can be picked.
pub fn resolve(catalog: &Catalog, claim: &ClaimSpec) -> Result<Resolved, Rejection> {
    let code = claim.code.as_deref().ok_or(Rejection::NoProduct)?;
    let product = find_product(catalog, code).ok_or_else(|| Rejection::UnknownCode { code: code.to_uppercase() })?;
    let currency = product.currency.as_deref().unwrap_or(&catalog.currency);
    let unit_price = Currency::parse(currency)
        .and_then(|c| Money::new(product.price_cents, c))
        .map_err(|_| Rejection::UnknownCode { code: product.code.clone() })?;
    let resolved = |sku: String, size: Option<String>, color: Option<String>| Resolved {
        code: product.code.clone(),
        sku,
        name: product.name.clone(),
        size,
        color,
        unit_price,
    };
    if product.variants.is_empty() {
        return Ok(resolved(product.code.clone(), None, None));
    }
    let fits: Vec<_> = product
        .variants
        .iter()
        .filter(|v| claim.size.is_none() || same(&v.size, &claim.size))
        .filter(|v| claim.color.is_none() || same(&v.color, &claim.color))
        .collect();
    match fits.as_slice() {
        [one] => Ok(resolved(one.sku.clone(), one.size.clone(), one.color.clone())),
        [] => {
            let asked = [claim.size.as_deref(), claim.color.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
            Err(Rejection::UnknownVariant { code: product.code.clone(), asked, choices: Choices::of(product.variants.iter()) })
        }
        many => Err(Rejection::NeedsVariant { code: product.code.clone(), choices: Choices::of(many.iter().copied()) }),
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    v.into_iter().filter(|s| !s.is_empty() && seen.insert(s.clone())).collect()
}

/// What the product comes in, for replies.
pub fn choices(product: &Product) -> Choices {
    Choices::of(product.variants.iter())
}

/// Stock keys of a catalog with their units, in catalog order (products, then variants).
pub fn stock_keys(catalog: &Catalog) -> Vec<(String, i64)> {
    catalog
        .products
        .iter()
        .flat_map(|p| {
            let keys: Vec<String> =
                if p.variants.is_empty() { vec![p.code.clone()] } else { p.variants.iter().map(|v| v.sku.clone()).collect() };
            keys.into_iter()
                .filter(|k| p.stock.contains_key(k))
                .map(|k| (k.clone(), p.stock.get(&k).copied().unwrap_or(0)))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Variant;

    fn catalog() -> Catalog {
        serde_json::from_value(serde_json::json!({
        "currency": "CLP", "current_product": "B3",
        "products": [
            {"code": "A12", "name": "Polera", "price_cents": 12990,
             "variants": [{"sku": "A12-S", "size": "S", "color": null}, {"sku": "A12-M", "size": "M", "color": null}],
             "stock": {"A12-S": 2, "A12-M": 0}},
            {"code": "B3", "name": "Sandalias", "price_cents": 27990,
             "variants": [{"sku": "B3-38-NEGRO", "size": "38", "color": "negro"}, {"sku": "B3-38-BEIGE", "size": "38", "color": "beige"}],
             "stock": {"B3-38-NEGRO": 1, "B3-38-BEIGE": 1}},
            {"code": "B5", "name": "Aros", "price_cents": 12990, "variants": [], "stock": {"B5": 10}}
        ]}))
        .expect("catalog")
    }

    fn spec(code: Option<&str>, size: Option<&str>, color: Option<&str>) -> ClaimSpec {
        ClaimSpec {
            code: code.map(str::to_string),
            qty: 1,
            qty_explicit: false,
            size: size.map(str::to_string),
            color: color.map(str::to_string),
        }
    }

    #[test]
    fn a_valid_catalog_lists_one_stock_item_per_sku_or_code() {
        let items = validate(&catalog()).expect("valid");
        assert_eq!(items.len(), 5);
        assert!(items.iter().any(|i| i.sku == "B5" && i.on_hand == 10));
    }

    #[test]
    fn invalid_catalogs_are_refused_with_the_reason() {
        let mut c = catalog();
        c.products[0].stock.insert("A12-XXL".into(), 1);
        assert!(matches!(validate(&c), Err(CatalogError::StrayStockKey { .. })));
        let mut c = catalog();
        c.products[1].variants.push(Variant { sku: "A12-S".into(), size: None, color: None });
        assert!(matches!(validate(&c), Err(CatalogError::BadSku { .. })));
        let mut c = catalog();
        c.current_product = Some("Z1".into());
        assert!(matches!(validate(&c), Err(CatalogError::UnknownCurrentProduct(_))));
        let mut c = catalog();
        c.currency = "pesos".into();
        assert!(matches!(validate(&c), Err(CatalogError::Currency(_))));
        for bad in [r#"{"flat_cents": -1}"#, r#"{"flat_cents": 3990, "per_item_cents": 500}"#, r#"{"flat_cents": 3990, "cap_cents": 500}"#]
        {
            let mut c = catalog();
            c.shipping = Some(serde_json::from_str(bad).expect("shipping"));
            assert!(matches!(validate(&c), Err(CatalogError::Shipping(_))), "{bad}");
        }
        assert!(serde_json::from_str::<crate::domain::catalog::Shipping>(r#"{"flat": 1}"#).is_err(), "unknown fields are refused");
    }

    #[test]
    fn shipping_is_flat_or_per_unit_up_to_its_cap() {
        let s = |json: &str| serde_json::from_str::<crate::domain::catalog::Shipping>(json).expect("shipping");
        assert_eq!(s(r#"{"flat_cents": 3990}"#).fee(7), 3990);
        assert_eq!(s(r#"{"per_item_cents": 500, "cap_cents": 1500}"#).fee(2), 1000);
        assert_eq!(s(r#"{"per_item_cents": 500, "cap_cents": 1500}"#).fee(9), 1500);
        assert_eq!(s(r#"{"per_item_cents": 500}"#).fee(9), 4500);
        assert_eq!(s(r#"{"pickup": true}"#).fee(3), 0);
    }

    #[test]
    fn a_claim_with_code_and_size_resolves_to_its_sku() {
        let r = resolve(&catalog(), &spec(Some("a12"), Some("m"), None)).expect("resolves");
        assert_eq!((r.sku.as_str(), r.unit_price.minor()), ("A12-M", 12990));
    }

    #[test]
    fn products_without_variants_resolve_to_their_code() {
        assert_eq!(resolve(&catalog(), &spec(Some("B5"), None, None)).map(|r| r.sku), Ok("B5".to_string()));
    }

    #[test]
    fn unknown_codes_and_variants_and_missing_choices_are_explained() {
        let c = catalog();
        assert_eq!(resolve(&c, &spec(None, Some("M"), None)), Err(Rejection::NoProduct));
        assert!(matches!(resolve(&c, &spec(Some("Z9"), None, None)), Err(Rejection::UnknownCode { .. })));
        let Err(Rejection::UnknownVariant { choices, .. }) = resolve(&c, &spec(Some("A12"), Some("XXS"), None)) else {
            panic!("unknown variant")
        };
        assert_eq!((choices.sizes, choices.colors), (vec!["S".to_string(), "M".to_string()], vec![]));
        let Err(Rejection::NeedsVariant { choices, .. }) = resolve(&c, &spec(Some("B3"), Some("38"), None)) else {
            panic!("needs variant")
        };
        assert_eq!(
            (choices.sizes, choices.colors),
            (vec![], vec!["negro".to_string(), "beige".to_string()]),
            "only the colour is still open"
        );
    }
}
