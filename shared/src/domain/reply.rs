//! The private reply's text, in the buyer's language. Pure: the respond stage only sends it.
use super::intent::Lang;
use super::inventory::{Choices, Rejection};
use super::money::Money;
use super::reservation::PaymentInstructions;

/// What happened to one claim of the comment, ready to be told.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimResult {
    Reserved { item: String, qty: u32, line_total: Money },
    Waitlisted { item: String, qty: u32 },
    Rejected(Rejection),
}

/// "A12 Polera básica (M, negro)".
pub fn item_label(code: &str, name: &str, size: Option<&str>, color: Option<&str>) -> String {
    let variant = [size, color].into_iter().flatten().collect::<Vec<_>>().join(", ");
    if variant.is_empty() {
        format!("{code} {name}")
    } else {
        format!("{code} {name} ({variant})")
    }
}

/// "¡Hola Ana!" / "Oi Ana!" / "Hi Ana!" with the buyer's first name.
pub fn greeting(lang: Lang, name: &str) -> String {
    let first = name.split_whitespace().next().unwrap_or_default();
    let who = if first.is_empty() { String::new() } else { format!(" {first}") };
    match lang {
        Lang::Es => format!("¡Hola{who}!"),
        Lang::Pt => format!("Oi{who}!"),
        Lang::En => format!("Hi{who}!"),
    }
}

fn rejection_line(lang: Lang, r: &Rejection) -> String {
    match (lang, r) {
        (Lang::Es, Rejection::NoProduct) => {
            "No entendimos qué producto quieres: comenta el código y la variante, por ejemplo «A12 talla M».".into()
        }
        (Lang::Pt, Rejection::NoProduct) => {
            "Não entendemos qual produto você quer: comente o código e a variante, por exemplo «A12 tam M».".into()
        }
        (Lang::En, Rejection::NoProduct) => {
            "We couldn't tell which product you want: comment its code and variant, e.g. \"A12 size M\".".into()
        }
        (Lang::Es, Rejection::UnknownCode { code }) => format!("El producto {code} no está en esta transmisión."),
        (Lang::Pt, Rejection::UnknownCode { code }) => format!("O produto {code} não está nesta live."),
        (Lang::En, Rejection::UnknownCode { code }) => format!("Product {code} isn't part of this live."),
        (Lang::Es, Rejection::UnknownVariant { code, asked, choices }) => {
            format!("{code} no viene en {asked}. Viene en {}. Comenta de nuevo con el que quieras.", choice_list(lang, choices))
        }
        (Lang::Pt, Rejection::UnknownVariant { code, asked, choices }) => {
            format!("{code} não tem {asked}. Tem {}. Comente de novo com o que você quer.", choice_list(lang, choices))
        }
        (Lang::En, Rejection::UnknownVariant { code, asked, choices }) => {
            format!("{code} doesn't come in {asked}. It comes in {}. Comment again with the one you want.", choice_list(lang, choices))
        }
        (Lang::Es, Rejection::NeedsVariant { code, choices }) => {
            format!(
                "Para reservar {code} dinos {}. Comenta de nuevo, por ejemplo «{}».",
                choice_list(lang, choices),
                example(code, choices)
            )
        }
        (Lang::Pt, Rejection::NeedsVariant { code, choices }) => {
            format!("Para reservar {code} diga {}. Comente de novo, por exemplo «{}».", choice_list(lang, choices), example(code, choices))
        }
        (Lang::En, Rejection::NeedsVariant { code, choices }) => {
            format!("To reserve {code} tell us {}. Comment again, e.g. \"{}\".", choice_list(lang, choices), example(code, choices))
        }
    }
}

/// "talla (S, M, L) y color (negro, beige)", listing only what varies.
fn choice_list(lang: Lang, c: &Choices) -> String {
    let (size, color, and) = match lang {
        Lang::Es => ("talla", "color", "y"),
        Lang::Pt => ("tamanho", "cor", "e"),
        Lang::En => ("size", "colour", "and"),
    };
    let parts: Vec<String> = [(size, &c.sizes), (color, &c.colors)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(what, v)| format!("{what} ({})", v.join(", ")))
        .collect();
    parts.join(&format!(" {and} "))
}

