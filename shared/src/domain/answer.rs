//! Answers to buyers' questions about a product — price, sizes, stock — from the catalog, in the
//! buyer's language. Pure: the reserve stage passes in the stock it read.
use super::catalog::Product;
use super::intent::Lang;
use super::money::Money;
use super::text::fold;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Price,
    Sizes,
    Stock,
}

static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(precio|precios|valor|cuanto|cuesta|cuestan|sale|vale|custa|quanto|preco|price|cost|costs|how much)\b")
        .expect("valid regex")
});
static SIZES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(tallas?|talles?|tamanhos?|numeracao|numeros?|sizes?|medidas?|horma|calce|come in|vem em|viene en)\b")
        .expect("valid regex")
});
static STOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(hay|queda|quedan|quedo|tiene|tienen|tienes|disponible|disponibles|stock|agotad[oa]s?|vendio|tem|ainda|esgot\w*|dispon\w*|available|left|sold out|in stock|have)\b")
        .expect("valid regex")
});

/// What a question asks, when it is one the catalog can answer.
pub fn topic(text: &str) -> Option<Topic> {
    let t = fold(text);
    if PRICE.is_match(&t) {
        Some(Topic::Price)
    } else if SIZES.is_match(&t) {
        Some(Topic::Sizes)
    } else if STOCK.is_match(&t) {
        Some(Topic::Stock)
    } else {
        None
    }
}

/// One variant with the units still available.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    pub size: Option<String>,
    pub color: Option<String>,
    pub available: i64,
}

