//! `livesell replay`: a recorded live through the real ingest path and every stage, on a clock
//! driven by the comments' own times (so expiry is deterministic), then a summary.
use crate::admin::read_catalog;
use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde::Serialize;
use shared::adapters::clock::ManualClock;
use shared::config::{Config, DatabaseUrl, ServeSecrets};
use shared::domain::catalog::Catalog;
use shared::domain::ids::PageId;
use shared::domain::inventory::stock_keys;
use shared::domain::money::{Currency, Money};
use shared::domain::outbound::OutboundMessage;
use shared::domain::payment::{Credentials, Gateway};
use shared::domain::reservation::PaymentInstructions;
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::domain::webhook;
use shared::http::{router, AppState};
use shared::pipeline::Streams;
use shared::ports::{Clock, Store};
use shared::runtime::local::{wait_idle, LocalPipeline};
use shared::stages::sweep;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// A throwaway SQLite file for a fresh embedded store; removed when the replay ends.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        let name = format!("livesell-replay-{}-{}.db", std::process::id(), shared::domain::ids::random_token());
        TempDb(std::env::temp_dir().join(name))
    }
    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", ".key"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[derive(Serialize)]
struct Summary {
    page_id: String,
    seller: String,
    webhook_posts: usize,
    posts_refused: usize,
    comments: u64,
    duplicates: u64,
    filtered_out: u64,
    ignored: u64,
    edits: u64,
    removed: u64,
    intents: BTreeMap<String, u64>,
    reserved: u64,
    waitlisted: u64,
    rejected: u64,
    cancelled: u64,
    expired: u64,
    paid: u64,
    orders: usize,
    orders_total_minor: i64,
    currency: String,
    replies: usize,
    replies_by_status: BTreeMap<String, u64>,
    seller_notices: usize,
    /// Comments the rules were unsure of, over those classified: what goes to an LLM.
    llm_share: f64,
    llm_configured: bool,
    /// ai_logs rows: LLM calls and answer-cache hits.
    ai_calls: usize,
    caches: BTreeMap<String, shared::pipeline::caches::HitRate>,
    stock: BTreeMap<String, i64>,
    /// Orders with items by how the reply told the buyer to pay: a gateway's link, `transfer`,
    /// or `none` (no method could be offered).
    payments_by_method: BTreeMap<String, u64>,
    /// The gateways configured for the replay (`--gateways`), in order.
    gateways: Vec<String>,
}

/// A closed port on this machine (TCP "discard", not served here): a gateway at it fails at once.
const OFFLINE_GATEWAY: &str = "http://127.0.0.1:9";

/// Throwaway credentials for a replayed page's gateways (the replay never reaches a real one).
fn replay_credentials(gateway: Gateway) -> Credentials {
    match gateway {
        Gateway::Flow => {
            Credentials::Flow { api_key: "replay".into(), secret_key: "replay".into(), payer_email: "replay@example.com".into() }
        }
        Gateway::MercadoPago => Credentials::MercadoPago { access_token: "replay".into(), webhook_secret: "replay".into() },
        Gateway::Paypal => Credentials::Paypal { client_id: "replay".into(), client_secret: "replay".into(), webhook_id: "replay".into() },
    }
}

/// The page (and Instagram account) the recording is addressed to.
fn addressed_page(lines: &[String]) -> Result<(PageId, Option<PageId>)> {
    let mut page = None;
    let mut ig = None;
    for line in lines {
        for (object, id) in webhook::addressees(line.as_bytes()) {
            match object.as_str() {
                "page" if page.is_none() => page = Some(id),
                "instagram" if ig.is_none() => ig = Some(id),
                _ => {}
            }
        }
    }
    let page = match (page, &ig) {
        (Some(p), _) => p,
        // An Instagram-only recording: the account stands for the page.
        (None, Some(i)) => i.clone(),
        (None, None) => bail!("no line is a Meta webhook addressed to a page or Instagram account"),
    };
    Ok((PageId::parse(page)?, ig.map(PageId::parse).transpose()?))
}

/// One switch of the product on screen.
#[derive(serde::Deserialize)]
struct Switch {
    at: i64,
    current_product: Option<String>,
}

