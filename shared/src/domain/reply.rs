//! The private reply's text, in the buyer's language. Pure: the respond stage only sends it.
use super::ids::Platform;
use super::intent::Lang;
use super::inventory::{Choices, Rejection};
use super::money::Money;
use super::reservation::PaymentInstructions;

/// What happened to one claim of the comment, ready to be told.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimResult {
    Reserved {
        item: String,
        qty: u32,
        line_total: Money,
    },
    Waitlisted {
        item: String,
        qty: u32,
    },
    /// Past the page's cap of units per buyer per live: waiting until the buyer is under it.
    OverBuyerCap {
        item: String,
        qty: u32,
        cap: u32,
    },
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

fn payment_line(lang: Lang, ttl_minutes: i64, payment: Option<&PaymentInstructions>, first_paid: bool) -> String {
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
    match (lang, first_paid) {
        (Lang::Es, false) => format!("Tu reserva dura {ttl_minutes} min. {how}"),
        (Lang::Pt, false) => format!("Sua reserva vale por {ttl_minutes} min. {how}"),
        (Lang::En, false) => format!("Your reservation is held for {ttl_minutes} min. {how}"),
        (Lang::Es, true) => format!("Se lo lleva quien pague primero: paga ya para asegurarlo. {how}"),
        (Lang::Pt, true) => format!("Leva quem pagar primeiro: pague já para garantir. {how}"),
        (Lang::En, true) => format!("First to pay gets it: pay now to secure it. {how}"),
    }
}

/// How long a private reply may be. Messenger's Send API takes up to 2,000 characters of text;
/// Instagram messages sent through the page must be UTF-8 of at most 1,000 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Chars(usize),
    Bytes(usize),
}

impl Limit {
    pub fn of(platform: Platform) -> Limit {
        match platform {
            Platform::Facebook => Limit::Chars(2_000),
            Platform::Instagram => Limit::Bytes(1_000),
        }
    }
    fn size(self, s: &str) -> usize {
        match self {
            Limit::Chars(_) => s.chars().count(),
            Limit::Bytes(_) => s.len(),
        }
    }
    fn max(self) -> usize {
        match self {
            Limit::Chars(n) | Limit::Bytes(n) => n,
        }
    }
    pub fn fits(self, s: &str) -> bool {
        self.size(s) <= self.max()
    }
}

/// The last resort for a text over the limit: cut at the last whole word that fits, with "…".
pub fn clamp(text: &str, limit: Limit) -> String {
    if limit.fits(text) {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split(' ') {
        let candidate = if out.is_empty() { word.to_string() } else { format!("{out} {word}") };
        if !limit.fits(&format!("{candidate} …")) {
            break;
        }
        out = candidate;
    }
    format!("{out} …")
}

/// Joins the parts of a reply within the limit: the head and the tail (the total and how to pay)
/// always; the middle lines while they fit, the rest summarised as "(+N more)".
fn fit(lang: Lang, head: Vec<String>, middle: Vec<String>, tail: Vec<String>, limit: Limit) -> String {
    let all: Vec<String> = head.iter().chain(&middle).chain(&tail).cloned().collect();
    let full = all.join(" ");
    if limit.fits(&full) {
        return full;
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, line) in middle.iter().enumerate() {
        let left = middle.len() - i - 1;
        let with: Vec<String> =
            head.iter().chain(&kept).chain([line]).cloned().chain(more(lang, left)).chain(tail.iter().cloned()).collect();
        if !limit.fits(&with.join(" ")) {
            break;
        }
        kept.push(line.clone());
    }
    let left = middle.len() - kept.len();
    let parts: Vec<String> = head.into_iter().chain(kept).chain(more(lang, left)).chain(tail).collect();
    clamp(&parts.join(" "), limit)
}

fn more(lang: Lang, n: usize) -> Option<String> {
    (n > 0).then(|| match lang {
        Lang::Es => format!("(y {n} más: revisa tu pedido con la tienda)"),
        Lang::Pt => format!("(e mais {n}: confira seu pedido com a loja)"),
        Lang::En => format!("(and {n} more: check your order with the shop)"),
    })
}

/// The reply to a comment asking for more than one comment may claim: nothing was reserved.
pub fn over_limit_reply(lang: Lang, buyer_name: &str, max_units: u32, max_claims: u32) -> String {
    let hello = greeting(lang, buyer_name);
    match lang {
        Lang::Es => format!(
            "{hello} Máximo {max_units} unidades y {max_claims} productos por comentario: no reservamos nada. Comenta de nuevo con menos."
        ),
        Lang::Pt => format!(
            "{hello} Máximo de {max_units} unidades e {max_claims} produtos por comentário: não reservamos nada. Comente de novo com menos."
        ),
        Lang::En => format!(
            "{hello} At most {max_units} units and {max_claims} products per comment: nothing was reserved. Comment again with fewer."
        ),
    }
}

/// The reply to a purchase comment: what was reserved, waitlisted or refused, the order total and
/// how to pay (only when something is reserved), within `limit`.
/// What an order owes and how to pay it, as the reply tells the buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// Everything the buyer pays now, shipping included.
    pub total: Money,
    /// The shipping within `total` (charged once per order), if any.
    pub shipping: Option<Money>,
    /// Free pickup is offered instead of shipping.
    pub pickup: bool,
    /// First paid, first served: nothing is held until paid.
    pub first_paid: bool,
    pub payment: Option<PaymentInstructions>,
}

