//! Picks the host at start: AWS Lambda when its runtime API is present (real Lambda or
//! `cargo lambda watch`), otherwise a long-running local process. `functions/*` call these.
use super::lambda;
use super::local::{self, RuntimeError};
use crate::config::Config;
use crate::pipeline::Stage;
use std::sync::Arc;

/// A stream stage: drains per invocation on Lambda, blocks on its stream locally.
pub async fn stage(stage: Stage) -> Result<(), RuntimeError> {
    if !lambda::on_lambda() {
        return local::run_stage_process(stage).await;
    }
    let config = Config::from_env()?;
    // Connected once per cold start, reused by every invocation of this sandbox.
    let deps = Arc::new(crate::app::connect_deps(&config).await?);
    lambda::run_stage(deps, stage, config.kick_secret.clone()).await
}

/// The expiry sweep.
pub async fn sweep() -> Result<(), RuntimeError> {
    if !lambda::on_lambda() {
        return local::run_sweep_process().await;
    }
    let config = Config::from_env()?;
    let deps = Arc::new(crate::app::connect_deps(&config).await?);
    lambda::run_sweep(deps).await
}

/// The HTTP surface: the webhook, the seller API and `/health`.
pub async fn http() -> Result<(), RuntimeError> {
    if !lambda::on_lambda() {
        return local::run_http_process().await;
    }
    let config = Config::from_env()?;
    let secrets = config.serve_secrets()?;
    let deps = Arc::new(crate::app::connect_deps(&config).await?);
    lambda::serve_http(crate::http::router(crate::http::AppState { deps, secrets: Arc::new(secrets) })).await
}
