//! The page a buyer comes back to from a checkout (`/pay/return/{order_id}`): what happened to
//! the order, in the buyer's language, as a small self-contained HTML document (no scripts, no
//! outside assets: it must load on a phone on a slow network).
use super::intent::Lang;
use super::money::{Currency, Money};
use super::reservation::{ClaimStatus, Order, OrderStatus, PaymentInstructions};
use chrono::{DateTime, Utc};

/// Where the order stands, from the buyer's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnState {
    Paid,
    /// The provider has not decided yet.
    Processing,
    /// Rejected or cancelled, and the hold still stands: the link can be tried again.
    Failed,
    /// The seller has to look at it (an amount no link charges, or a refund).
    Review,
    /// Nothing is held any more.
    Expired,
    /// Not paid yet, held until `hold_until`.
    Waiting,
    NotFound,
}

pub fn state_of(order: Option<&Order>) -> ReturnState {
    let Some(o) = order else { return ReturnState::NotFound };
    if o.status == OrderStatus::Paid {
        return ReturnState::Paid;
    }
    let held = o.items.iter().any(|i| i.status == ClaimStatus::Reserved);
    match o.payment_state.as_deref() {
        Some("pending") if held => ReturnState::Processing,
        Some("flagged" | "refund_needed" | "partly_paid") => ReturnState::Review,
        Some("rejected" | "cancelled") if held => ReturnState::Failed,
        _ if held => ReturnState::Waiting,
        _ => ReturnState::Expired,
    }
}

/// HTML-escapes text for an element or a double-quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn headline(state: ReturnState, lang: Lang) -> &'static str {
    use ReturnState::*;
    match (lang, state) {
        (Lang::Es, Paid) => "¡Pago recibido! Tu pedido está confirmado.",
        (Lang::Pt, Paid) => "Pagamento recebido! Seu pedido está confirmado.",
        (Lang::En, Paid) => "Payment received! Your order is confirmed.",
        (Lang::Es, Processing) => "Tu pago está en proceso. Te avisaremos cuando se confirme.",
        (Lang::Pt, Processing) => "Seu pagamento está em processamento. Avisaremos quando for confirmado.",
        (Lang::En, Processing) => "Your payment is being processed. We will let you know once it is confirmed.",
        (Lang::Es, Failed) => "El pago no se completó. Puedes intentarlo de nuevo mientras tu reserva siga vigente.",
        (Lang::Pt, Failed) => "O pagamento não foi concluído. Você pode tentar de novo enquanto a reserva estiver válida.",
        (Lang::En, Failed) => "The payment did not go through. You can try again while your reservation lasts.",
        (Lang::Es, Review) => "Recibimos un pago que la tienda debe revisar. Te escribirán pronto.",
        (Lang::Pt, Review) => "Recebemos um pagamento que a loja precisa revisar. Entrarão em contato em breve.",
        (Lang::En, Review) => "We received a payment the shop needs to check. They will contact you soon.",
        (Lang::Es, Expired) => "Tu reserva venció y los productos volvieron a la venta.",
        (Lang::Pt, Expired) => "Sua reserva expirou e os produtos voltaram à venda.",
        (Lang::En, Expired) => "Your reservation expired and the items are back on sale.",
        (Lang::Es, Waiting) => "Aún no recibimos tu pago.",
        (Lang::Pt, Waiting) => "Ainda não recebemos seu pagamento.",
        (Lang::En, Waiting) => "We have not received your payment yet.",
        (Lang::Es, NotFound) => "No encontramos ese pedido.",
        (Lang::Pt, NotFound) => "Não encontramos esse pedido.",
        (Lang::En, NotFound) => "We could not find that order.",
    }
}

fn minutes_left(lang: Lang, minutes: i64) -> String {
    match lang {
        Lang::Es => format!("Tu reserva vence en {minutes} min."),
        Lang::Pt => format!("Sua reserva vence em {minutes} min."),
        Lang::En => format!("Your reservation ends in {minutes} min."),
    }
}

fn pay_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Es => "Pagar ahora",
        Lang::Pt => "Pagar agora",
        Lang::En => "Pay now",
    }
}