fn read_schedule(path: &Path, catalog: &Catalog) -> Result<Vec<Switch>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let s: Switch = serde_json::from_str(line)
            .with_context(|| format!("{} line {}: expected {{\"at\", \"current_product\"}}", path.display(), n + 1))?;
        if let Some(code) = &s.current_product {
            anyhow::ensure!(
                shared::domain::inventory::find_product(catalog, code).is_some(),
                "{} line {}: {code} is not in the catalog",
                path.display(),
                n + 1
            );
        }
        out.push(s);
    }
    out.sort_by_key(|s| s.at);
    Ok(out)
}

pub async fn run(catalog_path: &Path, webhooks: &Path, json: bool, schedule: Option<&Path>, gateways: &[String]) -> Result<()> {
    // Each order's fallback to transfer is in the summary; one warning per order would bury it.
    shared::telemetry::init("warn,shared::adapters::payments=error");
    let mut config = Config::from_env().context("configuration")?;
    let gateways: Vec<Gateway> = gateways
        .iter()
        .map(|g| Gateway::parse(g).with_context(|| format!("--gateways: unknown gateway {g:?} (flow, mercadopago, paypal)")))
        .collect::<Result<_>>()?;
    // Offline unless told otherwise: never a real provider with throwaway credentials.
    for (var, url) in [
        ("FLOW_BASE_URL", &mut config.payments.flow_base_url),
        ("MERCADOPAGO_BASE_URL", &mut config.payments.mercadopago_base_url),
        ("PAYPAL_BASE_URL", &mut config.payments.paypal_base_url),
    ] {
        if std::env::var(var).is_err() {
            *url = OFFLINE_GATEWAY.to_string();
        }
    }
    let catalog = read_catalog(catalog_path)?;
    let text = std::fs::read_to_string(webhooks).with_context(|| format!("reading {}", webhooks.display()))?;
    let lines: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    let (page, ig) = addressed_page(&lines)?;
    let mut switches = match schedule {
        Some(p) => read_schedule(p, &catalog)?,
        None => Vec::new(),
    }
    .into_iter()
    .peekable();

    // A fresh embedded store unless DATABASE_URL names one; on Redis, streams of our own.
    let _temp = match std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) {
        Some(_) => None,
        None => {
            let t = TempDb::new();
            config.database = DatabaseUrl::Sqlite(t.url());
            Some(t)
        }
    };
    if config.redis_url.is_some() && std::env::var("LIVESELL_STREAM_PREFIX").is_err() {
        config.settings.streams = Streams::new(&format!("livesell-replay-{}", shared::domain::ids::random_token()));
    }
    // Deterministic: every stage in arrival order, whatever the timing of an LLM.
    config.settings.ordered = true;
    let start = lines.iter().filter_map(|l| webhook::latest_time(l.as_bytes())).min().unwrap_or_else(chrono::Utc::now);
    let backends = shared::app::connect(&config).await.context("connecting the store and the stream")?;
    backends.store.import_catalog(&page, ig.as_ref(), &catalog, start, config.settings.ttl_secs()).await.context("loading the catalog")?;
    for (priority, g) in gateways.iter().enumerate() {
        backends.store.set_gateway(&page, priority as i32, &replay_credentials(*g)).await.context("setting the replay's gateways")?;
    }
    let clock = Arc::new(ManualClock::new(start));
    let deps = Arc::new(shared::app::deps(&config, backends, clock.clone())?);
    let secret = SecretString::new(shared::domain::ids::random_token());
    let secrets = ServeSecrets {
        app_secret: secret.clone(),
        verify_token: SecretString::new(shared::domain::ids::random_token()),
        api_token: SecretString::new(shared::domain::ids::random_token()),
    };
    let app = router(AppState { deps: deps.clone(), secrets: Arc::new(secrets) });
    // One consumer per stage: contested stock goes to comments in the order they were recorded.
    let pipeline = LocalPipeline::spawn(deps.clone(), "replay", 1, None);

    let mut refused = 0;
    for (n, line) in lines.iter().enumerate() {
        if let Some(t) = webhook::latest_time(line.as_bytes()) {
            clock.advance_to(t);
        }
        // The seller switches products through the API while the live goes on.
        while let Some(s) = switches.next_if(|s| s.at <= clock.now().timestamp()) {
            deps.store.set_current_product(&page, s.current_product.as_deref()).await?;
            deps.caches.invalidate("catalog", page.as_str()).await;
        }
        sweep::run(&deps).await?;
        let req = Request::post("/webhooks/meta")
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature::sign(secret.expose().as_bytes(), line.as_bytes()))
            .body(Body::from(line.clone()))?;
        let resp = app.clone().oneshot(req).await?;
        if resp.status() != StatusCode::OK {
            refused += 1;
            let body = http_body_util::BodyExt::collect(resp.into_body()).await.map(|b| b.to_bytes()).unwrap_or_default();
            eprintln!("line {}: webhook refused: {}", n + 1, String::from_utf8_lossy(&body));
            continue;
        }
        if !wait_idle(&deps, Duration::from_secs(60)).await {
            bail!("line {}: the pipeline did not settle within 60 s", n + 1);
        }
    }
    pipeline.stop().await;

    let mut summary = summarize(deps.store.as_ref(), &page, &catalog, lines.len(), refused).await?;
    summary.gateways = gateways.iter().map(|g| g.as_str().to_string()).collect();
    summary.caches = deps.caches.stats();
    summary.llm_configured = deps.llm.is_some();
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print_human(deps.store.as_ref(), &page, &catalog, &summary).await?;
    }
    Ok(())
}

