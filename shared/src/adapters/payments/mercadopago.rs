//! # Mercado Pago Checkout Pro
//! `POST {MERCADOPAGO_BASE_URL}/checkout/preferences` with the seller's access token as Bearer and
//! an `X-Idempotency-Key` (the official SDKs send it on preference creation too): one item for the
//! order's total, `external_reference`, `notification_url`, `back_urls`, and `expires` with
//! `expiration_date_to` = the hold's expiry. The buyer pays at `init_point`.
use super::Urls;
use crate::domain::payment::{Credentials, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use crate::domain::settlement::PaymentState;
use crate::ports::{CheckoutProvider, Confirmation, Notification, PaymentError, ReportedPayment};
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::time::Duration;

pub struct MercadoPago {
    http: reqwest::Client,
    base_url: String,
    urls: Urls,
}

impl MercadoPago {
    /// `base_url` is `https://api.mercadopago.com` in production.
    pub fn new(base_url: &str, urls: Urls) -> Result<Self, reqwest::Error> {
        Ok(MercadoPago { http: super::client()?, base_url: base_url.trim_end_matches('/').to_string(), urls })
    }
}

/// Why an `x-signature` was refused (the official SDKs' reasons).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no x-signature header")]
    Missing,
    #[error("x-signature is malformed")]
    Malformed,
    #[error("x-signature has no ts")]
    NoTimestamp,
    #[error("x-signature has no v1")]
    NoHash,
    #[error("x-signature does not match")]
    Mismatch,
}

/// The manifest Mercado Pago signs: `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`, each part
/// left out when absent or blank.
fn manifest(data_id: Option<&str>, request_id: Option<&str>, ts: &str) -> String {
    let mut out = String::new();
    if let Some(id) = data_id.map(str::trim).filter(|s| !s.is_empty()) {
        out.push_str(&format!("id:{id};"));
    }
    if let Some(r) = request_id.map(str::trim).filter(|s| !s.is_empty()) {
        out.push_str(&format!("request-id:{r};"));
    }
    out.push_str(&format!("ts:{ts};"));
    out
}

