//! # Mercado Pago Checkout Pro
//! `POST {MERCADOPAGO_BASE_URL}/checkout/preferences` with the seller's access token as Bearer and
//! an `X-Idempotency-Key` (the official SDKs send it on preference creation too): one item for the
//! order's total, `external_reference`, `notification_url`, `back_urls`, and `expires` with
//! `expiration_date_to` = the hold's expiry. The buyer pays at `init_point`.
use super::Urls;
use crate::domain::payment::{provider_amount, Credentials, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use crate::ports::{CheckoutProvider, PaymentError};
use async_trait::async_trait;
use serde::Deserialize;
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
        let amount =
            provider_amount(Gateway::MercadoPago, req.total).map_err(|e| PaymentError::Refused { provider: P, message: e.to_string() })?;
        // `unit_price` is a JSON number: 12990 pesos, 12.9 reais.
        let unit_price: serde_json::Number =
            serde_json::from_str(&amount).map_err(|e| PaymentError::Refused { provider: P, message: e.to_string() })?;
        let title: String = req.description.chars().take(250).collect();
        let body = serde_json::json!({
            "items": [{
                "id": format!("order-{}", req.order_id),
                "title": title,
                "quantity": 1,
                "unit_price": unit_price,
                "currency_id": req.total.currency().code(),
            }],
            "external_reference": format!("{}:{}", req.page_id, req.order_id),
            "notification_url": self.urls.notification(Gateway::MercadoPago, &req.page_id),
            "back_urls": {
                "success": self.urls.buyer_return(req.order_id),
                "pending": self.urls.buyer_return(req.order_id),
                "failure": self.urls.buyer_return(req.order_id),
            },
            "auto_return": "approved",
            "expires": true,
            "expiration_date_from": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
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
}
