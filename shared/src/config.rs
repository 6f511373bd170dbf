//! Configuration from environment variables, validated once at start.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `sqlite://livesell.db` | `sqlite://file.db` (embedded) or `postgres://…` (Supabase direct / session mode) |
//! | `DATABASE_MAX_CONNECTIONS` | `10` | PostgreSQL pool size |
//! | `REDIS_URL` | unset → embedded stream | `redis://` or `rediss://` (Upstash) |
//! | `REDIS_CA_FILE` | unset → system roots | PEM of a private CA to trust for `rediss://` |
//! | `LIVESELL_STREAM_DB` | `sqlite://livesell-stream.db` | embedded stream file when the store is PostgreSQL and `REDIS_URL` is unset |
//! | `LIVESELL_STREAM_PREFIX` | `livesell` | prefix of every stream key |
//! | `META_APP_SECRET` | — (required by `serve`) | signs webhook POSTs |
//! | `META_VERIFY_TOKEN` | — (required by `serve`) | the GET handshake token |
//! | `META_GRAPH_URL` | `https://graph.facebook.com/v21.0` | Graph API base, version included |
//! | `LIVESELL_ADDR` | `127.0.0.1:8080` | HTTP listen address |
//! | `LIVESELL_API_TOKEN` | — (required by `serve`) | Bearer token of the seller API |
//! | `LIVESELL_RESERVATION_TTL_SECS` | `900` | unpaid reservations expire after this |
//! | `LIVESELL_MAX_DELIVERIES` | `5` | deliveries before an entry is dead-lettered |
//! | `LIVESELL_RECLAIM_IDLE_MS` | `30000` | pending entries idle this long are taken over |
//! | `LIVESELL_WORKERS` | `2` | consumers per stage in `serve` |
//! | `LIVESELL_SWEEP_SECS` | `60` | expiry sweep period in `serve` |
//! | `LIVESELL_SEND_ATTEMPTS` / `LIVESELL_SEND_BACKOFF_MS` | `4` / `200` | Graph API retries inside one delivery |
//! | `LIVESELL_OUTAGE_BACKOFF_MAX_MS` | `30000` | longest wait between tries of an entry held through an outage |
//! | `LIVESELL_MAX_UNITS_PER_COMMENT` / `LIVESELL_MAX_CLAIMS_PER_COMMENT` | `5` / `5` | above either, a comment reserves nothing |
//! | `LIVESELL_REMINDER_MINUTES` | `5` | a buyer whose window is open is reminded this long before their hold ends |
//! | `LIVESELL_HEALTH_TIMEOUT_MS` | `1000` | deadline of each `/health` check |
//! | `LIVESELL_HTTP_HEADER_TIMEOUT_MS` / `LIVESELL_HTTP_IDLE_TIMEOUT_MS` | `10000` / `60000` | a client must send its headers within, and a keep-alive connection idles at most |
//! | `LIVESELL_PUBLIC_URL` | `http://LIVESELL_ADDR` | where payment gateways and buyers reach livesell |
//! | `FLOW_BASE_URL`, `MERCADOPAGO_BASE_URL`, `PAYPAL_BASE_URL` | production endpoints | the gateways' APIs |
//! | `LIVESELL_PAYMENT_DEADLINE_MS` | `3000` | one deadline for a page's whole chain of gateways |
//! | `LIVESELL_SECRETS_KEY` | unset → a key file beside the embedded database; required on PostgreSQL | 32 random bytes, standard base64: encrypts page tokens at rest |
//! | `LIVESELL_LOG` | `info` | log filter (tracing EnvFilter syntax); logs are JSON on stderr |
//! | `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL` | unset → rules only | an OpenAI-compatible chat-completions API (all three or none) |
//! | `LLM_TIMEOUT_MS` | `8000` | deadline of one LLM decision, queueing and retries included |
//! | `LLM_CONCURRENCY_PER_SELLER` | `2` | LLM calls in flight per seller |
//! | `LIVESELL_KICK_SECRET` | — | shared secret a kick must carry (serverless chaining) |
//! | `LIVESELL_KICK_URL_FILTER` … `_INTENT`, `_RESERVE`, `_RESPOND` | — | function URLs to kick when work is queued for that stage |
use crate::domain::secret::SecretString;
use crate::pipeline::Streams;
use std::net::SocketAddr;
use std::time::Duration;