fn shipping_line(lang: Lang, fee: Option<Money>, pickup: bool) -> Option<String> {
    let english = lang == Lang::En;
    Some(match (lang, fee, pickup) {
        (_, None, false) => return None,
        (Lang::Es, Some(f), false) => format!("Incluye envío: {}.", f.display(english)),
        (Lang::Pt, Some(f), false) => format!("Inclui frete: {}.", f.display(english)),
        (Lang::En, Some(f), false) => format!("Includes shipping: {}.", f.display(english)),
        (Lang::Es, Some(f), true) => format!("Incluye envío: {} (o retiro gratis: avísale a la tienda).", f.display(english)),
        (Lang::Pt, Some(f), true) => format!("Inclui frete: {} (ou retirada grátis: avise a loja).", f.display(english)),
        (Lang::En, Some(f), true) => format!("Includes shipping: {} (or free pickup: tell the shop).", f.display(english)),
        (Lang::Es, None, true) => "Retiro gratis disponible.".into(),
        (Lang::Pt, None, true) => "Retirada grátis disponível.".into(),
        (Lang::En, None, true) => "Free pickup available.".into(),
    })
}

pub fn purchase_reply(lang: Lang, buyer_name: &str, results: &[ClaimResult], due: Option<&Due>, ttl_minutes: i64, limit: Limit) -> String {
    let payment = due.and_then(|d| d.payment.as_ref());
    let english = lang == Lang::En;
    let mut head = vec![greeting(lang, buyer_name)];
    let reserved: Vec<String> = results
        .iter()
        .filter_map(|r| match r {
            ClaimResult::Reserved { item, qty, line_total } => Some(format!("{qty}× {item} {}", line_total.display(english))),
            _ => None,
        })
        .collect();
    // What was reserved is never dropped: it leads, right after the greeting.
    if !reserved.is_empty() {
        head.push(match lang {
            Lang::Es => format!("Te reservamos: {}.", reserved.join("; ")),
            Lang::Pt => format!("Reservamos para você: {}.", reserved.join("; ")),
            Lang::En => format!("We reserved: {}.", reserved.join("; ")),
        });
    }
    let mut parts = Vec::new();
    for r in results {
        match r {
            ClaimResult::Waitlisted { item, qty } => parts.push(match lang {
                Lang::Es => format!("{qty}× {item} está agotado: quedaste en la lista de espera y la tienda te avisará si se libera."),
                Lang::Pt => format!("{qty}× {item} esgotou: você entrou na lista de espera e a loja te avisa se liberar."),
                Lang::En => format!("{qty}× {item} is sold out: you're on the waitlist and the shop will tell you if one frees up."),
            }),
            ClaimResult::OverBuyerCap { item, qty, cap } => parts.push(match lang {
                Lang::Es => format!("{qty}× {item}: máximo {cap} unidades por persona en este live, así que quedó en la lista de espera."),
                Lang::Pt => format!("{qty}× {item}: máximo de {cap} unidades por pessoa nesta live, então ficou na lista de espera."),
                Lang::En => format!("{qty}× {item}: at most {cap} units per buyer in this live, so it's on the waitlist."),
            }),
            ClaimResult::Rejected(rej) => parts.push(rejection_line(lang, rej)),
            ClaimResult::Reserved { .. } => {}
        }
    }
    let mut tail = Vec::new();
    if !reserved.is_empty() {
        if let Some(d) = due {
            tail.push(match lang {
                Lang::Es => format!("Total de tu pedido: {}.", d.total.display(false)),
                Lang::Pt => format!("Total do seu pedido: {}.", d.total.display(false)),
                Lang::En => format!("Your order total: {}.", d.total.display(true)),
            });
            tail.extend(shipping_line(lang, d.shipping, d.pickup));
        }
        let first_paid = due.is_some_and(|d| d.first_paid);
        tail.push(payment_line(lang, ttl_minutes, payment, first_paid));
        // Instructions too long for the message would arrive cut: the shop sends them instead.
        if !limit.fits(&head.iter().chain(&tail).cloned().collect::<Vec<_>>().join(" ")) {
            tail.pop();
            tail.push(payment_line(lang, ttl_minutes, None, first_paid));
        }
    }
    fit(lang, head, parts, tail, limit)
}

