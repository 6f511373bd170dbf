//! # PayPal Orders v2
//! A client-credentials token (`POST /v1/oauth2/token`, Basic id:secret), cached per client until
//! shortly before it expires; then `POST /v2/checkout/orders` with `PayPal-Request-Id` (a retry
//! gets the same order) and `payment_source.paypal.experience_context` return and cancel URLs.
//! The buyer pays at the `payer-action` link (`approve` with the older request shape): both are
//! accepted. Currencies PayPal can't charge (CLP, ARS, COP, PEN, UYU…) are refused, never converted.
use super::Urls;
use crate::domain::payment::{provider_amount, Credentials, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use crate::ports::{CheckoutProvider, PaymentError};
use async_trait::async_trait;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Paypal {
    http: reqwest::Client,
    base_url: String,
    urls: Urls,
    /// client id → (token, valid until)
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl Paypal {
    /// `base_url` is `https://api-m.paypal.com` in production (`https://api-m.sandbox.paypal.com`).
    pub fn new(base_url: &str, urls: Urls) -> Result<Self, reqwest::Error> {
        Ok(Paypal {
            http: super::client()?,
            base_url: base_url.trim_end_matches('/').to_string(),
            urls,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    async fn token(&self, client_id: &str, secret: &str, deadline: Duration) -> Result<String, PaymentError> {
        if let Some((t, until)) = self.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(client_id) {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
        let request = self
            .http
            .post(format!("{}/v1/oauth2/token", self.base_url))
            .basic_auth(client_id, Some(secret))
            .timeout(deadline)
            .form(&[("grant_type", "client_credentials")]);
        let t: Token = super::call(P, request).await?;
        // A minute of margin, so a token is never used as it expires.
        let until = Instant::now() + Duration::from_secs(t.expires_in.saturating_sub(60));
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).insert(client_id.to_string(), (t.access_token.clone(), until));
        Ok(t.access_token)
    }
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct Order {
    id: String,
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
    rel: String,
}

const P: &str = "paypal";

#[async_trait]
impl CheckoutProvider for Paypal {
    fn gateway(&self) -> Gateway {
        Gateway::Paypal
    }

    async fn create_link(
        &self,
        req: &PaymentRequest,
        creds: &Credentials,
        deadline: Duration,
    ) -> Result<PaymentInstructions, PaymentError> {
        let Credentials::Paypal { client_id, client_secret, .. } = creds else { return Err(PaymentError::NotConfigured { provider: P }) };
        let value =
            provider_amount(Gateway::Paypal, req.total).map_err(|e| PaymentError::Refused { provider: P, message: e.to_string() })?;
        let started = Instant::now();
        let token = self.token(client_id, client_secret, deadline).await?;
        let body = serde_json::json!({
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": format!("{}:{}", req.page_id, req.order_id),
                "description": req.description.chars().take(127).collect::<String>(),
                "amount": { "currency_code": req.total.currency().code(), "value": value },
            }],
            "payment_source": { "paypal": { "experience_context": {
                "return_url": self.urls.buyer_return(req.order_id),
                "cancel_url": self.urls.buyer_return(req.order_id),
                "user_action": "PAY_NOW",
            }}},
        });
        let request = self
            .http
            .post(format!("{}/v2/checkout/orders", self.base_url))
            .bearer_auth(&token)
            .header("PayPal-Request-Id", req.idempotency_key())
            .timeout(deadline.saturating_sub(started.elapsed()).max(Duration::from_millis(1)))
            .json(&body);
        let order: Order = super::call(P, request).await?;
        let link = order
            .links
            .iter()
            .find(|l| l.rel == "payer-action")
            .or_else(|| order.links.iter().find(|l| l.rel == "approve"))
            .ok_or_else(|| PaymentError::Unavailable { provider: P, message: "the order came back without a buyer link".into() })?;
        Ok(PaymentInstructions::Link { provider: P.into(), url: link.href.clone(), reference: order.id, amount_minor: req.total.minor() })
    }
}