/// Every default, once: the environment overrides them (`Config::from_env`), tests start from
/// `Settings::default()`.
pub mod defaults {
    pub const RESERVATION_TTL_SECS: u64 = 900;
    pub const MAX_DELIVERIES: u64 = 5;
    pub const RECLAIM_IDLE_MS: u64 = 30_000;
    pub const SEND_ATTEMPTS: u64 = 4;
    pub const SEND_BACKOFF_MS: u64 = 200;
    pub const OUTAGE_BACKOFF_MAX_MS: u64 = 30_000;
    pub const MAX_UNITS_PER_COMMENT: u64 = 5;
    pub const MAX_CLAIMS_PER_COMMENT: u64 = 5;
    pub const REMINDER_MINUTES: u64 = 5;
    pub const HEALTH_TIMEOUT_MS: u64 = 1_000;
    pub const HTTP_HEADER_TIMEOUT_MS: u64 = 10_000;
    pub const HTTP_IDLE_TIMEOUT_MS: u64 = 60_000;
    pub const LLM_TIMEOUT_MS: u64 = 8_000;
    pub const LLM_CONCURRENCY_PER_SELLER: u64 = 2;
    pub const WORKERS: u64 = 2;
    pub const SWEEP_SECS: u64 = 60;
    pub const DATABASE_MAX_CONNECTIONS: u64 = 10;
    pub const STREAM_PREFIX: &str = "livesell";
    pub const PAYMENT_DEADLINE_MS: u64 = 3_000;
    pub const FLOW_BASE_URL: &str = "https://www.flow.cl/api";
    pub const MERCADOPAGO_BASE_URL: &str = "https://api.mercadopago.com";
    pub const PAYPAL_BASE_URL: &str = "https://api-m.paypal.com";
    /// The seller API's operator token must be at least this long.
    pub const MIN_API_TOKEN_CHARS: usize = 32;
}

/// Tunables of the stages and their consumers.
#[derive(Debug, Clone)]
pub struct Settings {
    pub streams: Streams,
    /// How long an unpaid reservation holds stock.
    pub reservation_ttl: Duration,
    /// Deliveries of an entry that keeps failing for a final reason before it is dead-lettered
    /// (outages never count: their entries are held and retried).
    pub max_deliveries: u32,
    /// Pending entries idle this long are taken over from their (presumed dead) consumer.
    pub reclaim_idle: Duration,
    /// Attempts of one Graph API call inside one delivery, and the first backoff.
    pub send_attempts: u32,
    pub send_backoff: Duration,
    /// The longest wait between two tries of an entry held through an outage.
    pub outage_backoff_max: Duration,
    /// A comment asking for more units or claims than this reserves nothing.
    pub max_units_per_comment: u32,
    pub max_claims_per_comment: u32,
    /// How long before a hold ends its buyer is reminded (inside their messaging window).
    pub reminder_before: Duration,
    /// Deadline of each `/health` check.
    pub health_timeout: Duration,
    /// Every stage in arrival order, none concurrent: the replay's results then never depend
    /// on timing.
    pub ordered: bool,
}

impl Settings {
    pub fn ttl_secs(&self) -> i64 {
        self.reservation_ttl.as_secs() as i64
    }
}

