//! # Flow (flow.cl)
//! `POST {FLOW_BASE_URL}/payment/create`, form-encoded, signed: every parameter but `s`, sorted by
//! name, concatenated as name+value, HMAC-SHA256 with the secret key, lower-case hex, sent as `s`
//! (over the raw values, before URL-encoding). `timeout` is the hold's remaining time, so the
//! order can't be paid after its units went back on sale. The buyer pays at `url?token=…`.
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

pub struct Flow {
    http: reqwest::Client,
    base_url: String,
    urls: Urls,
}

impl Flow {
    /// `base_url` is `https://www.flow.cl/api` in production (`https://sandbox.flow.cl/api` to test).
    pub fn new(base_url: &str, urls: Urls) -> Result<Self, reqwest::Error> {
        Ok(Flow { http: super::client()?, base_url: base_url.trim_end_matches('/').to_string(), urls })
    }
}

/// Flow's `s`: HMAC-SHA256 over the sorted name+value pairs, lower-case hex.
pub fn sign(params: &[(&str, String)], secret_key: &str) -> String {
    let mut sorted: Vec<&(&str, String)> = params.iter().filter(|(k, _)| *k != "s").collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let text: String = sorted.iter().map(|(k, v)| format!("{k}{v}")).collect();
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Deserialize)]
struct Created {
    url: String,
    token: String,
}

/// `payment/getStatus`: the fields livesell reads (Flow adds fields freely; the rest are ignored).
#[derive(Deserialize)]
struct Status {
    #[serde(rename = "flowOrder")]
    flow_order: serde_json::Number,
    #[serde(rename = "commerceOrder")]
    commerce_order: String,
    status: i64,
    currency: String,
    amount: serde_json::Number,
}

/// The `token` of a form-encoded body (Flow's confirmation and the buyer's return both POST it).
/// Flow's tokens are short runs of letters and digits: anything else is refused before Flow is asked.
pub fn form_token(body: &[u8]) -> Option<String> {
    let token = form_urlencoded::parse(body).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned())?;
    let ok = !token.is_empty() && token.len() <= 128 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(token)
}

const P: &str = "flow";

#[async_trait]
impl CheckoutProvider for Flow {
    fn gateway(&self) -> Gateway {
        Gateway::Flow
    }

    async fn create_link(
        &self,
        req: &PaymentRequest,
        creds: &Credentials,
        deadline: Duration,
    ) -> Result<PaymentInstructions, PaymentError> {
        let Credentials::Flow { api_key, secret_key, payer_email } = creds else { return Err(PaymentError::NotConfigured { provider: P }) };
        // Flow charges Chilean pesos; anything else is not converted behind the seller's back.
        if req.total.currency().code() != "CLP" {
            return Err(PaymentError::Refused { provider: P, message: format!("Flow charges CLP, not {}", req.total.currency()) });
        }
        let amount = super::amount_text(Gateway::Flow, req.total.minor(), req.total.currency())?;
        let left = (req.expires_at - req.now).num_seconds();
        if left <= 0 {
            return Err(PaymentError::Refused { provider: P, message: "the hold has already expired".into() });
        }
        let mut params: Vec<(&str, String)> = vec![
            ("apiKey", api_key.clone()),
            ("commerceOrder", req.reference()),
            ("subject", req.description.chars().take(200).collect()),
            ("currency", "CLP".into()),
            ("amount", amount),
            ("email", payer_email.clone()),
            ("urlConfirmation", self.urls.notification(Gateway::Flow, &req.page_id)),
            ("urlReturn", self.urls.buyer_return(req.order_id)),
            ("timeout", left.to_string()),
        ];
        let s = sign(&params, secret_key);
        params.push(("s", s));
        let request = self.http.post(format!("{}/payment/create", self.base_url)).timeout(deadline).form(&params);
        let created: Created = super::call(P, request).await?;
        let url = format!("{}?token={}", created.url, created.token);
        Ok(PaymentInstructions::Link { provider: P.into(), url, reference: created.token, amount_minor: req.total.minor() })
    }

    /// Flow's confirmation is unsigned (`token=…` only): what counts is `payment/getStatus`,
    /// signed with the seller's key, so a forged token finds nothing.
    async fn confirm(&self, n: &Notification, creds: &Credentials) -> Result<Confirmation, PaymentError> {
        let Credentials::Flow { api_key, secret_key, .. } = creds else { return Err(PaymentError::NotConfigured { provider: P }) };
        let token =
            form_token(&n.body).ok_or_else(|| PaymentError::Malformed { provider: P, reason: "no valid token in the form".into() })?;
        let mut params: Vec<(&str, String)> = vec![("apiKey", api_key.clone()), ("token", token)];
        let s = sign(&params, secret_key);
        params.push(("s", s));
        let request = self.http.get(format!("{}/payment/getStatus", self.base_url)).query(&params);
        let st: Status = super::call(P, request).await?;
        let state = PaymentState::from_flow(st.status)
            .ok_or_else(|| PaymentError::Unavailable { provider: P, message: format!("unknown status {}", st.status) })?;
        Ok(Confirmation::Payment(ReportedPayment {
            payment_ref: st.flow_order.to_string(),
            external_ref: st.commerce_order,
            state,
            amount: st.amount.to_string(),
            currency: st.currency,
            // Flow's checkout collects no address.
            delivery_address: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_covers_the_sorted_pairs_and_never_itself() {
        // name+value pairs sorted by name: "amount5000apiKeyXXXXcurrencyCLP", as Flow's docs show.
        let params = [("currency", "CLP".to_string()), ("apiKey", "XXXX".to_string()), ("amount", "5000".to_string())];
        let with_s = [params[0].clone(), params[1].clone(), params[2].clone(), ("s", "ignored".to_string())];
        assert_eq!(super::sign(&params, "secret"), super::sign(&with_s, "secret"));
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"secret").expect("key");
        mac.update(b"amount5000apiKeyXXXXcurrencyCLP");
        assert_eq!(super::sign(&params, "secret"), hex::encode(mac.finalize().into_bytes()));
    }
}