/// What a public reply on the buyer's comment says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicOutcome {
    Reserved,
    Waitlisted,
}

/// A public reply from several templates per language; `seq` (the page's running count) picks
/// the next one, so consecutive replies on a page never repeat the same text.
pub fn public_reply(lang: Lang, outcome: PublicOutcome, buyer_name: &str, seq: i64) -> String {
    let first = buyer_name.split_whitespace().next().unwrap_or_default();
    let templates: [&str; 3] = match (lang, outcome) {
        (Lang::Es, PublicOutcome::Reserved) => [
            "¡Listo{n}! Te escribimos por privado 📩",
            "¡Es tuyo{n}! Revisa tus mensajes 💬",
            "¡Reservado{n}! Te enviamos los detalles por interno",
        ],
        (Lang::Es, PublicOutcome::Waitlisted) => [
            "Agotado{n}, quedas en lista de espera 🙏",
            "Se agotó{n}: te anotamos en la lista de espera",
            "Sin stock por ahora{n}, quedaste en espera; te avisamos por privado",
        ],
        (Lang::Pt, PublicOutcome::Reserved) => {
            ["Pronto{n}! Te chamamos no privado 📩", "É seu{n}! Confira suas mensagens 💬", "Reservado{n}! Enviamos os detalhes no direct"]
        }
        (Lang::Pt, PublicOutcome::Waitlisted) => [
            "Esgotou{n}, você está na lista de espera 🙏",
            "Acabou{n}: te colocamos na lista de espera",
            "Sem estoque agora{n}, você ficou na espera; avisamos no privado",
        ],
        (Lang::En, PublicOutcome::Reserved) => {
            ["Done{n}! Check your messages 📩", "It's yours{n}! We sent you the details 💬", "Reserved{n}! Details are in your inbox"]
        }
        (Lang::En, PublicOutcome::Waitlisted) => [
            "Sold out{n}, you're on the waitlist 🙏",
            "All gone{n}: we put you on the waitlist",
            "Out of stock for now{n}, you're on the waitlist; we'll message you",
        ],
    };
    let name = if first.is_empty() { String::new() } else { format!(" {first}") };
    templates[seq.rem_euclid(templates.len() as i64) as usize].replace("{n}", &name)
}