impl Default for Settings {
    fn default() -> Self {
        use defaults::*;
        Settings {
            streams: Streams::new(STREAM_PREFIX),
            reservation_ttl: Duration::from_secs(RESERVATION_TTL_SECS),
            max_deliveries: MAX_DELIVERIES as u32,
            reclaim_idle: Duration::from_millis(RECLAIM_IDLE_MS),
            send_attempts: SEND_ATTEMPTS as u32,
            send_backoff: Duration::from_millis(SEND_BACKOFF_MS),
            outage_backoff_max: Duration::from_millis(OUTAGE_BACKOFF_MAX_MS),
            max_units_per_comment: MAX_UNITS_PER_COMMENT as u32,
            max_claims_per_comment: MAX_CLAIMS_PER_COMMENT as u32,
            reminder_before: Duration::from_secs(REMINDER_MINUTES * 60),
            health_timeout: Duration::from_millis(HEALTH_TIMEOUT_MS),
            ordered: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("{} must be set to {purpose}", vars.join(", "))]
    Missing { vars: Vec<&'static str>, purpose: &'static str },
}

#[derive(Debug, Clone)]
pub enum DatabaseUrl {
    Sqlite(String),
    /// Kept secret: it usually carries the password.
    Postgres(SecretString),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseUrl,
    pub database_max_connections: u32,
    pub redis_url: Option<SecretString>,
    pub redis_ca_file: Option<std::path::PathBuf>,
    pub stream_db: String,
    pub meta_app_secret: Option<SecretString>,
    pub meta_verify_token: Option<SecretString>,
    pub meta_graph_url: String,
    pub addr: SocketAddr,
    pub api_token: Option<SecretString>,
    pub settings: Settings,
    pub workers: usize,
    pub sweep_every: Duration,
    pub kick_secret: Option<SecretString>,
    pub llm: Option<LlmConfig>,
    /// Encrypts page tokens at rest (None: the embedded default makes a key file).
    pub secrets_key: Option<SecretString>,
    pub http_header_timeout: Duration,
    pub http_idle_timeout: Duration,
    pub payments: PaymentsConfig,
    /// Stage name → the URL of the function running it.
    pub kick_urls: std::collections::BTreeMap<&'static str, String>,
}

/// The secrets `serve` cannot run without.
#[derive(Debug, Clone)]
pub struct ServeSecrets {
    pub app_secret: SecretString,
    pub verify_token: SecretString,
    pub api_token: SecretString,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads through `get` (the environment, or a map in tests). Empty values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let database = match var("DATABASE_URL") {
            None => DatabaseUrl::Sqlite("sqlite://livesell.db".into()),
            Some(u) if u.starts_with("sqlite:") => DatabaseUrl::Sqlite(u),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => DatabaseUrl::Postgres(SecretString::new(u)),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    var: "DATABASE_URL",
                    reason: "expected sqlite://FILE or postgres://USER@HOST:PORT/DB".into(),
                })
            }
        };
        let redis_url = match var("REDIS_URL") {
            Some(u) if !(u.starts_with("redis://") || u.starts_with("rediss://")) => {
                return Err(ConfigError::Invalid { var: "REDIS_URL", reason: "expected redis://… or rediss://…".into() })
            }
            other => other.map(SecretString::new),
        };
        let graph = var("META_GRAPH_URL").unwrap_or_else(|| "https://graph.facebook.com/v21.0".into());
        if !(graph.starts_with("http://") || graph.starts_with("https://")) {
            return Err(ConfigError::Invalid { var: "META_GRAPH_URL", reason: "expected an http(s) URL including the API version".into() });
        }
        let addr = var("LIVESELL_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr.parse().map_err(|e| ConfigError::Invalid { var: "LIVESELL_ADDR", reason: format!("{e} (expected HOST:PORT)") })?;
        let prefix = var("LIVESELL_STREAM_PREFIX").unwrap_or_else(|| defaults::STREAM_PREFIX.into());
        if prefix.contains(char::is_whitespace) {
            return Err(ConfigError::Invalid { var: "LIVESELL_STREAM_PREFIX", reason: "must not contain spaces".into() });
        }
        use defaults::*;
        let settings = Settings {
            streams: Streams::new(&prefix),
            reservation_ttl: Duration::from_secs(number(&var, "LIVESELL_RESERVATION_TTL_SECS", RESERVATION_TTL_SECS, 1..=7 * 24 * 3600)?),
            max_deliveries: number(&var, "LIVESELL_MAX_DELIVERIES", MAX_DELIVERIES, 1..=100)? as u32,
            reclaim_idle: Duration::from_millis(number(&var, "LIVESELL_RECLAIM_IDLE_MS", RECLAIM_IDLE_MS, 1..=3_600_000)?),
            send_attempts: number(&var, "LIVESELL_SEND_ATTEMPTS", SEND_ATTEMPTS, 1..=20)? as u32,
            send_backoff: Duration::from_millis(number(&var, "LIVESELL_SEND_BACKOFF_MS", SEND_BACKOFF_MS, 1..=60_000)?),
            outage_backoff_max: Duration::from_millis(number(&var, "LIVESELL_OUTAGE_BACKOFF_MAX_MS", OUTAGE_BACKOFF_MAX_MS, 10..=600_000)?),
            max_units_per_comment: number(&var, "LIVESELL_MAX_UNITS_PER_COMMENT", MAX_UNITS_PER_COMMENT, 1..=50)? as u32,
            max_claims_per_comment: number(&var, "LIVESELL_MAX_CLAIMS_PER_COMMENT", MAX_CLAIMS_PER_COMMENT, 1..=50)? as u32,
            reminder_before: Duration::from_secs(60 * number(&var, "LIVESELL_REMINDER_MINUTES", REMINDER_MINUTES, 1..=1440)?),
            health_timeout: Duration::from_millis(number(&var, "LIVESELL_HEALTH_TIMEOUT_MS", HEALTH_TIMEOUT_MS, 10..=60_000)?),
            ordered: false,
        };
        Ok(Config {
            database,
            database_max_connections: number(&var, "DATABASE_MAX_CONNECTIONS", DATABASE_MAX_CONNECTIONS, 1..=90)? as u32,
            redis_url,
            redis_ca_file: var("REDIS_CA_FILE").map(std::path::PathBuf::from),
            stream_db: var("LIVESELL_STREAM_DB").unwrap_or_else(|| "sqlite://livesell-stream.db".into()),
            meta_app_secret: var("META_APP_SECRET").map(SecretString::new),
            meta_verify_token: var("META_VERIFY_TOKEN").map(SecretString::new),
            meta_graph_url: graph,
            addr,
            api_token: var("LIVESELL_API_TOKEN").map(SecretString::new),
            settings,
            workers: number(&var, "LIVESELL_WORKERS", WORKERS, 1..=32)? as usize,
            sweep_every: Duration::from_secs(number(&var, "LIVESELL_SWEEP_SECS", SWEEP_SECS, 1..=3600)?),
            kick_secret: var("LIVESELL_KICK_SECRET").map(SecretString::new),
            llm: llm_config(&var)?,
            secrets_key: var("LIVESELL_SECRETS_KEY").map(SecretString::new),
            http_header_timeout: Duration::from_millis(number(
                &var,
                "LIVESELL_HTTP_HEADER_TIMEOUT_MS",
                HTTP_HEADER_TIMEOUT_MS,
                100..=600_000,
            )?),
            http_idle_timeout: Duration::from_millis(number(&var, "LIVESELL_HTTP_IDLE_TIMEOUT_MS", HTTP_IDLE_TIMEOUT_MS, 100..=3_600_000)?),
            payments: PaymentsConfig {
                public_url: url(&var, "LIVESELL_PUBLIC_URL", &format!("http://{addr}"))?,
                flow_base_url: url(&var, "FLOW_BASE_URL", FLOW_BASE_URL)?,
                mercadopago_base_url: url(&var, "MERCADOPAGO_BASE_URL", MERCADOPAGO_BASE_URL)?,
                paypal_base_url: url(&var, "PAYPAL_BASE_URL", PAYPAL_BASE_URL)?,
                deadline: Duration::from_millis(number(&var, "LIVESELL_PAYMENT_DEADLINE_MS", PAYMENT_DEADLINE_MS, 100..=60_000)?),
            },
            kick_urls: kick_urls(&var)?,
        })
    }

    /// What `serve` needs beyond the defaults; names every missing variable at once.
    pub fn serve_secrets(&self) -> Result<ServeSecrets, ConfigError> {
        let missing: Vec<&'static str> = [
            ("META_APP_SECRET", self.meta_app_secret.is_none()),
            ("META_VERIFY_TOKEN", self.meta_verify_token.is_none()),
            ("LIVESELL_API_TOKEN", self.api_token.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, absent)| absent.then_some(k))
        .collect();
        match (&self.meta_app_secret, &self.meta_verify_token, &self.api_token) {
            (Some(_), Some(_), Some(t)) if t.expose().chars().count() < defaults::MIN_API_TOKEN_CHARS => Err(ConfigError::Invalid {
                var: "LIVESELL_API_TOKEN",
                reason: format!(
                    "too short to guard the seller API: use at least {} characters (e.g. `openssl rand -hex 32`)",
                    defaults::MIN_API_TOKEN_CHARS
                ),
            }),
            (Some(a), Some(v), Some(t)) => Ok(ServeSecrets { app_secret: a.clone(), verify_token: v.clone(), api_token: t.clone() }),
            _ => Err(ConfigError::Missing { vars: missing, purpose: "serve webhooks and the seller API" }),
        }
    }

    /// A description safe to log: backends, never credentials.
    pub fn describe(&self) -> String {
        let db = match &self.database {
            DatabaseUrl::Sqlite(u) => u.clone(),
            DatabaseUrl::Postgres(_) => "postgres".into(),
        };
        let stream = if self.redis_url.is_some() { "redis".to_string() } else { format!("embedded ({})", self.stream_db) };
        let llm = match &self.llm {
            Some(l) => format!("{} at {}", l.model, l.base_url),
            None => "none (rules only)".into(),
        };
        format!("store={db} stream={stream} graph={} llm={llm}", self.meta_graph_url)
    }
}

