//! Benchmarks, printed as a table: `cargo run --release -p livesell-tests --bin bench [-- --quick]`.
//! Run on one machine in one go, so the rows compare with each other (these machines are noisy:
//! read ratios, not absolute numbers).
//!
//! - classify: rules-only throughput over the labelled dev set;
//! - ingest ack: signed webhook POST → 200 (signature, parse, append), in process;
//! - comment → reply: end-to-end latency through every stage to the Graph API stand-in;
//! - burst: PRD 15.1's chaos case, 5,000 comments posted at once: ack latency, and how long the
//!   pipeline takes to reply to all of them; on the embedded default and on PostgreSQL + Redis.
use axum::body::Body;
use axum::http::Request;
use shared::adapters::clock::SystemClock;
use shared::adapters::embedded_stream::EmbeddedStream;
use shared::adapters::meta_graph::MetaMessenger;
use shared::adapters::payments::{FallbackPayments, TransferPayments};
use shared::adapters::redis_streams::RedisEventStream;
use shared::adapters::sql::SqlStore;
use shared::config::ServeSecrets;
use shared::config::Settings;
use shared::domain::catalog::Catalog;
use shared::domain::ids::PageId;
use shared::domain::intent::{classify, CatalogIndex};
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::http::{router, AppState};
use shared::pipeline::{Deps, Streams};
use shared::ports::{EventStream, Store};
use shared::runtime::local::{wait_idle, LocalPipeline};
use std::sync::Arc;
use std::time::{Duration, Instant};
use testkit::graph::FakeGraph;
use tower::ServiceExt;

const SECRET: &str = "bench-secret";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

fn row(name: &str, backend: &str, value: &str, detail: &str) {
    println!("| {name:<22} | {backend:<16} | {value:>16} | {detail} |");
}

/// A catalog big enough for a burst: every stock set to 1,000 units.
fn bench_catalog() -> Catalog {
    let mut c = testkit::catalog();
    for p in &mut c.products {
        for v in p.stock.values_mut() {
            *v = 1_000;
        }
    }
    c
}

async fn pipeline(
    backend: &str,
    graph: &FakeGraph,
    workers: usize,
) -> (Arc<Deps>, axum::Router, Option<LocalPipeline>, Option<testkit::TempFile>) {
    let (store, stream, file): (Arc<dyn Store>, Arc<dyn EventStream>, _) = if backend == "embedded" {
        let (s, f) = testkit::sqlite_store().await;
        let stream = EmbeddedStream::new(s.sqlite_pool().expect("sqlite").clone());
        (Arc::new(s), Arc::new(stream), Some(f))
    } else {
        let s = SqlStore::connect_postgres(&testkit::pg_schema_url().await, 12).await.expect("postgres").with_sealer(testkit::sealer());
        (Arc::new(s), Arc::new(RedisEventStream::connect(&testkit::redis_url()).await.expect("redis")), None)
    };
    let settings =
        Settings { streams: Streams::new(&testkit::unique("bench")), send_backoff: Duration::from_millis(5), ..Settings::default() };
    let deps = Arc::new(Deps::new(
        store,
        stream,
        Arc::new(MetaMessenger::new(&graph.base_url, Duration::from_secs(5)).expect("messenger")),
        Arc::new(FallbackPayments::new(vec![Arc::new(TransferPayments)])),
        Arc::new(SystemClock),
        settings,
    ));
    let page = PageId::parse("BENCH").expect("page");
    deps.store.import_catalog(&page, None, &bench_catalog(), chrono::Utc::now(), 900).await.expect("catalog");
    deps.store.set_page_token(&page, &SecretString::new("EAAB")).await.expect("token");
    let secrets = ServeSecrets {
        app_secret: SecretString::new(SECRET),
        verify_token: SecretString::new("v"),
        api_token: SecretString::new(testkit::API_TOKEN),
    };
    let app = router(AppState { deps: deps.clone(), secrets: Arc::new(secrets) });
    let pipe = (workers > 0).then(|| LocalPipeline::spawn(deps.clone(), "bench", workers, None));
    (deps, app, pipe, file)
}

fn webhook(i: usize) -> String {
    let text = ["quiero A12 talla M", "2 B5 porfa", "B3 38 negro", "a12 en S", "precio del A12?", "hola!"][i % 6];
    testkit::fb_webhook("BENCH", "BENCH_L", chrono::Utc::now().timestamp(), &[(&format!("c{i}"), &format!("u{i}"), text)])
}