fn label(a: &Availability) -> String {
    [a.size.as_deref(), a.color.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The reply to a question about `product`. `asked_size` / `asked_color` narrow a stock question
/// ("¿hay en M?").
pub fn answer(
    lang: Lang,
    topic: Topic,
    product: &Product,
    price: Money,
    stock: &[Availability],
    asked_size: Option<&str>,
    asked_color: Option<&str>,
) -> String {
    let item = format!("{} {}", product.code, product.name);
    let matches = |a: &&Availability| {
        asked_size.is_none_or(|s| a.size.as_deref().is_some_and(|x| fold(x) == fold(s)))
            && asked_color.is_none_or(|c| a.color.as_deref().is_some_and(|x| fold(x) == fold(c)))
    };
    let body = match topic {
        Topic::Price => match lang {
            Lang::Es => format!("{item} cuesta {}.", price.display(false)),
            Lang::Pt => format!("{item} custa {}.", price.display(false)),
            Lang::En => format!("{item} costs {}.", price.display(true)),
        },
        Topic::Sizes => {
            let sizes = distinct(stock.iter().filter_map(|a| a.size.clone()));
            let colors = distinct(stock.iter().filter_map(|a| a.color.clone()));
            let in_stock = distinct(stock.iter().filter(|a| a.available > 0).filter_map(|a| a.size.clone()));
            match (lang, sizes.is_empty()) {
                (Lang::Es, true) => format!("{item} es talla única{}.", colors_phrase(lang, &colors)),
                (Lang::Pt, true) => format!("{item} é tamanho único{}.", colors_phrase(lang, &colors)),
                (Lang::En, true) => format!("{item} is one size{}.", colors_phrase(lang, &colors)),
                (Lang::Es, false) => format!(
                    "{item} viene en talla {}{}. Disponibles ahora: {}.",
                    sizes.join(", "),
                    colors_phrase(lang, &colors),
                    none_or(lang, &in_stock)
                ),
                (Lang::Pt, false) => format!(
                    "{item} vem no tamanho {}{}. Disponíveis agora: {}.",
                    sizes.join(", "),
                    colors_phrase(lang, &colors),
                    none_or(lang, &in_stock)
                ),
                (Lang::En, false) => format!(
                    "{item} comes in size {}{}. In stock now: {}.",
                    sizes.join(", "),
                    colors_phrase(lang, &colors),
                    none_or(lang, &in_stock)
                ),
            }
        }
        Topic::Stock => {
            let asked: Vec<&Availability> = stock.iter().filter(matches).collect();
            let left: Vec<String> = asked
                .iter()
                .filter(|a| a.available > 0)
                .map(|a| {
                    let l = label(a);
                    if l.is_empty() {
                        a.available.to_string()
                    } else {
                        format!("{l} ({})", a.available)
                    }
                })
                .collect();
            let what = [asked_size, asked_color].into_iter().flatten().collect::<Vec<_>>().join(" ");
            let target = if what.is_empty() { item.clone() } else { format!("{item} {what}") };
            match (lang, left.is_empty()) {
                (Lang::Es, true) => format!("{target} está agotado por ahora; si comentas quedas en la lista de espera."),
                (Lang::Pt, true) => format!("{target} está esgotado por enquanto; se comentar, entra na lista de espera."),
                (Lang::En, true) => format!("{target} is sold out for now; comment to join the waitlist."),
                (Lang::Es, false) => format!("Sí, quedan de {target}: {}.", left.join(", ")),
                (Lang::Pt, false) => format!("Sim, ainda tem {target}: {}.", left.join(", ")),
                (Lang::En, false) => format!("Yes, {target} left: {}.", left.join(", ")),
            }
        }
    };
    // The example points at what was asked about when some of it is left.
    let asked: Vec<Availability> = stock.iter().filter(matches).filter(|a| a.available > 0).cloned().collect();
    let pool = if asked.is_empty() { stock } else { &asked[..] };
    let how = match lang {
        Lang::Es => format!("Para reservar comenta el código y la variante, por ejemplo «{}».", example(product, pool)),
        Lang::Pt => format!("Para reservar comente o código e a variante, por exemplo «{}».", example(product, pool)),
        Lang::En => format!("To reserve, comment the code and variant, e.g. \"{}\".", example(product, pool)),
    };
    format!("{body} {how}")
}

fn colors_phrase(lang: Lang, colors: &[String]) -> String {
    if colors.is_empty() {
        return String::new();
    }
    match lang {
        Lang::Es => format!(" y color {}", colors.join(", ")),
        Lang::Pt => format!(" e cor {}", colors.join(", ")),
        Lang::En => format!(" and colour {}", colors.join(", ")),
    }
}

fn none_or(lang: Lang, v: &[String]) -> String {
    if !v.is_empty() {
        return v.join(", ");
    }
    match lang {
        Lang::Es => "ninguna".into(),
        Lang::Pt => "nenhum".into(),
        Lang::En => "none".into(),
    }
}

fn example(product: &Product, stock: &[Availability]) -> String {
    let first = stock.iter().find(|a| a.available > 0).or(stock.first());
    let variant = first.map(label).unwrap_or_default();
    if variant.is_empty() {
        product.code.clone()
    } else {
        format!("{} {variant}", product.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn polera() -> Product {
        serde_json::from_value(serde_json::json!({"code": "A12", "name": "Polera básica", "price_cents": 12990,
            "variants": [{"sku": "A12-S", "size": "S", "color": null}, {"sku": "A12-M", "size": "M", "color": null}]}))
        .expect("product")
    }

    fn stock(s: i64, m: i64) -> Vec<Availability> {
        vec![
            Availability { size: Some("S".into()), color: None, available: s },
            Availability { size: Some("M".into()), color: None, available: m },
        ]
    }

    fn clp(n: i64) -> Money {
        Money::new(n, Currency::parse("CLP").expect("clp")).expect("money")
    }

    #[test]
    fn questions_are_sorted_by_what_they_ask() {
        assert_eq!(topic("precio?"), Some(Topic::Price));
        assert_eq!(topic("quanto custa o A12?"), Some(Topic::Price));
        assert_eq!(topic("how much is the hoodie"), Some(Topic::Price));
        assert_eq!(topic("qué tallas tiene?"), Some(Topic::Sizes));
        assert_eq!(topic("tem no P?"), Some(Topic::Stock));
        assert_eq!(topic("el A12 ya se vendió?"), Some(Topic::Stock));
        assert_eq!(topic("hacen envíos a Valparaíso?"), None);
    }

    #[test]
    fn a_price_question_gets_the_price_in_the_buyers_convention() {
        let es = answer(Lang::Es, Topic::Price, &polera(), clp(12990), &stock(1, 0), None, None);
        assert_eq!(es, "A12 Polera básica cuesta $12.990 CLP. Para reservar comenta el código y la variante, por ejemplo «A12 S».");
        let en = answer(Lang::En, Topic::Price, &polera(), clp(12990), &stock(1, 0), None, None);
        assert!(en.starts_with("A12 Polera básica costs $12,990 CLP."), "{en}");
    }

    #[test]
    fn size_and_stock_questions_answer_from_the_live_stock() {
        let sizes = answer(Lang::Pt, Topic::Sizes, &polera(), clp(1), &stock(0, 3), None, None);
        assert!(sizes.starts_with("A12 Polera básica vem no tamanho S, M. Disponíveis agora: M."), "{sizes}");
        let m = answer(Lang::Es, Topic::Stock, &polera(), clp(1), &stock(0, 3), Some("M"), None);
        assert!(m.starts_with("Sí, quedan de A12 Polera básica M: M (3)."), "{m}");
        let s = answer(Lang::En, Topic::Stock, &polera(), clp(1), &stock(0, 3), Some("S"), None);
        assert!(s.starts_with("A12 Polera básica S is sold out for now"), "{s}");
    }
}