#[cfg(feature = "native")]
impl Config {
    pub fn http_timeouts(&self) -> crate::runtime::server::HttpTimeouts {
        crate::runtime::server::HttpTimeouts { header: self.http_header_timeout, idle: self.http_idle_timeout }
    }
}

/// The payment gateways' endpoints and where they (and buyers) reach livesell.
#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    /// `LIVESELL_PUBLIC_URL`: notification and buyer-return URLs are made from it.
    pub public_url: String,
    pub flow_base_url: String,
    pub mercadopago_base_url: String,
    pub paypal_base_url: String,
    /// One deadline for the whole chain of a page's gateways.
    pub deadline: Duration,
}

fn url(var: &impl Fn(&str) -> Option<String>, key: &'static str, default: &str) -> Result<String, ConfigError> {
    let v = var(key).unwrap_or_else(|| default.to_string());
    if !(v.starts_with("http://") || v.starts_with("https://")) {
        return Err(ConfigError::Invalid { var: key, reason: "expected an http(s) URL".into() });
    }
    Ok(v.trim_end_matches('/').to_string())
}

/// An OpenAI-compatible endpoint for the comments the rules are unsure of.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub base_url: String,
    pub api_key: SecretString,
    pub model: String,
    pub deadline: Duration,
    pub per_seller: usize,
}