/// Checks `x-signature: ts=…,v1=…` as the official SDKs' `WebhookSignatureValidator` do (e.g.
/// mercadopago/sdk-go `pkg/webhook/webhook.go`, sdk-nodejs `src/utils/webhook/index.ts`): split
/// on `,` then at the first `=`, keys trimmed and lower-cased; `ts` all digits; HMAC-SHA256 of
/// the manifest with the webhook secret, hex, compared in constant time. Where Mercado Pago's
/// sources disagree both forms pass: `data.id` as received (every SDK since June 2026, "Mercado
/// Pago signs the original casing") or lower-cased (the Orders docs); `ts` is not held to a
/// freshness window (off by default in every SDK; they differ on seconds or milliseconds) — a
/// replayed notification only makes livesell read the payment's state again.
pub fn verify_signature(header: Option<&str>, request_id: Option<&str>, data_id: Option<&str>, secret: &str) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
    let (mut ts, mut v1) = (None, None);
    for part in header.split(',') {
        let (k, v) = part.split_once('=').ok_or(SignatureError::Malformed)?;
        match k.trim().to_ascii_lowercase().as_str() {
            "ts" => ts = Some(v.trim()),
            "v1" => v1 = Some(v.trim()),
            _ => {}
        }
    }
    let ts = ts.filter(|t| !t.is_empty()).ok_or(SignatureError::NoTimestamp)?;
    if !ts.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed);
    }
    let given = v1.filter(|v| !v.is_empty()).ok_or(SignatureError::NoHash)?;
    let given = hex::decode(given).map_err(|_| SignatureError::Mismatch)?;
    let lowered = data_id.map(str::to_ascii_lowercase);
    let mut candidates = vec![data_id];
    if lowered.as_deref() != data_id {
        candidates.push(lowered.as_deref());
    }
    for id in candidates {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(manifest(id, request_id, ts).as_bytes());
        // `verify_slice` compares in constant time.
        if mac.verify_slice(&given).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// `GET /v1/payments/{id}`: the fields livesell reads.
#[derive(Deserialize)]
struct Payment {
    id: serde_json::Value,
    status: String,
    transaction_amount: serde_json::Number,
    currency_id: String,
    #[serde(default)]
    external_reference: Option<String>,
    #[serde(default)]
    additional_info: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Preference {
    id: String,
    init_point: String,
}

const P: &str = "mercadopago";

#[async_trait]
impl CheckoutProvider for MercadoPago {
    fn gateway(&self) -> Gateway {
        Gateway::MercadoPago
    }

    async fn create_link(
        &self,
        req: &PaymentRequest,
        creds: &Credentials,
        deadline: Duration,
    ) -> Result<PaymentInstructions, PaymentError> {
        let Credentials::MercadoPago { access_token, .. } = creds else { return Err(PaymentError::NotConfigured { provider: P }) };
        let amount = super::amount_text(Gateway::MercadoPago, req.total.minor(), req.total.currency())?;
        // `unit_price` is a JSON number: 12990 pesos, 12.9 reais.
        let unit_price: serde_json::Number =
            serde_json::from_str(&amount).map_err(|e| PaymentError::Refused { provider: P, message: e.to_string() })?;
        let title: String = req.description.chars().take(250).collect();
        let currency = req.total.currency();
        let mut items = vec![serde_json::json!({
            "id": format!("order-{}", req.order_id),
            "title": title,
            "quantity": 1,
            "unit_price": unit_price,
            "currency_id": currency.code(),
        })];
        // Shipping as its own line: the buyer sees it once, and the items still sum to the total.
        if req.shipping > 0 {
            let number = |minor: i64| -> Result<serde_json::Number, PaymentError> {
                let text = super::amount_text(Gateway::MercadoPago, minor, currency)?;
                serde_json::from_str(&text).map_err(|e| PaymentError::Refused { provider: P, message: e.to_string() })
            };
            let (goods, fee) = (req.total.minor() - req.shipping, req.shipping);
            items[0]["unit_price"] = serde_json::Value::Number(number(goods)?);
            items.push(serde_json::json!({
                "id": "shipping", "title": "Envío", "quantity": 1, "unit_price": number(fee)?, "currency_id": currency.code(),
            }));
        }
        let body = serde_json::json!({
            "items": items,
            "external_reference": req.reference(),
            // `source_news=webhooks`: signed Webhooks only, not the legacy unsigned IPN as well.
            "notification_url": format!("{}?source_news=webhooks", self.urls.notification(Gateway::MercadoPago, &req.page_id)),
            "back_urls": {
                "success": self.urls.buyer_return(req.order_id),
                "pending": self.urls.buyer_return(req.order_id),
                "failure": self.urls.buyer_return(req.order_id),
            },
            "auto_return": "approved",
            "expires": true,
            "expiration_date_from": req.now.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
            "expiration_date_to": req.expires_at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
        });
        let request = self
            .http
            .post(format!("{}/checkout/preferences", self.base_url))
            .bearer_auth(access_token)
            .header("X-Idempotency-Key", req.idempotency_key())
            .timeout(deadline)
            .json(&body);
        let pref: Preference = super::call(P, request).await?;
        Ok(PaymentInstructions::Link { provider: P.into(), url: pref.init_point, reference: pref.id, amount_minor: req.total.minor() })
    }

    /// `PUT /checkout/preferences/{id}` moving `expiration_date_to` to now (the SDKs' preference
    /// update; Mercado Pago documents no cancel): the superseded link stops taking payments.
    async fn expire_link(&self, provider_ref: &str, creds: &Credentials) -> Result<bool, PaymentError> {
        let Credentials::MercadoPago { access_token, .. } = creds else { return Err(PaymentError::NotConfigured { provider: P }) };
        let id: String = provider_ref.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string();
        let request = self
            .http
            .put(format!("{}/checkout/preferences/{id}", self.base_url))
            .bearer_auth(access_token)
            .header("X-Idempotency-Key", format!("livesell-expire-{id}"))
            .json(&serde_json::json!({ "expires": true, "expiration_date_to": now }));
        let _: serde_json::Value = super::call(P, request).await?;
        Ok(true)
    }

    /// The signature first (nothing is fetched for a notification that fails it), then the
    /// payment from `GET /v1/payments/{data.id}`.
    async fn confirm(&self, n: &Notification, creds: &Credentials) -> Result<Confirmation, PaymentError> {
        let Credentials::MercadoPago { access_token, webhook_secret } = creds else {
            return Err(PaymentError::NotConfigured { provider: P });
        };
        let data_id = n.query("data.id");
        verify_signature(n.header("x-signature"), n.header("x-request-id"), data_id, webhook_secret)
            .map_err(|e| PaymentError::Forged { provider: P, reason: e.to_string() })?;
        let topic = n.query("type").or_else(|| n.query("topic")).unwrap_or("payment");
        if topic != "payment" {
            return Ok(Confirmation::Ignored(format!("topic {}", crate::domain::text::excerpt(topic, 40))));
        }
        let id = data_id.filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()));
        let id = id.ok_or_else(|| PaymentError::Malformed { provider: P, reason: "data.id is missing or not an id".into() })?;
        let request = self.http.get(format!("{}/v1/payments/{id}", self.base_url)).bearer_auth(access_token);
        let p: Payment = super::call(P, request).await?;
        let state = PaymentState::from_mercadopago(&p.status)
            .ok_or_else(|| PaymentError::Unavailable { provider: P, message: format!("unknown payment status {:?}", p.status) })?;
        let payment_ref = match &p.id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Ok(Confirmation::Payment(ReportedPayment {
            payment_ref,
            external_ref: p.external_reference.unwrap_or_default(),
            state,
            amount: p.transaction_amount.to_string(),
            currency: p.currency_id,
            delivery_address: crate::ports::address_line(
                p.additional_info.as_ref().and_then(|a| a.pointer("/shipments/receiver_address")),
                &["street_name", "street_number", "apartment", "zip_code", "city_name", "state_name"],
            ),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The official SDKs' test inputs (secret, request id, ids, ts); the hashes computed here.
    const SECRET: &str = "your_secret_key_here";
    const REQ: &str = "2066ca19-c6f1-498a-be75-1923005edd06";
    const TS: &str = "1742505638683";

    fn sign(manifest: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
        mac.update(manifest.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn the_manifest_leaves_out_absent_parts() {
        assert_eq!(manifest(Some("123"), Some(REQ), TS), format!("id:123;request-id:{REQ};ts:{TS};"));
        assert_eq!(manifest(None, Some(REQ), TS), format!("request-id:{REQ};ts:{TS};"));
        assert_eq!(manifest(Some(" "), None, TS), format!("ts:{TS};"));
    }

    #[test]
    fn a_known_vector_verifies() {
        // HMAC-SHA256("your_secret_key_here", "id:ORD01JQ4S4KY8HWQ6NA5PXB65B3D3;request-id:…;ts:1742505638683;"),
        // computed independently with Python's hmac module.
        let h = "fb15ae6472eb449173c556793205d77787d58f384d183bb5bc3b724c27bd103c";
        assert_eq!(sign(&manifest(Some("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"), Some(REQ), TS)), h);
        let header = format!("ts={TS},v1={h}");
        assert_eq!(verify_signature(Some(&header), Some(REQ), Some("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"), SECRET), Ok(()));
    }

    #[test]
    fn both_casings_of_an_alphanumeric_id_pass_and_numeric_ids_are_unaffected() {
        let lower = sign(&manifest(Some("ord01jq4s4ky8hwq6na5pxb65b3d3"), Some(REQ), TS));
        assert_eq!(lower, "633f91233312dd391ec75fa0bea539cfc2d6c4918873305b84a96cc1c58db71c");
        let h = format!("ts={TS},v1={lower}");
        assert_eq!(verify_signature(Some(&h), Some(REQ), Some("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"), SECRET), Ok(()));
        let numeric = format!("ts=1704908010,v1={}", sign(&manifest(Some("999999999"), Some(REQ), "1704908010")));
        assert_eq!(verify_signature(Some(&numeric), Some(REQ), Some("999999999"), SECRET), Ok(()));
    }

    #[test]
    fn forged_missing_and_malformed_signatures_are_refused() {
        let good = sign(&manifest(Some("123"), Some(REQ), TS));
        let check = |h: Option<&str>, id: &str| verify_signature(h, Some(REQ), Some(id), SECRET);
        assert_eq!(check(None, "123"), Err(SignatureError::Missing));
        assert_eq!(check(Some(""), "123"), Err(SignatureError::Missing));
        assert_eq!(check(Some("garbage"), "123"), Err(SignatureError::Malformed));
        assert_eq!(check(Some(&format!("v1={good}")), "123"), Err(SignatureError::NoTimestamp));
        assert_eq!(check(Some(&format!("ts={TS}")), "123"), Err(SignatureError::NoHash));
        assert_eq!(check(Some(&format!("ts=12ab,v1={good}")), "123"), Err(SignatureError::Malformed));
        assert_eq!(check(Some(&format!("ts={TS},v1={good}")), "124"), Err(SignatureError::Mismatch), "a hash for another id");
        assert_eq!(check(Some(&format!("ts=1742505638684,v1={good}")), "123"), Err(SignatureError::Mismatch));
        assert_eq!(check(Some(&format!("ts={TS},v1=zz")), "123"), Err(SignatureError::Mismatch));
        assert_eq!(
            verify_signature(Some(&format!("ts={TS},v1={good}")), Some(REQ), Some("123"), "other secret"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(check(Some(&format!(" TS = {TS} , V1 = {good} ")), "123"), Ok(()), "keys are trimmed and case-folded");
    }
}
