//! # PayPal Orders v2
//! A client-credentials token (`POST /v1/oauth2/token`, Basic id:secret), cached per client until
//! shortly before it expires; then `POST /v2/checkout/orders` with `PayPal-Request-Id` (a retry
//! gets the same order) and `payment_source.paypal.experience_context` return and cancel URLs.
//! The buyer pays at the `payer-action` link (`approve` with the older request shape): both are
//! accepted. Currencies PayPal can't charge (CLP, ARS, COP, PEN, UYU…) are refused, never converted.
use super::Urls;
use crate::domain::payment::{Credentials, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use crate::domain::settlement::PaymentState;
use crate::ports::{CheckoutProvider, Confirmation, Notification, PaymentError, ReportedPayment};
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

/// A capture, as an order's `purchase_units[].payments.captures[]` and the
/// `PAYMENT.CAPTURE.*` events' `resource` both write it.
#[derive(Deserialize)]
struct Capture {
    id: String,
    status: String,
    amount: Amount,
    #[serde(default)]
    custom_id: Option<String>,
    #[serde(default)]
    supplementary_data: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Amount {
    currency_code: String,
    value: String,
}

/// An order with its captures (after capturing it, or read back).
#[derive(Deserialize)]
struct CapturedOrder {
    #[serde(default)]
    purchase_units: Vec<PurchaseUnit>,
}

#[derive(Deserialize)]
struct PurchaseUnit {
    #[serde(default)]
    custom_id: Option<String>,
    #[serde(default)]
    shipping: Option<serde_json::Value>,
    #[serde(default)]
    payments: Option<Payments>,
}

#[derive(Deserialize)]
struct Payments {
    #[serde(default)]
    captures: Vec<Capture>,
}

#[derive(Deserialize)]
struct Event {
    event_type: String,
    resource: serde_json::Value,
}

#[derive(Deserialize)]
struct Verification {
    verification_status: String,
}

fn reported(c: Capture, custom_id: Option<String>, shipping: Option<&serde_json::Value>) -> Result<Confirmation, PaymentError> {
    let state = PaymentState::from_paypal_capture(&c.status)
        .ok_or_else(|| PaymentError::Unavailable { provider: P, message: format!("unknown capture status {:?}", c.status) })?;
    let external_ref = c.custom_id.or(custom_id).unwrap_or_default();
    Ok(Confirmation::Payment(ReportedPayment {
        payment_ref: c.id,
        external_ref,
        state,
        amount: c.amount.value,
        currency: c.amount.currency_code,
        delivery_address: crate::ports::address_line(
            shipping.and_then(|s| s.get("address")),
            &["address_line_1", "address_line_2", "admin_area_2", "admin_area_1", "postal_code", "country_code"],
        ),
    }))
}

/// The order's first capture, with its purchase unit's `custom_id` and shipping.
fn first_capture(order: CapturedOrder) -> Option<(Capture, Option<String>, Option<serde_json::Value>)> {
    let unit = order.purchase_units.into_iter().next()?;
    let capture = unit.payments?.captures.into_iter().next()?;
    Some((capture, unit.custom_id, unit.shipping))
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
        let value = super::amount_text(Gateway::Paypal, req.total.minor(), req.total.currency())?;
        let currency = req.total.currency();
        let mut amount = serde_json::json!({ "currency_code": currency.code(), "value": value });
        if req.shipping > 0 {
            let part = |minor: i64| super::amount_text(Gateway::Paypal, minor, currency);
            amount["breakdown"] = serde_json::json!({
                "item_total": { "currency_code": currency.code(), "value": part(req.total.minor() - req.shipping)? },
                "shipping": { "currency_code": currency.code(), "value": part(req.shipping)? },
            });
        }
        let started = Instant::now();
        let token = self.token(client_id, client_secret, deadline).await?;
        let body = serde_json::json!({
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": format!("order-{}", req.order_id),
                // Comes back on the capture: how a payment finds its link.
                "custom_id": req.reference(),
                "description": req.description.chars().take(127).collect::<String>(),
                "amount": amount,
            }],
            "payment_source": { "paypal": { "experience_context": {
                "return_url": self.urls.buyer_return(req.order_id),
                "cancel_url": self.urls.buyer_return(req.order_id),
                "user_action": "PAY_NOW",
                // PayPal collects the delivery address only when there is something to ship.
                "shipping_preference": if req.shipping > 0 { "GET_FROM_FILE" } else { "NO_SHIPPING" },
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

    /// `POST /v1/notifications/verify-webhook-signature` with the transmission headers, the
    /// seller's webhook id and the event exactly as received; then `CHECKOUT.ORDER.APPROVED` is
    /// captured (`PayPal-Request-Id` per order: a repeated event gets the same capture) and a
    /// `PAYMENT.CAPTURE.*` event's capture is read as it is.
    async fn confirm(&self, n: &Notification, creds: &Credentials) -> Result<Confirmation, PaymentError> {
        let Credentials::Paypal { client_id, client_secret, webhook_id } = creds else {
            return Err(PaymentError::NotConfigured { provider: P });
        };
        let malformed = |reason: String| PaymentError::Malformed { provider: P, reason };
        let event: Event = serde_json::from_slice(&n.body).map_err(|e| malformed(format!("the event is not JSON: {e}")))?;
        let header = |name: &str| {
            n.header(name).map(str::to_string).ok_or_else(|| PaymentError::Forged { provider: P, reason: format!("no {name} header") })
        };
        let field = |v: String| serde_json::Value::String(v).to_string();
        // The event goes back verbatim (as PayPal's own SDKs send it), not re-serialised.
        let raw = std::str::from_utf8(&n.body).map_err(|_| malformed("the event is not UTF-8".into()))?;
        let body = format!(
            r#"{{"auth_algo":{},"cert_url":{},"transmission_id":{},"transmission_sig":{},"transmission_time":{},"webhook_id":{},"webhook_event":{raw}}}"#,
            field(header("paypal-auth-algo")?),
            field(header("paypal-cert-url")?),
            field(header("paypal-transmission-id")?),
            field(header("paypal-transmission-sig")?),
            field(header("paypal-transmission-time")?),
            field(webhook_id.clone()),
        );
        let deadline = Duration::from_secs(10);
        let token = self.token(client_id, client_secret, deadline).await?;
        let request = self
            .http
            .post(format!("{}/v1/notifications/verify-webhook-signature", self.base_url))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body);
        let v: Verification = super::call(P, request).await?;
        if v.verification_status != "SUCCESS" {
            return Err(PaymentError::Forged { provider: P, reason: format!("verification answered {}", v.verification_status) });
        }
        let order_id =
            |r: &serde_json::Value| r.pointer("/supplementary_data/related_ids/order_id").and_then(|v| v.as_str()).map(str::to_string);
        match event.event_type.as_str() {
            "CHECKOUT.ORDER.APPROVED" => {
                let id = event.resource.get("id").and_then(|v| v.as_str()).ok_or_else(|| malformed("the order has no id".into()))?;
                let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                let capture = self
                    .http
                    .post(format!("{}/v2/checkout/orders/{id}/capture", self.base_url))
                    .bearer_auth(&token)
                    .header("PayPal-Request-Id", format!("livesell-capture-{id}"))
                    .header("content-type", "application/json");
                let order: CapturedOrder = match super::call(P, capture).await {
                    Ok(o) => o,
                    // Captured already (by an earlier delivery whose answer was lost): read it back.
                    Err(PaymentError::Refused { .. }) => {
                        super::call(P, self.http.get(format!("{}/v2/checkout/orders/{id}", self.base_url)).bearer_auth(&token)).await?
                    }
                    Err(e) => return Err(e),
                };
                let (c, custom, shipping) = first_capture(order).ok_or_else(|| PaymentError::Unavailable {
                    provider: P,
                    message: format!("order {id} has no capture after capturing"),
                })?;
                reported(c, custom, shipping.as_ref())
            }
            "PAYMENT.CAPTURE.COMPLETED" | "PAYMENT.CAPTURE.PENDING" | "PAYMENT.CAPTURE.DENIED" => {
                let c: Capture =
                    serde_json::from_value(event.resource).map_err(|e| malformed(format!("the capture can't be read: {e}")))?;
                if c.custom_id.is_some() {
                    return reported(c, None, None);
                }
                // No custom_id on the event: the order it belongs to has it.
                let Some(order) = c.supplementary_data.as_ref().and_then(order_id) else {
                    return Ok(Confirmation::Ignored(format!("capture {} names no order", c.id)));
                };
                let order: String = order.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                let o: CapturedOrder =
                    super::call(P, self.http.get(format!("{}/v2/checkout/orders/{order}", self.base_url)).bearer_auth(&token)).await?;
                let unit = o.purchase_units.into_iter().next();
                let shipping = unit.as_ref().and_then(|u| u.shipping.clone());
                reported(c, unit.and_then(|u| u.custom_id), shipping.as_ref())
            }
            other => Ok(Confirmation::Ignored(format!("event {}", crate::domain::text::excerpt(other, 60)))),
        }
    }
}