fn llm_config(var: &impl Fn(&str) -> Option<String>) -> Result<Option<LlmConfig>, ConfigError> {
    let (url, key, model) = (var("LLM_BASE_URL"), var("LLM_API_KEY"), var("LLM_MODEL"));
    if url.is_none() && key.is_none() && model.is_none() {
        return Ok(None);
    }
    let missing: Vec<&'static str> = [("LLM_BASE_URL", url.is_none()), ("LLM_API_KEY", key.is_none()), ("LLM_MODEL", model.is_none())]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
    let (Some(base_url), Some(key), Some(model)) = (url, key, model) else {
        return Err(ConfigError::Missing { vars: missing, purpose: "use an LLM (set all three, or none for rules only)" });
    };
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(ConfigError::Invalid {
            var: "LLM_BASE_URL",
            reason: "expected an http(s) URL such as https://api.openai.com/v1".into(),
        });
    }
    Ok(Some(LlmConfig {
        base_url,
        api_key: SecretString::new(key),
        model,
        deadline: Duration::from_millis(number(var, "LLM_TIMEOUT_MS", defaults::LLM_TIMEOUT_MS, 100..=120_000)?),
        per_seller: number(var, "LLM_CONCURRENCY_PER_SELLER", defaults::LLM_CONCURRENCY_PER_SELLER, 1..=64)? as usize,
    }))
}

fn kick_urls(var: &impl Fn(&str) -> Option<String>) -> Result<std::collections::BTreeMap<&'static str, String>, ConfigError> {
    let mut urls = std::collections::BTreeMap::new();
    for (key, stage) in [
        ("LIVESELL_KICK_URL_FILTER", "filter"),
        ("LIVESELL_KICK_URL_INTENT", "intent"),
        ("LIVESELL_KICK_URL_RESERVE", "reserve"),
        ("LIVESELL_KICK_URL_RESPOND", "respond"),
    ] {
        if let Some(url) = var(key) {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(ConfigError::Invalid { var: key, reason: "expected the function's http(s) URL".into() });
            }
            urls.insert(stage, url);
        }
    }
    if !urls.is_empty() && var("LIVESELL_KICK_SECRET").is_none() {
        return Err(ConfigError::Missing {
            vars: vec!["LIVESELL_KICK_SECRET"],
            purpose: "authenticate kicks to the LIVESELL_KICK_URL_* functions",
        });
    }
    Ok(urls)
}

