//! The edge (Cloudflare Worker): Meta's webhook answered at the edge with the same ingest logic
//! as Lambda and the local binary — handshake, signature over the raw bytes, body limit — queued
//! through Upstash's REST API with early dedupe, then the filter function kicked with
//! `waitUntil`; and the crons: a keep-alive ping of the Lambda `/health` every 5 minutes and the
//! weekly export trigger.
#![cfg(target_arch = "wasm32")]

use async_trait::async_trait;
use shared::adapters::upstash::{RestTransport, UpstashEventStream};
use shared::domain::secret::SecretString;
use shared::pipeline::Streams;
use shared::ports::PortError;
use shared::stages::ingest::{self, HandshakeError, IngestError};
use std::collections::HashMap;
use std::time::Duration;
use worker::send::SendFuture;
use worker::*;

/// Cron expressions of wrangler.toml's `[triggers]`.
const KEEP_ALIVE_CRON: &str = "*/5 * * * *";
const EXPORT_CRON: &str = "0 6 * * 1";
const KICK_HEADER: &str = "x-livesell-kick";

/// Upstash REST over the Worker's fetch. JS futures are not `Send`; a Worker is single-threaded,
/// so `SendFuture` lets them satisfy the port's `Send` bound.
struct FetchTransport {
    url: String,
    token: SecretString,
}

#[async_trait]
impl RestTransport for FetchTransport {
    async fn post(&self, path: &str, body: String) -> std::result::Result<(u16, String), PortError> {
        let url = if path == "/" { self.url.clone() } else { format!("{}{path}", self.url.trim_end_matches('/')) };
        let auth = format!("Bearer {}", self.token.expose());
        SendFuture::new(async move {
            let headers = Headers::new();
            headers.set("authorization", &auth)?;
            headers.set("content-type", "application/json")?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post).with_headers(headers).with_body(Some(wasm_bindgen::JsValue::from(body)));
            let mut resp = Fetch::Request(Request::new_with_init(&url, &init)?).send().await?;
            let status = resp.status_code();
            Ok::<_, worker::Error>((status, resp.text().await?))
        })
        .await
        .map_err(|e| PortError::Unavailable { backend: "upstash", message: e.to_string() })
    }

    async fn sleep(&self, d: Duration) {
        SendFuture::new(Delay::from(d)).await;
    }
}

fn secret(env: &Env, name: &str) -> Result<SecretString> {
    Ok(SecretString::new(env.secret(name)?.to_string()))
}

fn json_error(status: u16, message: &str) -> Result<Response> {
    Ok(Response::from_json(&serde_json::json!({ "error": message }))?.with_status(status))
}

/// A POST with the kick secret to the URL in `var` (unset: no kick).
fn kick_request(env: &Env, var: &str) -> Option<Request> {
    let url = env.var(var).ok()?.to_string();
    let secret = env.secret("LIVESELL_KICK_SECRET").ok()?.to_string();
    let headers = Headers::new();
    headers.set(KICK_HEADER, &secret).ok()?;
    headers.set("content-type", "application/json").ok()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(wasm_bindgen::JsValue::from("{\"stream\":\"comments\"}")));
    Request::new_with_init(&url, &init).ok()
}

async fn webhook_post(mut req: Request, env: &Env, ctx: &Context) -> Result<Response> {
    let body = req.bytes().await?;
    let signature = req.headers().get("x-hub-signature-256")?;
    let upstash = UpstashEventStream::new(FetchTransport {
        url: env.secret("UPSTASH_REDIS_REST_URL")?.to_string(),
        token: secret(env, "UPSTASH_REDIS_REST_TOKEN")?,
    });
    let prefix = env.var("LIVESELL_STREAM_PREFIX").map(|v| v.to_string()).unwrap_or_else(|_| "livesell".into());
    let app_secret = secret(env, "META_APP_SECRET")?;
    match ingest::receive_at_edge(&upstash, &upstash, &Streams::new(&prefix), &app_secret, signature.as_deref(), &body).await {
        Ok(accepted) => {
            if accepted.queued > 0 {
                if let Some(kick) = kick_request(env, "FILTER_KICK_URL") {
                    // After the answer: Meta gets its 200 without waiting for the kick.
                    ctx.wait_until(async move {
                        if let Err(e) = Fetch::Request(kick).send().await {
                            console_error!("kick of the filter function failed: {e}");
                        }
                    });
                }
            }
            Response::from_json(&accepted)
        }
        Err(e @ IngestError::Unauthorized(_)) => json_error(401, &e.to_string()),
        Err(e @ IngestError::Malformed(_)) => json_error(400, &e.to_string()),
        Err(e @ IngestError::TooLarge(_)) => json_error(413, &e.to_string()),
        Err(IngestError::Unavailable(e)) => {
            console_error!("could not queue the comments: {e}");
            json_error(503, "temporarily unavailable, Meta will retry")
        }
    }
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    match (req.method(), req.path().as_str()) {
        (Method::Get, "/webhooks/meta") => {
            let q: HashMap<String, String> = req.url()?.query_pairs().into_owned().collect();
            let get = |k: &str| q.get(k).map(String::as_str);
            match ingest::handshake(&secret(&env, "META_VERIFY_TOKEN")?, get("hub.mode"), get("hub.verify_token"), get("hub.challenge")) {
                Ok(challenge) => Response::ok(challenge),
                Err(e @ HandshakeError::Forbidden) => json_error(403, &e.to_string()),
                Err(e @ HandshakeError::BadRequest) => json_error(400, &e.to_string()),
            }
        }
        (Method::Post, "/webhooks/meta") => webhook_post(req, &env, &ctx).await,
        // The edge itself; the deep check (PostgreSQL + Redis) is the Lambda's /health.
        (Method::Get, "/health") => Response::from_json(&serde_json::json!({ "ok": true, "edge": true })),
        _ => json_error(404, "not found"),
    }
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let cron = event.cron();
    let outcome = match cron.as_str() {
        KEEP_ALIVE_CRON => match env.var("HEALTH_URL") {
            // Keeps the Lambda warm and checks it deeply (PRD 3.5: /health every 5 minutes).
            Ok(url) => Fetch::Url(match url.to_string().parse() {
                Ok(u) => u,
                Err(e) => return console_error!("HEALTH_URL is not a URL: {e}"),
            })
            .send()
            .await
            .map(|r| r.status_code()),
            Err(_) => return console_error!("HEALTH_URL is not set"),
        },
        EXPORT_CRON => match kick_request(&env, "EXPORT_KICK_URL") {
            Some(req) => Fetch::Request(req).send().await.map(|r| r.status_code()),
            None => return console_error!("EXPORT_KICK_URL or LIVESELL_KICK_SECRET is not set"),
        },
        other => return console_error!("no job for cron {other}"),
    };
    match outcome {
        Ok(status) => console_log!("cron {cron}: HTTP {status}"),
        Err(e) => console_error!("cron {cron} failed: {e}"),
    }
}