async fn post(app: &axum::Router, body: String) -> Duration {
    let sig = signature::sign(SECRET.as_bytes(), body.as_bytes());
    let started = Instant::now();
    let req = Request::post("/webhooks/meta").header("x-hub-signature-256", sig).body(Body::from(body)).expect("request");
    let status = app.clone().oneshot(req).await.expect("response").status();
    assert!(status.is_success(), "webhook refused: {status}");
    started.elapsed()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let burst = if quick { 500 } else { 5_000 };
    println!(
        "livesell benchmarks ({} cores, {})",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if quick { "quick" } else { "full" }
    );
    println!("| {:<22} | {:<16} | {:>16} | detail |", "measure", "backend", "value");
    println!("|{}|{}|{}|---|", "-".repeat(24), "-".repeat(18), "-".repeat(18));

    // Rules-only classification.
    let data = testkit::repo_root().join("tests/data/dev");
    let read = |f: &str| std::fs::read_to_string(data.join(f)).unwrap_or_else(|e| panic!("{}: {e}", data.join(f).display()));
    {
        let (cat, lines) = (read("catalog.json"), read("comments-dev.jsonl"));
        let catalog: Catalog = serde_json::from_str(&cat).expect("catalog");
        let index = CatalogIndex::new(&catalog);
        let texts: Vec<String> = lines
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?.get("text")?.as_str().map(String::from))
            .collect();
        let rounds = if quick { 20 } else { 200 };
        let started = Instant::now();
        let mut n = 0usize;
        for _ in 0..rounds {
            for t in &texts {
                n += classify(t, &index, catalog.current_product.as_deref()).claims.len();
            }
        }
        let per = started.elapsed() / (rounds * texts.len()) as u32;
        row(
            "classify (rules)",
            "in process",
            &format!("{:.0} /s", 1.0 / per.as_secs_f64()),
            &format!("{} per comment over {} dev comments ×{rounds} ({n} claims)", ms(per), texts.len()),
        );
    }

    for backend in ["embedded", "postgres+redis"] {
        let graph = FakeGraph::start("EAAB").await;
        // Ingest alone (no consumers): what Meta waits for.
        let (_deps, app, _pipe, _file) = pipeline(backend, &graph, 0).await;
        let mut acks: Vec<Duration> = Vec::new();
        for i in 0..if quick { 200 } else { 1_000 } {
            acks.push(post(&app, webhook(i)).await);
        }
        acks.sort();
        row(
            "ingest ack",
            backend,
            &ms(percentile(&acks, 0.5)),
            &format!("p99 {} over {} signed POSTs", ms(percentile(&acks, 0.99)), acks.len()),
        );

        // One comment at a time through every stage.
        let graph = FakeGraph::start("EAAB").await;
        let (deps, app, pipe, _file) = pipeline(backend, &graph, 2).await;
        let mut e2e: Vec<Duration> = Vec::new();
        for i in 0..if quick { 30 } else { 150 } {
            let body = testkit::fb_webhook(
                "BENCH",
                "BENCH_L",
                chrono::Utc::now().timestamp(),
                &[(&format!("s{i}"), &format!("v{i}"), "quiero A12 talla M")],
            );
            let started = Instant::now();
            post(&app, body).await;
            while graph.replies().len() <= i {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
            e2e.push(started.elapsed());
        }
        e2e.sort();
        row(
            "comment → reply",
            backend,
            &ms(percentile(&e2e, 0.5)),
            &format!("p95 {} p99 {} over {} comments", ms(percentile(&e2e, 0.95)), ms(percentile(&e2e, 0.99)), e2e.len()),
        );
        if let Some(p) = pipe {
            p.stop().await;
        }
        drop(deps);

        // The burst: every POST at once (64 in flight), then until the last reply.
        let graph = FakeGraph::start("EAAB").await;
        let (deps, app, pipe, _file) = pipeline(backend, &graph, 4).await;
        let started = Instant::now();
        let sem = Arc::new(tokio::sync::Semaphore::new(64));
        let mut tasks = Vec::new();
        for i in 0..burst {
            let (app, sem) = (app.clone(), sem.clone());
            tasks.push(tokio::spawn(async move {
                let _p = sem.acquire_owned().await.expect("semaphore");
                post(&app, webhook(i)).await
            }));
        }
        let mut burst_acks: Vec<Duration> = Vec::new();
        for t in tasks {
            burst_acks.push(t.await.expect("task"));
        }
        let acked = started.elapsed();
        burst_acks.sort();
        // Five of six texts get a reply (the greeting is filtered out).
        let expected = (0..burst).filter(|i| i % 6 != 5).count();
        let ok = wait_idle(&deps, Duration::from_secs(600)).await;
        let done = started.elapsed();
        row(
            &format!("burst {burst}: acked"),
            backend,
            &format!("{:.1} s", acked.as_secs_f64()),
            &format!(
                "{:.0} POST/s, ack p50 {} p99 {}",
                burst as f64 / acked.as_secs_f64(),
                ms(percentile(&burst_acks, 0.5)),
                ms(percentile(&burst_acks, 0.99))
            ),
        );
        row(
            &format!("burst {burst}: replied"),
            backend,
            &format!("{:.1} s", done.as_secs_f64()),
            &format!(
                "{} replies of {expected} expected, settled: {ok}, {:.0} comments/s end to end",
                graph.replies().len(),
                burst as f64 / done.as_secs_f64()
            ),
        );
        if let Some(p) = pipe {
            p.stop().await;
        }
    }
    println!("peak RSS of this process: {:.1} MiB", peak_rss_mib());
}