/// The reply to a cancellation: what was released, or that nothing matched.
pub fn cancel_reply(lang: Lang, buyer_name: &str, cancelled: &[(String, u32)], limit: Limit) -> String {
    let hello = greeting(lang, buyer_name);
    if cancelled.is_empty() {
        return match lang {
            Lang::Es => format!("{hello} No encontramos una reserva tuya que cancelar en esta transmisión."),
            Lang::Pt => format!("{hello} Não encontramos uma reserva sua para cancelar nesta live."),
            Lang::En => format!("{hello} We found no reservation of yours to cancel in this live."),
        };
    }
    let lead = match lang {
        Lang::Es | Lang::Pt => "Cancelamos:",
        Lang::En => "Cancelled:",
    };
    let items: Vec<String> = cancelled.iter().map(|(item, qty)| format!("{qty}× {item}.")).collect();
    fit(lang, vec![hello, lead.to_string()], items, Vec::new(), limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn clp(n: i64) -> Money {
        Money::new(n, Currency::parse("CLP").expect("clp")).expect("money")
    }

    fn due(total: i64, payment: Option<PaymentInstructions>) -> Due {
        Due { total: clp(total), shipping: None, pickup: false, first_paid: false, payment }
    }

    #[test]
    fn consecutive_public_replies_never_repeat_the_same_text() {
        for lang in [Lang::Es, Lang::Pt, Lang::En] {
            for outcome in [PublicOutcome::Reserved, PublicOutcome::Waitlisted] {
                let texts: Vec<String> = (0..6).map(|seq| public_reply(lang, outcome, "Ana Pérez", seq)).collect();
                assert!(texts.windows(2).all(|w| w[0] != w[1]), "{texts:?}");
                assert!(texts.iter().all(|t| t.contains("Ana") && !t.contains("Pérez")), "{texts:?}");
            }
        }
        assert_eq!(public_reply(Lang::Es, PublicOutcome::Reserved, "", 0), "¡Listo! Te escribimos por privado 📩");
    }

    #[test]
    fn shipping_is_named_once_with_pickup_when_offered() {
        let results = [ClaimResult::Reserved { item: "A12 talla M".into(), qty: 1, line_total: clp(12990) }];
        let d = Due { total: clp(16980), shipping: Some(clp(3990)), pickup: true, first_paid: false, payment: None };
        let text = purchase_reply(Lang::Es, "Ana", &results, Some(&d), 15, FB);
        assert!(text.contains("Total de tu pedido: $16.980 CLP. Incluye envío: $3.990 CLP (o retiro gratis"), "{text}");
        let only_pickup = Due { total: clp(12990), shipping: None, pickup: true, first_paid: false, payment: None };
        assert!(purchase_reply(Lang::Pt, "Ana", &results, Some(&only_pickup), 15, FB).contains("Retirada grátis disponível."));
        assert!(!purchase_reply(Lang::En, "Ana", &results, Some(&due(12990, None)), 15, FB).contains("hipping"));
        let first_paid = Due { first_paid: true, ..due(12990, None) };
        let text = purchase_reply(Lang::Es, "Ana", &results, Some(&first_paid), 15, FB);
        assert!(text.contains("Se lo lleva quien pague primero") && !text.contains("Tu reserva dura"), "{text}");
    }

    #[test]
    fn a_reservation_reply_says_what_the_total_is_and_how_to_pay() {
        let results = [ClaimResult::Reserved { item: item_label("A12", "Polera", Some("M"), None), qty: 2, line_total: clp(25980) }];
        let pay = PaymentInstructions::Transfer { instructions: "Banco Estado 123".into() };
        let text = purchase_reply(Lang::Es, "Camila Rojas", &results, Some(&due(25980, Some(pay.clone()))), 15, FB);
        assert_eq!(
            text,
            "¡Hola Camila! Te reservamos: 2× A12 Polera (M) $25.980 CLP. Total de tu pedido: $25.980 CLP. \
             Tu reserva dura 15 min. Paga por transferencia: Banco Estado 123"
        );
    }

    #[test]
    fn a_waitlisted_claim_gets_no_payment_instructions() {
        let results = [ClaimResult::Waitlisted { item: "B3 Sandalias (38, negro)".into(), qty: 1 }];
        let text = purchase_reply(Lang::Pt, "Mari", &results, None, 15, FB);
        assert!(text.contains("lista de espera"));
        assert!(!text.contains("Pague"));
    }

    #[test]
    fn refusals_are_explained_in_the_buyers_language() {
        let sizes = Choices { sizes: vec!["S".into(), "M".into()], colors: vec![] };
        let r = [ClaimResult::Rejected(Rejection::UnknownVariant { code: "A12".into(), asked: "XXS".into(), choices: sizes })];
        assert!(purchase_reply(Lang::En, "", &r, None, 15, FB).starts_with("Hi! A12 doesn't come in XXS. It comes in size (S, M)."));
        let grid = Choices { sizes: vec!["36".into(), "37".into()], colors: vec!["negro".into(), "beige".into()] };
        let r = [ClaimResult::Rejected(Rejection::NeedsVariant { code: "B3".into(), choices: grid })];
        assert_eq!(
            purchase_reply(Lang::Es, "Ana", &r, None, 15, FB),
            "¡Hola Ana! Para reservar B3 dinos talla (36, 37) y color (negro, beige). Comenta de nuevo, por ejemplo «B3 36 negro»."
        );
    }

    #[test]
    fn a_cancellation_reply_lists_what_was_released() {
        assert_eq!(cancel_reply(Lang::En, "Jo", &[("C4 Esmalte (rojo)".into(), 1)], FB), "Hi Jo! Cancelled: 1× C4 Esmalte (rojo).");
        assert!(cancel_reply(Lang::Es, "", &[], FB).contains("No encontramos"));
    }

    const FB: Limit = Limit::Chars(2_000);

    #[test]
    fn a_long_order_is_summarised_within_the_limit_and_keeps_how_to_pay() {
        let results: Vec<ClaimResult> = (0..60)
            .map(|i| ClaimResult::Waitlisted { item: format!("A{i} Vestido midi floral con bordado a mano (XL, rosado)"), qty: 1 })
            .chain([ClaimResult::Reserved { item: "B5 Aros".into(), qty: 1, line_total: clp(12990) }])
            .collect();
        let pay = PaymentInstructions::Transfer { instructions: "Banco Estado 123".into() };
        for limit in [Limit::Chars(2_000), Limit::Bytes(1_000)] {
            let text = purchase_reply(Lang::Es, "Ana", &results, Some(&due(12990, Some(pay.clone()))), 15, limit);
            assert!(limit.fits(&text), "{} over {limit:?}", text.len());
            assert!(text.contains("Te reservamos: 1× B5 Aros") && text.ends_with("Banco Estado 123"), "{text}");
            assert!(text.contains("más: revisa tu pedido"), "{text}");
        }
    }

    #[test]
    fn clamping_never_cuts_a_word() {
        let text = "palabra ".repeat(400);
        let out = clamp(&text, Limit::Bytes(100));
        assert!(out.len() <= 100 && out.ends_with(" …"));
        assert!(out.trim_end_matches(" …").split(' ').all(|w| w == "palabra"), "{out}");
    }

    #[test]
    fn the_over_limit_reply_says_the_maximum_in_the_buyers_language() {
        assert!(over_limit_reply(Lang::Es, "Ana", 5, 5).contains("Máximo 5 unidades"));
        assert!(over_limit_reply(Lang::Pt, "Ana", 5, 5).contains("Máximo de 5 unidades"));
        assert!(over_limit_reply(Lang::En, "Ana", 5, 5).contains("At most 5 units"));
    }
}
