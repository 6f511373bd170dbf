//! An OpenAI-compatible model deciding what the rules could not.
use crate::domain::llm::{LlmAnswer, LlmError, LlmRequest};
use async_trait::async_trait;

#[async_trait]
pub trait Llm: Send + Sync {
    fn model(&self) -> &str;
    /// One decision for one comment, shown only the request's candidate products.
    async fn classify(&self, req: &LlmRequest) -> Result<LlmAnswer, LlmError>;
}
