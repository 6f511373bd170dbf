//! # Payments
//! The bank-transfer method (the seller's own instructions) and a fallback chain that tries each
//! gateway in turn and ends with the transfer, so a gateway outage never blocks a sale.
use crate::domain::reservation::PaymentInstructions;
use crate::domain::reservation::PaymentRequest;
use crate::ports::{PaymentError, Payments};
use async_trait::async_trait;
use std::sync::Arc;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::PageId;
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
            description: "A12".into(),
            transfer_instructions: instructions.map(str::to_string),
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
}