async fn summarize(store: &dyn Store, page: &PageId, catalog: &Catalog, posts: usize, refused: usize) -> Result<Summary> {
    let counts = store.counts(Some(page)).await?;
    let orders = store.orders(page).await?;
    let replies = store.replies(page).await?;
    let levels = store.stock(page).await?;
    let stock = stock_keys(catalog)
        .into_iter()
        .map(|(k, _)| {
            let left = levels.iter().find(|l| l.sku == k).map(|l| l.available).unwrap_or(0);
            (k, left)
        })
        .collect();
    let claim = |s: &str| counts.claims.get(s).copied().unwrap_or(0);
    let mut payments_by_method = BTreeMap::new();
    for o in orders.iter().filter(|o| !o.items.is_empty()) {
        let method = match &o.payment {
            Some(PaymentInstructions::Link { provider, .. }) => provider.clone(),
            Some(PaymentInstructions::Transfer { .. }) => "transfer".to_string(),
            None => "none".to_string(),
        };
        *payments_by_method.entry(method).or_insert(0) += 1;
    }
    Ok(Summary {
        page_id: page.to_string(),
        seller: catalog.seller.clone(),
        webhook_posts: posts,
        posts_refused: refused,
        comments: counts.comments,
        duplicates: counts.duplicates,
        filtered_out: counts.filtered_out,
        ignored: counts.ignored,
        edits: counts.edits,
        removed: counts.removed,
        intents: counts.intents.clone(),
        reserved: claim("reserved"),
        waitlisted: claim("waitlisted"),
        rejected: claim("rejected"),
        cancelled: claim("cancelled"),
        expired: claim("expired"),
        paid: claim("paid"),
        orders: orders.iter().filter(|o| o.total_minor > 0).count(),
        orders_total_minor: orders.iter().map(|o| o.total_minor).sum(),
        currency: catalog.currency.clone(),
        replies: replies.len(),
        replies_by_status: counts.replies.clone(),
        seller_notices: store.notices(page).await?.len(),
        llm_share: if counts.classified == 0 { 0.0 } else { counts.unclear as f64 / counts.classified as f64 },
        llm_configured: false,
        ai_calls: store.ai_calls(page).await?.len(),
        caches: BTreeMap::new(),
        stock,
        payments_by_method,
        gateways: Vec::new(),
    })
}

fn money(minor: i64, currency: &str) -> String {
    Currency::parse(currency)
        .ok()
        .and_then(|c| Money::new(minor, c).ok())
        .map(|m| m.display(false))
        .unwrap_or_else(|| format!("{minor} {currency}"))
}

