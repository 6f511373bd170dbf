//! # Payments
//! The gateways' HTTP clients (Flow, Mercado Pago, PayPal), the bank-transfer method (the
//! seller's own instructions), and `PageCheckout`: each page's gateways in its order, within one
//! deadline for the whole chain, ending with the transfer — so a gateway outage never blocks a sale.
pub mod flow;
pub mod mercadopago;
pub mod paypal;

use crate::domain::ids::PageId;
use crate::domain::payment::{provider_amount, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use crate::domain::settlement::SupersededLink;
use crate::ports::{CheckoutProvider, Confirmation, GatewayStore, Notification, PaymentError, Payments};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where gateways and buyers reach livesell (`LIVESELL_PUBLIC_URL`).
#[derive(Debug, Clone)]
pub struct Urls {
    pub public: String,
}

impl Urls {
    pub fn new(public: &str) -> Self {
        Urls { public: public.trim_end_matches('/').to_string() }
    }
    /// Where a gateway notifies a payment: `{public}/payments/{gateway}/{page_id}`.
    pub fn notification(&self, gateway: Gateway, page: &PageId) -> String {
        format!("{}/payments/{}/{page}", self.public, gateway.as_str())
    }
    /// Where the buyer comes back to: `{public}/pay/return/{order_id}`.
    pub fn buyer_return(&self, order_id: i64) -> String {
        format!("{}/pay/return/{order_id}", self.public)
    }
}

fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder().connect_timeout(Duration::from_secs(2)).timeout(Duration::from_secs(10)).build()
}

/// A provider's refusal, sorted: 429 and 5xx are worth another gateway now and this one later;
/// the rest are refusals of this request. The message is a short excerpt of the provider's body.
fn provider_error(provider: &'static str, status: reqwest::StatusCode, body: &[u8]) -> PaymentError {
    let text: String = String::from_utf8_lossy(body).chars().filter(|c| !c.is_control()).take(200).collect();
    let message = format!("HTTP {}: {text}", status.as_u16());
    if status.is_server_error() || status.as_u16() == 429 {
        PaymentError::Unavailable { provider, message }
    } else {
        PaymentError::Refused { provider, message }
    }
}

/// `minor` units of `currency` as `gateway`'s API writes them; a refusal of this request when the
/// provider can't charge it.
fn amount_text(gateway: Gateway, minor: i64, currency: crate::domain::money::Currency) -> Result<String, PaymentError> {
    let provider = gateway.as_str();
    let refuse = |message: String| PaymentError::Refused { provider, message };
    let money = crate::domain::money::Money::new(minor, currency).map_err(|e| refuse(e.to_string()))?;
    provider_amount(gateway, money).map_err(|e| refuse(e.to_string()))
}

/// Sends a request to a provider and reads its JSON answer, sorting failures: no answer or a 429 or
/// 5xx → `Unavailable` (the next gateway now); another status → `Refused`.
async fn call<T: serde::de::DeserializeOwned>(provider: &'static str, request: reqwest::RequestBuilder) -> Result<T, PaymentError> {
    let unavailable = |e: reqwest::Error| PaymentError::Unavailable { provider, message: e.without_url().to_string() };
    let resp = request.send().await.map_err(unavailable)?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(unavailable)?;
    if !status.is_success() {
        return Err(provider_error(provider, status, &bytes));
    }
    serde_json::from_slice(&bytes).map_err(|e| PaymentError::Unavailable { provider, message: format!("unexpected answer: {e}") })
}

/// Bank transfer: the seller's instructions from the catalog (`transfer_instructions`).
pub struct TransferPayments;

#[async_trait]
impl Payments for TransferPayments {
    fn provider(&self) -> &'static str {
        "transfer"
    }
    async fn create(&self, req: &PaymentRequest) -> Result<PaymentInstructions, PaymentError> {
        let instructions = req.transfer_instructions.clone().filter(|t| !t.trim().is_empty());
        instructions
            .map(|instructions| PaymentInstructions::Transfer { instructions })
            .ok_or(PaymentError::NotConfigured { provider: "transfer" })
    }
}

/// Tries each provider in order; the first that answers wins.
pub struct FallbackPayments {
    chain: Vec<Arc<dyn Payments>>,
}