fn number(
    var: &impl Fn(&str) -> Option<String>,
    key: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = var(key) else { return Ok(default) };
    let n: u64 = raw.parse().map_err(|_| ConfigError::Invalid { var: key, reason: format!("{raw:?} is not a whole number") })?;
    if !range.contains(&n) {
        return Err(ConfigError::Invalid { var: key, reason: format!("{n} is outside {}..={}", range.start(), range.end()) });
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn with_nothing_set_the_embedded_defaults_apply() {
        let c = config(&[]).expect("valid");
        assert!(matches!(c.database, DatabaseUrl::Sqlite(ref u) if u == "sqlite://livesell.db"));
        assert!(c.redis_url.is_none());
        assert_eq!(c.settings.reservation_ttl, Duration::from_secs(900));
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[("DATABASE_URL", "mysql://x")]).expect_err("invalid");
        assert!(e.to_string().starts_with("DATABASE_URL is invalid"));
        let e = config(&[("LIVESELL_RESERVATION_TTL_SECS", "soon")]).expect_err("invalid");
        assert!(e.to_string().contains("LIVESELL_RESERVATION_TTL_SECS"));
        let e = config(&[("REDIS_URL", "localhost:6379")]).expect_err("invalid");
        assert!(e.to_string().contains("REDIS_URL"));
    }

    #[test]
    fn serve_names_every_missing_secret() {
        let c = config(&[("META_APP_SECRET", "s")]).expect("valid");
        let e = c.serve_secrets().expect_err("missing");
        assert_eq!(e.to_string(), "META_VERIFY_TOKEN, LIVESELL_API_TOKEN must be set to serve webhooks and the seller API");
    }

    #[test]
    fn serve_refuses_a_short_api_token() {
        let c = config(&[("META_APP_SECRET", "s"), ("META_VERIFY_TOKEN", "v"), ("LIVESELL_API_TOKEN", "short")]).expect("valid");
        let e = c.serve_secrets().expect_err("too short");
        assert!(e.to_string().starts_with("LIVESELL_API_TOKEN is invalid: too short"), "{e}");
        let long = "x".repeat(defaults::MIN_API_TOKEN_CHARS);
        let c = config(&[("META_APP_SECRET", "s"), ("META_VERIFY_TOKEN", "v"), ("LIVESELL_API_TOKEN", &long)]).expect("valid");
        assert!(c.serve_secrets().is_ok());
    }

    #[test]
    fn the_defaults_are_the_settings_defaults() {
        let c = config(&[]).expect("valid");
        let d = Settings::default();
        assert_eq!(
            (c.settings.reservation_ttl, c.settings.max_deliveries, c.settings.reclaim_idle),
            (d.reservation_ttl, d.max_deliveries, d.reclaim_idle)
        );
        assert_eq!((c.settings.max_units_per_comment, c.settings.health_timeout), (d.max_units_per_comment, d.health_timeout));
    }

    #[test]
    fn the_llm_needs_all_three_settings_or_none() {
        assert!(config(&[]).expect("valid").llm.is_none());
        let e = config(&[("LLM_BASE_URL", "http://x/v1")]).expect_err("partial");
        assert_eq!(e.to_string(), "LLM_API_KEY, LLM_MODEL must be set to use an LLM (set all three, or none for rules only)");
        let c =
            config(&[("LLM_BASE_URL", "http://x/v1"), ("LLM_API_KEY", "k"), ("LLM_MODEL", "m"), ("LLM_TIMEOUT_MS", "500")]).expect("valid");
        assert_eq!(c.llm.map(|l| l.deadline), Some(Duration::from_millis(500)));
    }

    #[test]
    fn the_description_never_shows_credentials() {
        let c = config(&[("DATABASE_URL", "postgres://u:hunter2@db/x"), ("REDIS_URL", "rediss://:pw@up")]).expect("valid");
        let d = c.describe();
        assert!(!d.contains("hunter2") && !d.contains("pw@"), "{d}");
    }
}