/// A comment that would work: the code with the first of each choice.
fn example(code: &str, c: &Choices) -> String {
    [Some(code), c.sizes.first().map(String::as_str), c.colors.first().map(String::as_str)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn payment_line(lang: Lang, ttl_minutes: i64, payment: Option<&PaymentInstructions>) -> String {
    let how = match (lang, payment) {
        (Lang::Es, Some(PaymentInstructions::Link { url, .. })) => format!("Paga aquí: {url}"),
        (Lang::Pt, Some(PaymentInstructions::Link { url, .. })) => format!("Pague aqui: {url}"),
        (Lang::En, Some(PaymentInstructions::Link { url, .. })) => format!("Pay here: {url}"),
        (Lang::Es, Some(PaymentInstructions::Transfer { instructions })) => format!("Paga por transferencia: {instructions}"),
        (Lang::Pt, Some(PaymentInstructions::Transfer { instructions })) => format!("Pague por transferência: {instructions}"),
        (Lang::En, Some(PaymentInstructions::Transfer { instructions })) => format!("Pay by bank transfer: {instructions}"),
        (Lang::Es, None) => "La tienda te enviará los datos de pago.".into(),
        (Lang::Pt, None) => "A loja vai te enviar os dados de pagamento.".into(),
        (Lang::En, None) => "The shop will send you the payment details.".into(),
    };
    match lang {
        Lang::Es => format!("Tu reserva dura {ttl_minutes} min. {how}"),
        Lang::Pt => format!("Sua reserva vale por {ttl_minutes} min. {how}"),
        Lang::En => format!("Your reservation is held for {ttl_minutes} min. {how}"),
    }
}

/// The reply to a purchase comment: what was reserved, waitlisted or refused, the order total and
/// how to pay (only when something is reserved).
pub fn purchase_reply(
    lang: Lang,
    buyer_name: &str,
    results: &[ClaimResult],
    order_total: Option<Money>,
    payment: Option<&PaymentInstructions>,
    ttl_minutes: i64,
) -> String {
    let english = lang == Lang::En;
    let mut parts = vec![greeting(lang, buyer_name)];
    let reserved: Vec<String> = results
        .iter()
        .filter_map(|r| match r {
            ClaimResult::Reserved { item, qty, line_total } => Some(format!("{qty}× {item} {}", line_total.display(english))),
            _ => None,
        })
        .collect();
    if !reserved.is_empty() {
        parts.push(match lang {
            Lang::Es => format!("Te reservamos: {}.", reserved.join("; ")),
            Lang::Pt => format!("Reservamos para você: {}.", reserved.join("; ")),
            Lang::En => format!("We reserved: {}.", reserved.join("; ")),
        });
    }
    for r in results {
        match r {
            ClaimResult::Waitlisted { item, qty } => parts.push(match lang {
                Lang::Es => format!("{qty}× {item} está agotado: quedaste en la lista de espera y la tienda te avisará si se libera."),
                Lang::Pt => format!("{qty}× {item} esgotou: você entrou na lista de espera e a loja te avisa se liberar."),
                Lang::En => format!("{qty}× {item} is sold out: you're on the waitlist and the shop will tell you if one frees up."),
            }),
            ClaimResult::Rejected(rej) => parts.push(rejection_line(lang, rej)),
            ClaimResult::Reserved { .. } => {}
        }
    }
    if !reserved.is_empty() {
        if let Some(total) = order_total {
            parts.push(match lang {
                Lang::Es => format!("Total de tu pedido: {}.", total.display(false)),
                Lang::Pt => format!("Total do seu pedido: {}.", total.display(false)),
                Lang::En => format!("Your order total: {}.", total.display(true)),
            });
        }
        parts.push(payment_line(lang, ttl_minutes, payment));
    }
    parts.join(" ")
}

/// The reply to a cancellation: what was released, or that nothing matched.
pub fn cancel_reply(lang: Lang, buyer_name: &str, cancelled: &[(String, u32)]) -> String {
    let hello = greeting(lang, buyer_name);
    if cancelled.is_empty() {
        return match lang {
            Lang::Es => format!("{hello} No encontramos una reserva tuya que cancelar en esta transmisión."),
            Lang::Pt => format!("{hello} Não encontramos uma reserva sua para cancelar nesta live."),
            Lang::En => format!("{hello} We found no reservation of yours to cancel in this live."),
        };
    }
    let list = cancelled.iter().map(|(item, qty)| format!("{qty}× {item}")).collect::<Vec<_>>().join("; ");
    match lang {
        Lang::Es => format!("{hello} Cancelamos: {list}."),
        Lang::Pt => format!("{hello} Cancelamos: {list}."),
        Lang::En => format!("{hello} Cancelled: {list}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn clp(n: i64) -> Money {
        Money::new(n, Currency::parse("CLP").expect("clp")).expect("money")
    }

    #[test]
    fn a_reservation_reply_says_what_the_total_is_and_how_to_pay() {
        let results = [ClaimResult::Reserved { item: item_label("A12", "Polera", Some("M"), None), qty: 2, line_total: clp(25980) }];
        let pay = PaymentInstructions::Transfer { instructions: "Banco Estado 123".into() };
        let text = purchase_reply(Lang::Es, "Camila Rojas", &results, Some(clp(25980)), Some(&pay), 15);
        assert_eq!(
            text,
            "¡Hola Camila! Te reservamos: 2× A12 Polera (M) $25.980 CLP. Total de tu pedido: $25.980 CLP. \
             Tu reserva dura 15 min. Paga por transferencia: Banco Estado 123"
        );
    }

    #[test]
    fn a_waitlisted_claim_gets_no_payment_instructions() {
        let results = [ClaimResult::Waitlisted { item: "B3 Sandalias (38, negro)".into(), qty: 1 }];
        let text = purchase_reply(Lang::Pt, "Mari", &results, None, None, 15);
        assert!(text.contains("lista de espera"));
        assert!(!text.contains("Pague"));
    }

    #[test]
    fn refusals_are_explained_in_the_buyers_language() {
        let sizes = Choices { sizes: vec!["S".into(), "M".into()], colors: vec![] };
        let r = [ClaimResult::Rejected(Rejection::UnknownVariant { code: "A12".into(), asked: "XXS".into(), choices: sizes })];
        assert!(purchase_reply(Lang::En, "", &r, None, None, 15).starts_with("Hi! A12 doesn't come in XXS. It comes in size (S, M)."));
        let grid = Choices { sizes: vec!["36".into(), "37".into()], colors: vec!["negro".into(), "beige".into()] };
        let r = [ClaimResult::Rejected(Rejection::NeedsVariant { code: "B3".into(), choices: grid })];
        assert_eq!(
            purchase_reply(Lang::Es, "Ana", &r, None, None, 15),
            "¡Hola Ana! Para reservar B3 dinos talla (36, 37) y color (negro, beige). Comenta de nuevo, por ejemplo «B3 36 negro»."
        );
    }

    #[test]
    fn a_cancellation_reply_lists_what_was_released() {
        assert_eq!(cancel_reply(Lang::En, "Jo", &[("C4 Esmalte (rojo)".into(), 1)]), "Hi Jo! Cancelled: 1× C4 Esmalte (rojo).");
        assert!(cancel_reply(Lang::Es, "", &[]).contains("No encontramos"));
    }
}