impl FallbackPayments {
    pub fn new(chain: Vec<Arc<dyn Payments>>) -> Self {
        FallbackPayments { chain }
    }
}

#[async_trait]
impl Payments for FallbackPayments {
    fn provider(&self) -> &'static str {
        "fallback"
    }
    async fn create(&self, req: &PaymentRequest) -> Result<PaymentInstructions, PaymentError> {
        let mut last = PaymentError::NotConfigured { provider: "none" };
        for p in &self.chain {
            match p.create(req).await {
                Ok(done) => return Ok(done),
                Err(e) => {
                    tracing::warn!(provider = p.provider(), order_id = req.order_id, error = %e, "payment provider failed, trying the next");
                    last = e;
                }
            }
        }
        Err(last)
    }
}

/// A provider that failed this many times in a row is skipped for `COOL_DOWN`.
const FAILURES_TO_OPEN: u32 = 5;
const COOL_DOWN: Duration = Duration::from_secs(30);

/// Each page's gateways in its order (read per order, so `payments set|remove` apply to the next
/// order without a restart), one deadline for the whole chain, a circuit per gateway, and the
/// bank transfer last. Links are made outside any store transaction.
pub struct PageCheckout {
    gateways: Arc<dyn GatewayStore>,
    providers: HashMap<Gateway, Arc<dyn CheckoutProvider>>,
    deadline: Duration,
    circuits: Mutex<HashMap<Gateway, (u32, Option<Instant>)>>,
}

impl PageCheckout {
    pub fn new(gateways: Arc<dyn GatewayStore>, providers: Vec<Arc<dyn CheckoutProvider>>, deadline: Duration) -> Self {
        let providers = providers.into_iter().map(|p| (p.gateway(), p)).collect();
        PageCheckout { gateways, providers, deadline, circuits: Mutex::new(HashMap::new()) }
    }

    fn open(&self, g: Gateway) -> bool {
        let circuits = self.circuits.lock().unwrap_or_else(|p| p.into_inner());
        circuits.get(&g).and_then(|(_, until)| *until).is_some_and(|until| Instant::now() < until)
    }

    fn record(&self, g: Gateway, ok: bool) {
        let mut circuits = self.circuits.lock().unwrap_or_else(|p| p.into_inner());
        let c = circuits.entry(g).or_insert((0, None));
        if ok {
            *c = (0, None);
        } else {
            c.0 += 1;
            if c.0 >= FAILURES_TO_OPEN {
                *c = (0, Some(Instant::now() + COOL_DOWN));
            }
        }
    }

    /// A link from the first of the page's gateways that makes one in time, if any.
    async fn link(&self, req: &PaymentRequest) -> Option<PaymentInstructions> {
        let until = Instant::now() + self.deadline;
        let configured = match self.gateways.gateways(&req.page_id).await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(page = %req.page_id, error = %e, "could not read the page's gateways; bank transfer instead");
                return None;
            }
        };
        for g in configured {
            let name = g.gateway.as_str();
            if let Err(e) = provider_amount(g.gateway, req.total) {
                tracing::info!(order_id = req.order_id, gateway = name, reason = %e, "skipped");
                continue;
            }
            let Some(provider) = self.providers.get(&g.gateway) else { continue };
            if self.open(g.gateway) {
                tracing::warn!(order_id = req.order_id, gateway = name, "circuit open after repeated failures; next gateway");
                continue;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                tracing::warn!(order_id = req.order_id, "payment deadline reached; bank transfer instead");
                break;
            }
            let made = tokio::time::timeout(left, provider.create_link(req, &g.credentials, left)).await;
            match made {
                Ok(Ok(link)) => {
                    self.record(g.gateway, true);
                    return Some(link);
                }
                Ok(Err(e)) => {
                    self.record(g.gateway, !matches!(e, PaymentError::Unavailable { .. }));
                    tracing::warn!(order_id = req.order_id, gateway = name, error = %e, "no link; next gateway");
                }
                Err(_) => {
                    self.record(g.gateway, false);
                    tracing::warn!(order_id = req.order_id, gateway = name, "no answer in time; next gateway");
                }
            }
        }
        None
    }
}

