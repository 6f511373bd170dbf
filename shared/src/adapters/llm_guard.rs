//! # LLM guard
//! Wraps any `Llm` so a slow or failing model can't hurt the pipeline: a deadline per call
//! (queueing included), a bound on concurrent calls per seller (one seller's flood can't take every
//! slot), and a circuit breaker that stops calling after repeated failures for a cool-down — the
//! rules answer meanwhile.
use crate::config::defaults;
use crate::domain::ids::PageId;
use crate::domain::llm::{LlmAnswer, LlmError, LlmRequest};
use crate::ports::Llm;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct GuardSettings {
    pub deadline: Duration,
    pub per_seller: usize,
    /// Consecutive failures that open the circuit.
    pub failures_to_open: u32,
    pub cool_down: Duration,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            deadline: Duration::from_millis(defaults::LLM_TIMEOUT_MS),
            per_seller: defaults::LLM_CONCURRENCY_PER_SELLER as usize,
            failures_to_open: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

pub struct GuardedLlm {
    inner: Arc<dyn Llm>,
    settings: GuardSettings,
    seats: Mutex<HashMap<PageId, Arc<Semaphore>>>,
    breaker: Mutex<Breaker>,
}

impl GuardedLlm {
    pub fn new(inner: Arc<dyn Llm>, settings: GuardSettings) -> Self {
        GuardedLlm { inner, settings, seats: Mutex::new(HashMap::new()), breaker: Mutex::new(Breaker { failures: 0, open_until: None }) }
    }

    fn seat(&self, page: &PageId) -> Arc<Semaphore> {
        let mut seats = self.seats.lock().unwrap_or_else(|p| p.into_inner());
        seats.entry(page.clone()).or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_seller.max(1)))).clone()
    }

    /// True while open; after the cool-down one call goes through (half-open).
    fn open(&self) -> bool {
        let mut b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        match b.open_until {
            Some(t) if Instant::now() < t => true,
            Some(_) => {
                b.open_until = None;
                b.failures = self.settings.failures_to_open.saturating_sub(1);
                false
            }
            None => false,
        }
    }

    fn record(&self, ok: bool) {
        let mut b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            b.failures = 0;
        } else {
            b.failures += 1;
            if b.failures >= self.settings.failures_to_open {
                b.open_until = Some(Instant::now() + self.settings.cool_down);
                tracing::warn!(
                    failures = b.failures,
                    cool_down_s = self.settings.cool_down.as_secs(),
                    "LLM circuit open: rules only for now"
                );
            }
        }
    }
}

#[async_trait]
impl Llm for GuardedLlm {
    fn model(&self) -> &str {
        self.inner.model()
    }

    async fn classify(&self, req: &LlmRequest) -> Result<LlmAnswer, LlmError> {
        if self.open() {
            return Err(LlmError::CircuitOpen);
        }
        let deadline = Instant::now() + self.settings.deadline;
        let seat = self.seat(&req.page);
        // Waiting for this seller's slot counts against the deadline too.
        let Ok(Ok(_permit)) = tokio::time::timeout_at(deadline, seat.acquire_owned()).await else {
            return Err(LlmError::Timeout);
        };
        let result = match tokio::time::timeout_at(deadline, self.inner.classify(req)).await {
            Ok(r) => r,
            Err(_) => Err(LlmError::Timeout),
        };
        self.record(result.is_ok());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::CommentId;
    use crate::domain::intent::Intent;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Scripted {
        delay: Duration,
        fail: bool,
        calls: AtomicUsize,
    }

    #[async_trait]
    impl Llm for Scripted {
        fn model(&self) -> &str {
            "scripted"
        }
        async fn classify(&self, _: &LlmRequest) -> Result<LlmAnswer, LlmError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            if self.fail {
                Err(LlmError::Unavailable("500".into()))
            } else {
                Ok(LlmAnswer { intent: Intent::Other, claims: vec![], tokens_in: 1, tokens_out: 1 })
            }
        }
    }

    fn req(page: &str) -> LlmRequest {
        LlmRequest {
            page: PageId::parse(page).expect("page"),
            comment_id: CommentId::parse("c").expect("c"),
            text: "x".into(),
            candidates: vec![],
            current_product: None,
        }
    }

    // Real time, short durations: paused time would need tokio's test-util feature, which would
    // rebuild every crate above tokio for the tests.
    #[tokio::test]
    async fn a_hanging_model_is_cut_at_the_deadline() {
        let slow = Arc::new(Scripted { delay: Duration::from_secs(30), fail: false, calls: AtomicUsize::new(0) });
        let guard = GuardedLlm::new(slow, GuardSettings { deadline: Duration::from_millis(200), ..Default::default() });
        let started = Instant::now();
        assert_eq!(guard.classify(&req("A")).await, Err(LlmError::Timeout));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn repeated_failures_open_the_circuit_until_the_cool_down() {
        let bad = Arc::new(Scripted { delay: Duration::ZERO, fail: true, calls: AtomicUsize::new(0) });
        let settings = GuardSettings { failures_to_open: 3, cool_down: Duration::from_millis(300), ..Default::default() };
        let guard = GuardedLlm::new(bad.clone(), settings);
        for _ in 0..3 {
            assert!(matches!(guard.classify(&req("A")).await, Err(LlmError::Unavailable(_))));
        }
        assert_eq!(guard.classify(&req("B")).await, Err(LlmError::CircuitOpen));
        assert_eq!(bad.calls.load(Ordering::SeqCst), 3, "no call while open");
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(matches!(guard.classify(&req("A")).await, Err(LlmError::Unavailable(_))), "half-open: one trial call");
        assert_eq!(guard.classify(&req("A")).await, Err(LlmError::CircuitOpen), "the trial failed: open again");
    }

    #[tokio::test]
    async fn one_sellers_calls_cannot_take_another_sellers_slot() {
        let slow = Arc::new(Scripted { delay: Duration::from_millis(500), fail: false, calls: AtomicUsize::new(0) });
        let guard =
            Arc::new(GuardedLlm::new(slow, GuardSettings { deadline: Duration::from_millis(800), per_seller: 1, ..Default::default() }));
        let spawn = |page: &'static str| {
            let g = guard.clone();
            tokio::spawn(async move { g.classify(&req(page)).await })
        };
        let a1 = spawn("A");
        tokio::time::sleep(Duration::from_millis(20)).await;
        let a2 = spawn("A");
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = Instant::now();
        assert!(guard.classify(&req("B")).await.is_ok());
        assert!(started.elapsed() < Duration::from_millis(700), "B did not wait for A's slot");
        assert!(a1.await.expect("task").is_ok());
        assert_eq!(a2.await.expect("task"), Err(LlmError::Timeout), "A's second call waited for A's only slot and ran out of time");
    }
}
