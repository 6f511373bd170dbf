//! The gateways a seller takes money through, their credentials (secrets until sealed), and each
//! provider's rules for an amount: minor units end to end, each provider's decimals applied at
//! its edge, and no silent conversion into a currency a provider can't charge.
use super::money::Money;
use super::secret::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gateway {
    Flow,
    #[serde(rename = "mercadopago")]
    MercadoPago,
    Paypal,
}

impl Gateway {
    pub const ALL: [Gateway; 3] = [Gateway::Flow, Gateway::MercadoPago, Gateway::Paypal];

    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Flow => "flow",
            Gateway::MercadoPago => "mercadopago",
            Gateway::Paypal => "paypal",
        }
    }

    pub fn parse(raw: &str) -> Option<Gateway> {
        Gateway::ALL.into_iter().find(|g| g.as_str() == raw.trim().to_ascii_lowercase())
    }
}

/// A gateway's credentials as the seller gave them. Only ever stored sealed; never printed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "gateway", rename_all = "lowercase")]
pub enum Credentials {
    Flow {
        api_key: String,
        secret_key: String,
        /// Flow requires a payer email and Meta never gives the buyer's: the seller's own.
        payer_email: String,
    },
    #[serde(rename = "mercadopago")]
    MercadoPago {
        access_token: String,
        webhook_secret: String,
    },
    Paypal {
        client_id: String,
        client_secret: String,
        webhook_id: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.gateway().as_str())
    }
}

impl Credentials {
    pub fn gateway(&self) -> Gateway {
        match self {
            Credentials::Flow { .. } => Gateway::Flow,
            Credentials::MercadoPago { .. } => Gateway::MercadoPago,
            Credentials::Paypal { .. } => Gateway::Paypal,
        }
    }

    /// The JSON that gets sealed.
    pub fn to_secret(&self) -> SecretString {
        SecretString::new(serde_json::to_string(self).unwrap_or_default())
    }

    pub fn from_secret(s: &SecretString) -> Option<Credentials> {
        serde_json::from_str(s.expose()).ok()
    }
}

/// One gateway of a page, in the order they are tried (lowest priority first).
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayConfig {
    pub gateway: Gateway,
    pub priority: i32,
    pub credentials: Credentials,
}

/// What `payments list` shows: never the credentials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewaySummary {
    pub gateway: Gateway,
    pub priority: i32,
}

/// Why a provider can't charge an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{gateway} can't charge {currency}")]
    Unsupported { gateway: &'static str, currency: String },
    #[error("{gateway} takes no decimals in {currency}, and {minor} minor units aren't a whole amount")]
    NotWhole { gateway: &'static str, currency: String, minor: i64 },
}

/// PayPal's currencies (its currency-codes reference); CLP, ARS, COP, PEN and UYU are not among them.
const PAYPAL_CURRENCIES: &[&str] = &[
    "AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD", "NOK", "PHP", "PLN", "GBP",
    "RUB", "SGD", "SEK", "CHF", "THB", "USD",
];
/// Currencies PayPal takes without decimals.
const PAYPAL_WHOLE: &[&str] = &["HUF", "JPY", "TWD"];

/// The amount as a provider's API writes it: a decimal string with the currency's digits
/// ("12990" pesos, "12.90" reais), or whole units where the provider takes no decimals.
pub fn provider_amount(gateway: Gateway, money: Money) -> Result<String, AmountError> {
    let currency = money.currency();
    let code = currency.code();
    let places = currency.exponent();
    if gateway == Gateway::Paypal {
        if !PAYPAL_CURRENCIES.contains(&code) {
            return Err(AmountError::Unsupported { gateway: "paypal", currency: code.to_string() });
        }
        if PAYPAL_WHOLE.contains(&code) && places > 0 {
            let unit = 10i64.pow(places);
            if money.minor() % unit != 0 {
                return Err(AmountError::NotWhole { gateway: "paypal", currency: code.to_string(), minor: money.minor() });
            }
            return Ok((money.minor() / unit).to_string());
        }
    }
    Ok(decimal(money.minor(), places))
}

fn decimal(minor: i64, places: u32) -> String {
    if places == 0 {
        return minor.to_string();
    }
    let unit = 10i64.pow(places);
    format!("{}.{:0width$}", minor / unit, minor % unit, width = places as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn money(minor: i64, code: &str) -> Money {
        Money::new(minor, Currency::parse(code).expect("currency")).expect("money")
    }

    #[test]
    fn each_provider_gets_the_amount_in_its_own_decimals() {
        assert_eq!(provider_amount(Gateway::MercadoPago, money(12990, "CLP")).as_deref(), Ok("12990"));
        assert_eq!(provider_amount(Gateway::Flow, money(12990, "CLP")).as_deref(), Ok("12990"));
        assert_eq!(provider_amount(Gateway::MercadoPago, money(1290, "BRL")).as_deref(), Ok("12.90"));
        assert_eq!(provider_amount(Gateway::Paypal, money(10005, "USD")).as_deref(), Ok("100.05"));
        assert_eq!(provider_amount(Gateway::Paypal, money(500, "JPY")).as_deref(), Ok("500"));
        assert_eq!(provider_amount(Gateway::Paypal, money(120000, "HUF")).as_deref(), Ok("1200"));
    }

    #[test]
    fn paypal_never_converts_a_currency_it_cant_charge() {
        for code in ["CLP", "ARS", "COP", "PEN", "UYU"] {
            assert!(matches!(provider_amount(Gateway::Paypal, money(1000, code)), Err(AmountError::Unsupported { .. })), "{code}");
        }
        assert!(matches!(provider_amount(Gateway::Paypal, money(120050, "HUF")), Err(AmountError::NotWhole { .. })));
    }

    #[test]
    fn credentials_never_print_and_round_trip_through_their_sealed_form() {
        let c = Credentials::MercadoPago { access_token: "APP_USR-secret".into(), webhook_secret: "whsec".into() };
        assert_eq!(format!("{c:?}"), "Credentials(mercadopago, ***)");
        assert_eq!(Credentials::from_secret(&c.to_secret()), Some(c));
        assert_eq!(Gateway::parse(" MercadoPago "), Some(Gateway::MercadoPago));
        assert_eq!(Gateway::parse("stripe"), None);
    }
}