/// The whole page. `lang` falls back to the order's, then Spanish.
pub fn render(order: Option<&Order>, lang: Option<Lang>, now: DateTime<Utc>) -> String {
    let lang = lang.or(order.and_then(|o| o.lang)).unwrap_or(Lang::Es);
    let state = state_of(order);
    let mut body = format!("<h1>{}</h1>\n", escape(headline(state, lang)));
    if let Some(o) = order {
        let currency = Currency::parse(&o.currency).ok();
        let english = lang == Lang::En;
        let shown = |minor: i64| currency.and_then(|c| Money::new(minor, c).ok()).map(|m| m.display(english)).unwrap_or_default();
        let label = if lang == Lang::En { "Order" } else { "Pedido" };
        body.push_str(&format!("<p class=\"order\">{label} #{}</p>\n<ul>\n", o.order_id));
        for i in o.items.iter().filter(|i| matches!(i.status, ClaimStatus::Reserved | ClaimStatus::Paid)) {
            let line = shown(i.unit_price_minor * i64::from(i.qty));
            body.push_str(&format!("<li>{}× {} — {}</li>\n", i.qty, escape(&i.sku), escape(&line)));
        }
        body.push_str("</ul>\n");
        if matches!(state, ReturnState::Waiting | ReturnState::Failed) {
            if let Some(until) = o.hold_until {
                let left = (until - now).num_minutes().max(0) + 1;
                body.push_str(&format!("<p>{}</p>\n", escape(&minutes_left(lang, left))));
            }
            if let Some(PaymentInstructions::Link { url, .. }) = &o.payment {
                if url.starts_with("https://") || url.starts_with("http://") {
                    body.push_str(&format!("<p><a class=\"pay\" href=\"{}\">{}</a></p>\n", escape(url), pay_label(lang)));
                }
            }
        }
    }
    let html_lang = match lang {
        Lang::Es => "es",
        Lang::Pt => "pt",
        Lang::En => "en",
    };
    format!(
        "<!doctype html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         h1{{font-size:1.5rem;line-height:1.3}}.order{{color:#555}}\
         a.pay{{display:inline-block;padding:.6rem 1.2rem;background:#1a7f37;color:#fff;border-radius:.4rem;text-decoration:none}}</style>\
         </head><body>\n{body}</body></html>\n",
        escape(headline(state, lang))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{LiveId, PageId, UserId};
    use crate::domain::reservation::OrderItem;

    fn order(status: OrderStatus, payment_state: Option<&str>, item: ClaimStatus) -> Order {
        Order {
            order_id: 7,
            page_id: PageId::parse("P1").expect("id"),
            live_id: LiveId::parse("L1").expect("id"),
            buyer_id: UserId::parse("U1").expect("id"),
            buyer_name: "Ana".into(),
            status,
            currency: "CLP".into(),
            total_minor: 12990,
            due_minor: 12990,
            payment_state: payment_state.map(str::to_string),
            shipping_paid_minor: 0,
            delivery_address: None,
            items: vec![OrderItem { claim_id: 1, code: "A12".into(), sku: "A12-M".into(), qty: 1, unit_price_minor: 12990, status: item }],
            lang: Some(Lang::Pt),
            hold_until: Some(Utc::now() + chrono::Duration::minutes(10)),
            payment: Some(PaymentInstructions::Link {
                provider: "flow".into(),
                url: "https://flow.example/pay?token=\"><script>".into(),
                reference: "t".into(),
                amount_minor: 12990,
            }),
            created_at: Utc::now(),
            paid_at: None,
        }
    }

    #[test]
    fn each_state_reads_from_the_order() {
        assert_eq!(state_of(None), ReturnState::NotFound);
        assert_eq!(state_of(Some(&order(OrderStatus::Paid, Some("approved"), ClaimStatus::Paid))), ReturnState::Paid);
        assert_eq!(state_of(Some(&order(OrderStatus::Open, Some("pending"), ClaimStatus::Reserved))), ReturnState::Processing);
        assert_eq!(state_of(Some(&order(OrderStatus::Open, Some("rejected"), ClaimStatus::Reserved))), ReturnState::Failed);
        assert_eq!(state_of(Some(&order(OrderStatus::Open, Some("flagged"), ClaimStatus::Reserved))), ReturnState::Review);
        assert_eq!(state_of(Some(&order(OrderStatus::Open, None, ClaimStatus::Expired))), ReturnState::Expired);
        assert_eq!(state_of(Some(&order(OrderStatus::Open, None, ClaimStatus::Reserved))), ReturnState::Waiting);
    }

    #[test]
    fn the_page_speaks_the_buyers_language_and_escapes_what_it_shows() {
        let o = order(OrderStatus::Open, None, ClaimStatus::Reserved);
        let page = render(Some(&o), None, Utc::now());
        assert!(page.contains("lang=\"pt\"") && page.contains("Ainda não recebemos seu pagamento."), "{page}");
        assert!(page.contains("Sua reserva vence em"), "{page}");
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&quot;&gt;&lt;script&gt;"), "{page}");
        let paid = render(Some(&order(OrderStatus::Paid, Some("approved"), ClaimStatus::Paid)), Some(Lang::Es), Utc::now());
        assert!(paid.contains("¡Pago recibido!") && !paid.contains("Pagar ahora"), "{paid}");
        assert!(render(None, Some(Lang::En), Utc::now()).contains("We could not find that order."));
    }
}
