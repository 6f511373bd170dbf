//! What one purchase comment may claim: its claims resolved against the catalog, repeats of the
//! same variant merged into one claim, and the per-comment caps applied — a comment over them
//! claims nothing (one comment repeating a code can't take a variant's whole stock).
use super::catalog::Catalog;
use super::intent::ClaimSpec;
use super::inventory::{resolve, Rejection, Resolved};
use super::reservation::Quantity;

/// The most a single comment may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_units: u32,
    pub max_claims: u32,
}

/// One claim of the comment, after merging.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    Reserve { resolved: Resolved, qty: Quantity },
    Reject { code: Option<String>, qty: Quantity, rejection: Rejection },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Claims(Vec<Planned>),
    /// Over a cap: nothing from the comment is reserved; the reply says the limit.
    OverLimit {
        units: u64,
        claims: usize,
    },
}

/// A claim resolved to a SKU, or refused with the code it named.
type Outcome = Result<Resolved, (Option<String>, Rejection)>;

/// Resolves, merges and caps a comment's claims, in the order the comment gave them.
pub fn plan(catalog: &Catalog, specs: &[ClaimSpec], limits: Limits) -> Plan {
    // (claim, units asked) in first-mention order.
    let mut merged: Vec<(Outcome, u64)> = Vec::new();
    for spec in specs {
        let outcome = resolve(catalog, spec).map_err(|r| (spec.code.clone(), r));
        let same = merged.iter_mut().find(|(m, _)| match (m, &outcome) {
            (Ok(a), Ok(b)) => a.sku == b.sku,
            (Err((_, a)), Err((_, b))) => a == b,
            _ => false,
        });
        match same {
            Some((_, units)) => *units += u64::from(spec.qty),
            None => merged.push((outcome, u64::from(spec.qty))),
        }
    }
    let units: u64 = merged.iter().map(|(_, n)| n).sum();
    let too_many = merged.len() > limits.max_claims as usize || units > u64::from(limits.max_units);
    let quantities: Option<Vec<Quantity>> =
        merged.iter().map(|(_, n)| u32::try_from(*n).ok().filter(|n| *n <= limits.max_units).and_then(Quantity::new)).collect();
    let (Some(quantities), false) = (quantities, too_many) else {
        return Plan::OverLimit { units, claims: merged.len() };
    };
    Plan::Claims(
        merged
            .into_iter()
            .zip(quantities)
            .map(|((outcome, _), qty)| match outcome {
                Ok(resolved) => Planned::Reserve { resolved, qty },
                Err((code, rejection)) => Planned::Reject { code, qty, rejection },
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        serde_json::from_value(serde_json::json!({
        "seller": "T", "currency": "CLP",
        "products": [
            {"code": "A12", "name": "Polera", "price_cents": 12990,
             "variants": [{"sku": "A12-S", "size": "S", "color": null}, {"sku": "A12-M", "size": "M", "color": null}],
             "stock": {"A12-S": 3, "A12-M": 20}},
            {"code": "B5", "name": "Aros", "price_cents": 12990, "variants": [], "stock": {"B5": 10}}
        ]}))
        .expect("catalog")
    }

    fn spec(code: &str, qty: u32, size: Option<&str>) -> ClaimSpec {
        ClaimSpec { code: Some(code.into()), qty, qty_explicit: qty > 1, size: size.map(str::to_string), color: None }
    }

    const LIMITS: Limits = Limits { max_units: 5, max_claims: 5 };

    #[test]
    fn repeats_of_one_variant_become_one_claim() {
        let specs = [spec("B5", 1, None), spec("A12", 1, Some("M")), spec("B5", 2, None)];
        let Plan::Claims(claims) = plan(&catalog(), &specs, LIMITS) else { panic!("within the limits") };
        let got: Vec<(String, u32)> = claims
            .iter()
            .map(|c| match c {
                Planned::Reserve { resolved, qty } => (resolved.sku.clone(), qty.get()),
                Planned::Reject { .. } => ("rejected".into(), 0),
            })
            .collect();
        assert_eq!(got, [("B5".to_string(), 3), ("A12-M".to_string(), 1)]);
    }

    #[test]
    fn a_code_repeated_four_hundred_times_reserves_nothing() {
        let specs: Vec<ClaimSpec> = (0..400).map(|_| spec("B5", 1, None)).collect();
        assert_eq!(plan(&catalog(), &specs, LIMITS), Plan::OverLimit { units: 400, claims: 1 });
    }

    #[test]
    fn too_many_units_or_claims_in_one_comment_reserve_nothing() {
        assert_eq!(plan(&catalog(), &[spec("A12", 6, Some("M"))], LIMITS), Plan::OverLimit { units: 6, claims: 1 });
        let many: Vec<ClaimSpec> = ["A12", "B5", "Z1", "Z2", "Z3", "Z4"].iter().map(|c| spec(c, 1, None)).collect();
        assert!(matches!(plan(&catalog(), &many, Limits { max_units: 50, max_claims: 5 }), Plan::OverLimit { claims: 6, .. }));
        assert!(matches!(plan(&catalog(), &[spec("A12", 5, Some("M"))], LIMITS), Plan::Claims(_)), "the cap itself is allowed");
    }

    #[test]
    fn refusals_are_kept_in_order_and_merged_when_identical() {
        let specs = [spec("Z9", 1, None), spec("B5", 1, None), spec("Z9", 1, None)];
        let Plan::Claims(claims) = plan(&catalog(), &specs, LIMITS) else { panic!("within the limits") };
        assert_eq!(claims.len(), 2);
        assert!(matches!(&claims[0], Planned::Reject { rejection: Rejection::UnknownCode { .. }, qty, .. } if qty.get() == 2));
    }
}
