//! Money in minor units with its ISO 4217 currency: never floats, never a mix of currencies.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("invalid currency code {0:?}: expected three letters such as CLP, BRL or USD")]
    InvalidCurrency(String),
    #[error("negative amount {0}")]
    Negative(i64),
    #[error("amount overflow")]
    Overflow,
    #[error("cannot add {0} to {1}")]
    CurrencyMismatch(String, String),
}

/// An upper-case ISO 4217 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, MoneyError> {
        let up = raw.trim().to_ascii_uppercase();
        let bytes = up.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(MoneyError::InvalidCurrency(raw.to_string()));
        }
        Ok(Currency([bytes[0], bytes[1], bytes[2]]))
    }
    pub fn code(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
    /// Digits after the decimal point (ISO 4217 exponent) for the currencies sellers use.
    pub fn exponent(&self) -> u32 {
        match self.code() {
            "CLP" | "PYG" | "JPY" | "KRW" | "ISK" | "VND" | "UYI" | "XAF" | "XOF" => 0,
            _ => 2,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(raw: String) -> Result<Self, MoneyError> {
        Currency::parse(&raw)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A non-negative amount in the currency's minor unit (CLP 12990 = $12.990; BRL 1290 = R$ 12,90).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if minor < 0 {
            return Err(MoneyError::Negative(minor));
        }
        Ok(Money { minor, currency })
    }
    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }
    pub fn minor(&self) -> i64 {
        self.minor
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn times(&self, qty: u32) -> Result<Self, MoneyError> {
        let minor = self.minor.checked_mul(i64::from(qty)).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency: self.currency })
    }
    pub fn plus(&self, other: Money) -> Result<Self, MoneyError> {
        if other.currency != self.currency {
            return Err(MoneyError::CurrencyMismatch(other.currency.to_string(), self.currency.to_string()));
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency: self.currency })
    }

    /// Human form for a buyer: `$12.990 CLP`, `R$ 12,90`, `$12.90 USD`. Spanish and Portuguese
    /// group thousands with '.', English with ','.
    pub fn display(&self, english: bool) -> String {
        let exp = self.currency.exponent();
        let unit = 10i64.pow(exp);
        let (whole, frac) = (self.minor / unit, self.minor % unit);
        let (group_sep, dec_sep) = if english { (',', '.') } else { ('.', ',') };
        let digits = whole.to_string();
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(group_sep);
            }
            grouped.push(ch);
        }
        let number = if exp == 0 { grouped } else { format!("{grouped}{dec_sep}{frac:0width$}", width = exp as usize) };
        match self.currency.code() {
            "BRL" => format!("R$ {number}"),
            "EUR" => format!("{number} €"),
            code => format!("${number} {code}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).expect("valid currency")
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert!(Currency::parse("CL").is_err());
        assert!(Currency::parse("C1P").is_err());
        assert_eq!(cur("clp").code(), "CLP");
    }

    #[test]
    fn money_refuses_negative_amounts_and_mixed_currencies() {
        assert!(Money::new(-1, cur("CLP")).is_err());
        let clp = Money::new(100, cur("CLP")).expect("money");
        let usd = Money::new(100, cur("USD")).expect("money");
        assert!(clp.plus(usd).is_err());
    }

    #[test]
    fn money_displays_in_the_buyers_convention() {
        assert_eq!(Money::new(12990, cur("CLP")).expect("m").display(false), "$12.990 CLP");
        assert_eq!(Money::new(1290, cur("BRL")).expect("m").display(false), "R$ 12,90");
        assert_eq!(Money::new(123456, cur("USD")).expect("m").display(true), "$1,234.56 USD");
        assert_eq!(Money::new(5, cur("USD")).expect("m").display(true), "$0.05 USD");
    }

    #[test]
    fn money_multiplies_by_quantity() {
        let m = Money::new(4990, cur("CLP")).expect("m").times(3).expect("no overflow");
        assert_eq!(m.minor(), 14970);
        assert!(Money::new(i64::MAX, cur("CLP")).expect("m").times(2).is_err());
    }
}
