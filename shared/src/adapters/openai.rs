//! # OpenAI-compatible LLM
//! `POST {LLM_BASE_URL}/chat/completions` with a JSON-schema structured answer. Retries 429
//! (honouring `Retry-After`) and 5xx with jittered backoff, all inside the call's deadline.
//! The prompt carries only the candidate products.
use crate::domain::intent::Intent;
use crate::domain::llm::{LlmAnswer, LlmClaim, LlmError, LlmRequest};
use crate::domain::secret::SecretString;
use crate::ports::Llm;
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::time::Instant;

pub struct OpenAiLlm {
    http: reqwest::Client,
    base_url: String,
    api_key: SecretString,
    model: String,
    deadline: Duration,
}

const SYSTEM: &str = "You read one comment written during a live-selling stream (Spanish, Portuguese or English) and decide \
what the buyer wants. intent: purchase (claims or reserves an item, also phrased as a question or conditional), \
cancel (withdraws an earlier claim), question (asks the seller for information), other (greetings, jokes, tags, spam, \
comments with a purchase word that are not a claim). For purchase and cancel list each item as a claim: code from the \
candidate products only (null if it can't be pinned down), qty (1 unless a number is given), size and color only as \
written in the candidates' lists (null when the comment doesn't say). A claim with no product named refers to the \
current product. Never invent codes, sizes or colours.";

fn schema() -> Value {
    json!({
        "type": "object", "additionalProperties": false, "required": ["intent", "claims"],
        "properties": {
            "intent": {"type": "string", "enum": ["purchase", "cancel", "question", "other"]},
            "claims": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["code", "qty", "size", "color"],
                "properties": {
                    "code": {"type": ["string", "null"]},
                    "qty": {"type": "integer", "minimum": 1},
                    "size": {"type": ["string", "null"]},
                    "color": {"type": ["string", "null"]}
                }}}
        }
    })
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

#[derive(Deserialize)]
struct Decision {
    intent: Intent,
    #[serde(default)]
    claims: Vec<LlmClaim>,
}

impl OpenAiLlm {
    pub fn new(base_url: &str, api_key: SecretString, model: &str, deadline: Duration) -> Result<Self, reqwest::Error> {
        Ok(OpenAiLlm {
            http: reqwest::Client::builder().connect_timeout(Duration::from_secs(3)).build()?,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            model: model.to_string(),
            deadline,
        })
    }

    fn body(&self, req: &LlmRequest) -> Value {
        let user = json!({ "comment": req.text, "current_product": req.current_product, "candidates": req.candidates });
        json!({
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user.to_string()}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "comment_decision", "strict": true, "schema": schema()}}
        })
    }

    fn parse(bytes: &[u8]) -> Result<LlmAnswer, LlmError> {
        let c: Completion = serde_json::from_slice(bytes).map_err(|e| LlmError::Malformed(format!("not a chat completion: {e}")))?;
        let msg = c.choices.into_iter().next().ok_or_else(|| LlmError::Malformed("no choices".into()))?.message;
        if let Some(r) = msg.refusal {
            return Err(LlmError::Malformed(format!("refused: {r}")));
        }
        let content = msg.content.ok_or_else(|| LlmError::Malformed("empty message".into()))?;
        let d: Decision = serde_json::from_str(&content).map_err(|e| LlmError::Malformed(format!("answer is not the schema: {e}")))?;
        let usage = c.usage.unwrap_or(Usage { prompt_tokens: 0, completion_tokens: 0 });
        Ok(LlmAnswer { intent: d.intent, claims: d.claims, tokens_in: usage.prompt_tokens, tokens_out: usage.completion_tokens })
    }
}

fn jitter(d: Duration) -> Duration {
    d.mul_f64(0.5 + rand::random::<f64>() / 2.0)
}

#[async_trait]
impl Llm for OpenAiLlm {
    fn model(&self) -> &str {
        &self.model
    }

    async fn classify(&self, req: &LlmRequest) -> Result<LlmAnswer, LlmError> {
        let deadline = Instant::now() + self.deadline;
        let body = self.body(req);
        let mut backoff = Duration::from_millis(250);
        let mut last = LlmError::Timeout;
        for _attempt in 0..4 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let sent = self
                .http
                .post(format!("{}/chat/completions", self.base_url))
                .bearer_auth(self.api_key.expose())
                .json(&body)
                .timeout(left)
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(LlmError::Timeout),
                Err(e) => {
                    last = LlmError::Unavailable(e.without_url().to_string());
                    tokio::time::sleep(jitter(backoff).min(deadline.saturating_duration_since(Instant::now()))).await;
                    backoff *= 2;
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let retry_after =
                resp.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<f64>().ok());
            let bytes = match resp.bytes().await {
                Ok(b) => b,
                Err(e) if e.is_timeout() => return Err(LlmError::Timeout),
                Err(e) => return Err(LlmError::Unavailable(e.without_url().to_string())),
            };
            let wait = match status {
                200..=299 => return Self::parse(&bytes),
                429 => {
                    last = LlmError::RateLimited;
                    retry_after.map(Duration::from_secs_f64).unwrap_or(backoff)
                }
                500..=599 => {
                    last = LlmError::Unavailable(format!("HTTP {status}"));
                    jitter(backoff)
                }
                _ => {
                    return Err(LlmError::Unavailable(format!(
                        "HTTP {status}: {}",
                        String::from_utf8_lossy(&bytes).chars().take(200).collect::<String>()
                    )))
                }
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if wait >= left {
                // The wait would outlast the deadline: give up now, the rules answer.
                return Err(last);
            }
            tokio::time::sleep(wait).await;
            backoff *= 2;
        }
        Err(last)
    }
}