async fn print_human(store: &dyn Store, page: &PageId, catalog: &Catalog, s: &Summary) -> Result<()> {
    println!("livesell replay — {} (page {})", s.seller, s.page_id);
    println!("webhook POSTs: {} ({} refused)", s.webhook_posts, s.posts_refused);
    println!(
        "comments in: {} unique, {} redelivered copies dropped, {} edits, {} removed, {} for unknown pages",
        s.comments, s.duplicates, s.edits, s.removed, s.ignored
    );
    println!("filtered out as noise: {}", s.filtered_out);
    let intents: Vec<String> = s.intents.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("intents: {}", intents.join(", "));
    println!(
        "claims: reserved {}, waitlisted {}, rejected {}, cancelled {}, expired {}, paid {}",
        s.reserved, s.waitlisted, s.rejected, s.cancelled, s.expired, s.paid
    );
    println!("orders with items: {} (reserved value {})", s.orders, money(s.orders_total_minor, &s.currency));
    let replies: Vec<String> = s.replies_by_status.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("replies: {} ({})", s.replies, replies.join(", "));
    let methods: Vec<String> = s.payments_by_method.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let gateways = if s.gateways.is_empty() {
        "no gateway configured".to_string()
    } else if s.payments_by_method.keys().all(|m| m == "transfer" || m == "none") {
        format!("gateways {} unreachable: fell back to bank transfer", s.gateways.join(", "))
    } else {
        format!("gateways {}", s.gateways.join(", "))
    };
    println!("payment methods offered: {} ({gateways})", if methods.is_empty() { "none".into() } else { methods.join(", ") });
    println!("seller notices: {}", s.seller_notices);
    println!(
        "LLM: {} ({:.1}% of classified comments were unclear to the rules; {} ai_logs rows)",
        if s.llm_configured { "configured" } else { "not configured, rules only" },
        s.llm_share * 100.0,
        s.ai_calls
    );
    let rates: Vec<String> =
        s.caches.iter().map(|(k, r)| format!("{k} {:.0}% ({}/{})", r.hit_rate * 100.0, r.hits, r.hits + r.misses)).collect();
    println!("cache hit rates: {}", if rates.is_empty() { "none used".to_string() } else { rates.join(", ") });

    println!("\nstock left (available / catalog):");
    for (sku, was) in stock_keys(catalog) {
        let left = s.stock.get(&sku).copied().unwrap_or(0);
        let mark = if left < was { "  ◀" } else { "" };
        println!("  {sku:<16} {left:>3} / {was:<3}{mark}");
    }

    println!("\norders:");
    for o in store.orders(page).await?.iter().filter(|o| !o.items.is_empty()) {
        let items: Vec<String> = o
            .items
            .iter()
            .map(|i| format!("{}×{} [{}]", i.qty, i.sku, serde_json::to_value(i.status).unwrap_or_default().as_str().unwrap_or("")))
            .collect();
        let method = match &o.payment {
            Some(PaymentInstructions::Link { provider, .. }) => provider.as_str(),
            Some(PaymentInstructions::Transfer { .. }) => "transfer",
            None => "-",
        };
        println!(
            "  #{:<4} {:<24} {:>14}  {:<11} {}",
            o.order_id,
            o.buyer_name,
            money(o.total_minor, &o.currency),
            method,
            items.join(", ")
        );
    }

    println!("\nclaims:");
    for c in store.claims(page).await? {
        let status = serde_json::to_value(c.status)?.as_str().unwrap_or_default().to_string();
        println!(
            "  #{:<4} {:<28} {:<5} {:<16} ×{}  {}{}",
            c.claim_id,
            c.comment_id.as_str(),
            c.code.as_deref().unwrap_or("?"),
            c.sku.as_deref().unwrap_or("-"),
            c.qty,
            status,
            c.reason.map(|r| format!(" ({r})")).unwrap_or_default()
        );
    }

    println!("\nreplies:");
    for m in store.replies(page).await? {
        print_reply(&m);
    }
    Ok(())
}

fn print_reply(m: &OutboundMessage) {
    println!("  [{}] {} → {}", m.status.as_str(), m.comment_id, m.text);
}
