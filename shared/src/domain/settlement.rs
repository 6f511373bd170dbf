//! Links and the payments made on them: what a provider says about a payment, read into values
//! that can't be wrong (an amount in the currency's minor units, one of five states), and what
//! settling it did.
use super::ids::PageId;
use super::money::{Currency, Money};
use super::payment::Gateway;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a provider says a payment stands, mapped from each provider's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentState {
    /// Money taken: pays the link's claims.
    Approved,
    /// Not decided yet (in process, authorized, awaiting capture).
    Pending,
    Rejected,
    Cancelled,
    /// Given back (refunded, charged back) after the fact.
    Refunded,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Approved => "approved",
            PaymentState::Pending => "pending",
            PaymentState::Rejected => "rejected",
            PaymentState::Cancelled => "cancelled",
            PaymentState::Refunded => "refunded",
        }
    }

    /// Mercado Pago's `status` of a payment.
    pub fn from_mercadopago(status: &str) -> Option<Self> {
        Some(match status {
            "approved" => PaymentState::Approved,
            "pending" | "in_process" | "authorized" | "in_mediation" => PaymentState::Pending,
            "rejected" => PaymentState::Rejected,
            "cancelled" => PaymentState::Cancelled,
            "refunded" | "charged_back" => PaymentState::Refunded,
            _ => return None,
        })
    }

    /// Flow's numeric `status`: 1 pending, 2 paid, 3 rejected, 4 cancelled.
    pub fn from_flow(status: i64) -> Option<Self> {
        Some(match status {
            1 => PaymentState::Pending,
            2 => PaymentState::Approved,
            3 => PaymentState::Rejected,
            4 => PaymentState::Cancelled,
            _ => return None,
        })
    }

    /// A PayPal capture's `status`.
    pub fn from_paypal_capture(status: &str) -> Option<Self> {
        Some(match status {
            "COMPLETED" => PaymentState::Approved,
            "PENDING" => PaymentState::Pending,
            "DECLINED" | "FAILED" => PaymentState::Rejected,
            "REFUNDED" | "PARTIALLY_REFUNDED" => PaymentState::Refunded,
            _ => return None,
        })
    }
}

/// A decimal amount as a provider writes it ("12990", "12990.0", "12.9", 100.05) in the
/// currency's minor units; None when it has more digits than the currency allows or isn't a
/// non-negative number. Never through a float.
pub fn minor_from_decimal(text: &str, currency: Currency) -> Option<i64> {
    let places = currency.exponent() as usize;
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > places {
        return None;
    }
    let scaled = format!("{whole}{frac:0<places$}");
    scaled.parse::<i64>().ok()
}

/// A link as livesell recorded it, with the claims it charges for.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub order_id: i64,
    pub page: PageId,
    pub gateway: Gateway,
    pub external_ref: String,
    pub provider_ref: String,
    pub url: String,
    pub amount: Money,
    /// The part of `amount` that is shipping.
    pub shipping_minor: i64,
    pub claim_ids: Vec<i64>,
    pub expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// A link that a newer link of its order replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct SupersededLink {
    pub gateway: Gateway,
    pub provider_ref: String,
}

/// A payment as its provider reported it, after the provider's own check.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPayment {
    /// The page of the notification URL: a link of another page is never paid by it.
    pub page: PageId,
    pub gateway: Gateway,
    pub payment_ref: String,
    /// The reference livesell gave the link.
    pub external_ref: String,
    pub state: PaymentState,
    /// What was paid, in minor units of `currency` (None when the provider's amount could not be
    /// read in that currency: such a payment is flagged, never taken as right).
    pub amount_minor: Option<i64>,
    pub currency: String,
    /// The delivery address the provider's checkout collected, one line.
    pub delivery_address: Option<String>,
}

/// What settling a payment did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Settlement {
    /// The link's claims are sold. `re_reserved` of them had expired and were taken again;
    /// `refund_minor` is owed for the ones that couldn't be (a notice says which).
    Paid { order_id: i64, re_reserved: usize, refund_minor: i64 },
    /// The amount is not the link's: nothing paid, the seller told.
    Flagged { order_id: i64 },
    /// Nothing could be given for the money (sold out meanwhile, or paid twice): refund it.
    RefundNeeded { order_id: i64, refund_minor: i64 },
    /// Pending, rejected, cancelled or refunded: only the order's payment state changed.
    NotPaid { order_id: i64, state: PaymentState },
    /// This payment was settled before: nothing changed.
    Repeat { order_id: Option<i64> },
    /// No link of this page has that reference (yet): kept, so a later delivery settles it.
    Unmatched,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse(code).expect("currency")
    }

    #[test]
    fn provider_amounts_become_minor_units_without_floats() {
        assert_eq!(minor_from_decimal("12990", c("CLP")), Some(12990));
        assert_eq!(minor_from_decimal("12990.0", c("CLP")), Some(12990));
        assert_eq!(minor_from_decimal("12.9", c("BRL")), Some(1290));
        assert_eq!(minor_from_decimal("100.05", c("USD")), Some(10005));
        assert_eq!(minor_from_decimal("0.1", c("USD")), Some(10));
        assert_eq!(minor_from_decimal("12990.5", c("CLP")), None, "pesos have no cents");
        assert_eq!(minor_from_decimal("1.005", c("USD")), None);
        for bad in ["", "-5", "1e3", "12,90", ".5", "abc", "99999999999999999999"] {
            assert_eq!(minor_from_decimal(bad, c("USD")), None, "{bad}");
        }
    }

    #[test]
    fn each_providers_words_map_to_one_state() {
        assert_eq!(PaymentState::from_mercadopago("approved"), Some(PaymentState::Approved));
        assert_eq!(PaymentState::from_mercadopago("in_process"), Some(PaymentState::Pending));
        assert_eq!(PaymentState::from_mercadopago("charged_back"), Some(PaymentState::Refunded));
        assert_eq!(PaymentState::from_mercadopago("nonsense"), None);
        assert_eq!(PaymentState::from_flow(2), Some(PaymentState::Approved));
        assert_eq!(PaymentState::from_flow(4), Some(PaymentState::Cancelled));
        assert_eq!(PaymentState::from_flow(9), None);
        assert_eq!(PaymentState::from_paypal_capture("COMPLETED"), Some(PaymentState::Approved));
        assert_eq!(PaymentState::from_paypal_capture("DECLINED"), Some(PaymentState::Rejected));
    }
}
