//! # HTTP kicks
//! Wakes the next stage's function by POSTing to its function URL with the shared kick secret (so
//! the Worker and the stages can reach it without AWS credentials). Fire and forget: the request
//! is sent and the drain it starts is not waited for.
use crate::domain::secret::SecretString;
use crate::ports::Kicker;
use async_trait::async_trait;
use std::collections::HashMap;
use std::time::Duration;

/// The header carrying the kick secret.
pub const KICK_HEADER: &str = "x-livesell-kick";

/// Long enough for the request to reach the function, far shorter than the drain it starts; the
/// invocation goes on after we stop listening.
const SEND_TIMEOUT: Duration = Duration::from_millis(700);

pub struct HttpKicker {
    http: reqwest::Client,
    /// Stream name (a stage's input) → the URL of the function that consumes it.
    urls: HashMap<&'static str, String>,
    secret: SecretString,
}

impl HttpKicker {
    pub fn new(urls: HashMap<&'static str, String>, secret: SecretString) -> Result<Self, reqwest::Error> {
        Ok(HttpKicker { http: reqwest::Client::builder().timeout(SEND_TIMEOUT).build()?, urls, secret })
    }
}

#[async_trait]
impl Kicker for HttpKicker {
    async fn kick(&self, stream: &'static str) {
        let Some(url) = self.urls.get(stream) else { return };
        let sent =
            self.http.post(url).header(KICK_HEADER, self.secret.expose()).json(&serde_json::json!({ "stream": stream })).send().await;
        match sent {
            Ok(resp) => tracing::debug!(stream, status = resp.status().as_u16(), "kicked"),
            Err(e) if e.is_timeout() => tracing::debug!(stream, "kick sent; not waiting for the drain"),
            Err(e) => tracing::warn!(stream, error = %e.without_url(), "kick failed; the schedule will pick the work up"),
        }
    }
}