#[async_trait]
impl Payments for PageCheckout {
    fn provider(&self) -> &'static str {
        "page-checkout"
    }
    async fn create(&self, req: &PaymentRequest) -> Result<PaymentInstructions, PaymentError> {
        match self.link(req).await {
            Some(link) => Ok(link),
            None => TransferPayments.create(req).await,
        }
    }

    async fn expire(&self, page: &PageId, link: &SupersededLink) -> Result<bool, PaymentError> {
        let provider = link.gateway.as_str();
        let configured = self.gateways.gateways(page).await.map_err(|e| PaymentError::Unavailable { provider, message: e.to_string() })?;
        let Some(g) = configured.into_iter().find(|g| g.gateway == link.gateway) else { return Ok(false) };
        let Some(p) = self.providers.get(&link.gateway) else { return Ok(false) };
        // Short: the reply with the new link is waiting.
        tokio::time::timeout(EXPIRE_DEADLINE, p.expire_link(&link.provider_ref, &g.credentials))
            .await
            .map_err(|_| PaymentError::Unavailable { provider, message: "no answer in time".into() })?
    }

    /// With the page's credentials for that gateway, within `CONFIRM_DEADLINE` (Flow wants an
    /// answer in 15 s, Mercado Pago in 22 s): past it the provider is told to try again.
    async fn confirm(&self, gateway: Gateway, page: &PageId, n: &Notification) -> Result<Confirmation, PaymentError> {
        let provider = gateway.as_str();
        let unavailable = |message: String| PaymentError::Unavailable { provider, message };
        let configured = self.gateways.gateways(page).await.map_err(|e| unavailable(e.to_string()))?;
        let creds = configured.into_iter().find(|g| g.gateway == gateway).ok_or(PaymentError::NotConfigured { provider })?;
        let p = self.providers.get(&gateway).ok_or(PaymentError::NotConfigured { provider })?;
        tokio::time::timeout(CONFIRM_DEADLINE, p.confirm(n, &creds.credentials))
            .await
            .map_err(|_| unavailable(format!("no answer in {} s", CONFIRM_DEADLINE.as_secs())))?
    }
}

/// How long expiring a superseded link may take.
const EXPIRE_DEADLINE: Duration = Duration::from_secs(1);

/// How long checking a notification may take, provider calls included.
const CONFIRM_DEADLINE: Duration = Duration::from_secs(12);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::{Currency, Money};

    struct Down;
    #[async_trait]
    impl Payments for Down {
        fn provider(&self) -> &'static str {
            "down"
        }
        async fn create(&self, _: &PaymentRequest) -> Result<PaymentInstructions, PaymentError> {
            Err(PaymentError::Unavailable { provider: "down", message: "503".into() })
        }
    }

    fn req(instructions: Option<&str>) -> PaymentRequest {
        PaymentRequest {
            order_id: 1,
            page_id: PageId::parse("P").expect("id"),
            buyer_name: "Ana".into(),
            total: Money::new(100, Currency::parse("CLP").expect("clp")).expect("money"),
            shipping: 0,
            description: "A12".into(),
            transfer_instructions: instructions.map(str::to_string),
            expires_at: chrono::Utc::now(),
            now: chrono::Utc::now(),
        }
    }

    #[tokio::test]
    async fn a_gateway_that_is_down_falls_back_to_bank_transfer() {
        let chain = FallbackPayments::new(vec![Arc::new(Down), Arc::new(TransferPayments)]);
        let got = chain.create(&req(Some("Banco 1"))).await;
        assert_eq!(got, Ok(PaymentInstructions::Transfer { instructions: "Banco 1".into() }));
    }

    #[tokio::test]
    async fn without_transfer_instructions_the_chain_reports_it() {
        let chain = FallbackPayments::new(vec![Arc::new(TransferPayments)]);
        assert!(matches!(chain.create(&req(None)).await, Err(PaymentError::NotConfigured { .. })));
    }

    #[test]
    fn urls_are_where_the_issue_says() {
        let u = Urls::new("https://live.example.com/");
        assert_eq!(
            u.notification(Gateway::MercadoPago, &PageId::parse("P1").expect("id")),
            "https://live.example.com/payments/mercadopago/P1"
        );
        assert_eq!(u.buyer_return(42), "https://live.example.com/pay/return/42");
    }
}
