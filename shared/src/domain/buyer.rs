//! Buyers as Meta's messaging rules see them: a message from the buyer opens a 24-hour window in
//! which the page may write to them (Send API, `messaging_type: RESPONSE`); outside it, nothing
//! is sent and the seller is told instead. What a buyer's message asks for, and the messages
//! livesell sends, in the buyer's language.
use super::ids::{CommentId, PageId, Platform, UserId};
use super::intent::Lang;
use super::money::Money;
use super::text::fold;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Meta's standard messaging window after the buyer's last message.
pub const WINDOW: Duration = Duration::hours(24);

pub fn window_open(last_inbound: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_inbound.is_some_and(|at| now - at < WINDOW && at <= now + Duration::minutes(5))
}

/// A buyer's message to the page (Messenger or Instagram `messages` webhook).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub platform: Platform,
    /// The page (or Instagram account) written to.
    pub page_id: PageId,
    /// The buyer's messaging id (page-scoped): what a private reply's `recipient_id` names.
    pub sender_id: UserId,
    /// Meta's message id: Meta's redeliveries are dropped on it.
    pub mid: CommentId,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// What a buyer's message asks for. A message never creates a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// "pagado", "ya pagué", "paguei", "I paid": the seller checks; nothing is marked paid.
    SaysPaid,
    /// "cancelar", "cancela", "cancel": the buyer's latest reserved claim is cancelled.
    Cancel,
    Other,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::SaysPaid => "says_paid",
            MessageKind::Cancel => "cancel",
            MessageKind::Other => "other",
        }
    }
}

/// Reads a message in any of the three languages. A negation ("no pagué", "não paguei") is not a
/// payment; "no cancelar" is no cancellation.
pub fn classify(text: &str) -> MessageKind {
    let t = fold(text);
    let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let negated = |i: usize| i > 0 && matches!(words[i - 1], "no" | "nao" | "not" | "didnt" | "never" | "nunca" | "aun" | "ainda");
    let paid = ["pagado", "pague", "pagamos", "pagada", "paguei", "paid", "transferi", "deposite", "transferido"];
    let cancel = ["cancelar", "cancela", "cancelo", "cancel", "cancelem", "anular", "anula"];
    for (i, w) in words.iter().enumerate() {
        if cancel.contains(w) && !negated(i) {
            return MessageKind::Cancel;
        }
    }
    for (i, w) in words.iter().enumerate() {
        if paid.contains(w) && !negated(i) && !(i > 0 && matches!(words[i - 1], "como" | "donde" | "onde" | "how" | "where")) {
            return MessageKind::SaysPaid;
        }
    }
    MessageKind::Other
}

pub fn paid_text(lang: Lang, order_id: i64, total: Money) -> String {
    match lang {
        Lang::Es => format!("¡Pago recibido! Tu pedido #{order_id} ({}) está confirmado. Te avisaremos del envío.", total.display(false)),
        Lang::Pt => format!("Pagamento recebido! Seu pedido #{order_id} ({}) está confirmado. Avisaremos do envio.", total.display(false)),
        Lang::En => {
            format!("Payment received! Your order #{order_id} ({}) is confirmed. We'll let you know when it ships.", total.display(true))
        }
    }
}

pub fn reminder_text(lang: Lang, order_id: i64, minutes: i64, link: Option<&str>) -> String {
    let pay = |l: &str| link.map(|u| format!(" {l} {u}")).unwrap_or_default();
    match lang {
        Lang::Es => format!("Tu reserva del pedido #{order_id} vence en {minutes} min.{}", pay("Paga aquí:")),
        Lang::Pt => format!("Sua reserva do pedido #{order_id} vence em {minutes} min.{}", pay("Pague aqui:")),
        Lang::En => format!("Your reservation for order #{order_id} ends in {minutes} min.{}", pay("Pay here:")),
    }
}

pub fn promoted_text(lang: Lang, item: &str, total: Money, minutes: i64, link: Option<&str>) -> String {
    let english = lang == Lang::En;
    let pay = |l: &str| link.map(|u| format!(" {l} {u}")).unwrap_or_default();
    match lang {
        Lang::Es => format!(
            "¡Buenas noticias! Se liberó {item} y ahora es tuyo. Total: {}. Tu reserva dura {minutes} min.{}",
            total.display(english),
            pay("Paga aquí:")
        ),
        Lang::Pt => format!(
            "Boa notícia! Liberou {item} e agora é seu. Total: {}. Sua reserva vale por {minutes} min.{}",
            total.display(english),
            pay("Pague aqui:")
        ),
        Lang::En => format!(
            "Good news! {item} freed up and it's yours now. Total: {}. Your reservation is held for {minutes} min.{}",
            total.display(english),
            pay("Pay here:")
        ),
    }
}

pub fn cancelled_text(lang: Lang, item: &str) -> String {
    match lang {
        Lang::Es => format!("Listo, cancelamos tu reserva de {item}."),
        Lang::Pt => format!("Pronto, cancelamos sua reserva de {item}."),
        Lang::En => format!("Done, we cancelled your reservation of {item}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_says_paid_or_cancel_in_any_language_and_negations_say_neither() {
        for t in ["pagado", "Ya pagué!", "paguei", "I paid", "listo, ya transferí"] {
            assert_eq!(classify(t), MessageKind::SaysPaid, "{t}");
        }
        for t in ["cancelar", "CANCELA porfa", "please cancel", "quiero cancelar el pedido"] {
            assert_eq!(classify(t), MessageKind::Cancel, "{t}");
        }
        for t in ["no pagué todavía", "ainda não paguei", "no cancelar", "cómo pago?", "hola", "quiero 2 A12"] {
            assert!(matches!(classify(t), MessageKind::Other), "{t}: {:?}", classify(t));
        }
    }

    #[test]
    fn the_window_is_the_24_hours_after_the_buyers_last_message() {
        let now = Utc::now();
        assert!(window_open(Some(now - Duration::hours(23)), now));
        assert!(!window_open(Some(now - Duration::hours(25)), now));
        assert!(!window_open(None, now));
    }
}
