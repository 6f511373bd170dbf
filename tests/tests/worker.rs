//! The Cloudflare Worker (functions/edge, built for wasm32 by infra/build-worker.sh) under
//! `wrangler dev` (workerd): a signed webhook ends as a stream entry in the real redis-server,
//! reached through the local Upstash REST bridge; a redelivery is dropped at the edge; the kick of
//! the filter function is observed; the crons ping /health and trigger the export.
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::routing::any;
use axum::Router;
use shared::adapters::redis_streams::RedisEventStream;
use shared::domain::signature;
use shared::ports::EventStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::upstash_bridge::UpstashBridge;

const APP_SECRET: &str = "edge-app-secret";
const KICK: &str = "edge-kick-secret";

/// (method, path, kick header) of one request.
type Seen = (String, String, Option<String>);

/// Records every request it gets (the Lambda function URLs the Worker calls).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Recorder {
    fn seen(&self) -> Vec<Seen> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn record(State(r): State<Recorder>, method: Method, uri: Uri, headers: HeaderMap) -> &'static str {
    let kick = headers.get("x-livesell-kick").and_then(|v| v.to_str().ok()).map(str::to_string);
    r.0.lock().unwrap_or_else(|p| p.into_inner()).push((method.to_string(), uri.path().to_string(), kick));
    "ok"
}

/// `wrangler dev`, stopped with SIGTERM so it takes its workerd down with it.
struct Wrangler(Child);

impl Drop for Wrangler {
    fn drop(&mut self) {
        // wrangler stops its workerd on SIGTERM; only then is it killed outright.
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..30 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("repo root")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_queues_webhooks_through_upstash_and_runs_its_crons() {
    let tools = std::env::var("LIVESELL_TOOLS").unwrap_or_else(|_| "/opt/livesell-tools".into());
    let wrangler = format!("{tools}/bin/wrangler");
    assert!(
        std::path::Path::new(&wrangler).exists(),
        "wrangler is not installed: run `bash infra/install-tools.sh` (scripts/test.sh does)"
    );
    let shim = root().join("functions/edge/build/worker/shim.mjs");
    assert!(shim.exists(), "{} is missing: run `bash infra/build-worker.sh` (scripts/test.sh does)", shim.display());

    let bridge = UpstashBridge::start(&testkit::redis_url(), "upstash-token", "127.0.0.1:0").await;
    let recorder = Recorder::default();
    let app = Router::new().route("/{*path}", any(record)).with_state(recorder.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind recorder");
    let lambda = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    // The repository's wrangler.toml without its [build] (the Worker is prebuilt) and with local URLs.
    let dir = root().join("target/wrangler-test").join(testkit::unique("w"));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("wrangler.toml");
    std::fs::write(
        &config,
        format!(
            "name = \"livesell-edge-test\"\nmain = \"{}\"\ncompatibility_date = \"2026-04-01\"\n[triggers]\ncrons = [\"*/5 * * * *\", \"0 6 * * 1\"]\n",
            shim.display()
        ),
    )
    .expect("config");
    let prefix = testkit::unique("wk");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let vars = [
        ("LIVESELL_STREAM_PREFIX", prefix.clone()),
        ("HEALTH_URL", format!("{lambda}/health")),
        ("FILTER_KICK_URL", format!("{lambda}/kick/filter")),
        ("EXPORT_KICK_URL", format!("{lambda}/kick/export")),
        ("META_APP_SECRET", APP_SECRET.into()),
        ("META_VERIFY_TOKEN", "verify-me".into()),
        ("UPSTASH_REDIS_REST_URL", bridge.url.clone()),
        ("UPSTASH_REDIS_REST_TOKEN", "upstash-token".into()),
        ("LIVESELL_KICK_SECRET", KICK.into()),
    ];
    let mut cmd = Command::new(&wrangler);
    cmd.args(["dev", "--config"]).arg(&config).args(["--ip", "127.0.0.1", "--port", &port.to_string(), "--test-scheduled"]);
    for (k, v) in &vars {
        cmd.arg("--var").arg(format!("{k}:{v}"));
    }
    let _wrangler = Wrangler(
        cmd.current_dir(&dir)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("WRANGLER_HIDE_BANNER", "true")
            .env("PATH", format!("{tools}/bin:{}", std::env::var("PATH").unwrap_or_default()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("wrangler dev"),
    );
    let edge = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !http.get(format!("{edge}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "wrangler dev did not come up on {port}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Handshake and refusals.
    let hs =
        http.get(format!("{edge}/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=77")).send().await.expect("get");
    assert_eq!((hs.status().as_u16(), hs.text().await.expect("text")), (200, "77".to_string()));
    let wrong =
        http.get(format!("{edge}/webhooks/meta?hub.mode=subscribe&hub.verify_token=no&hub.challenge=77")).send().await.expect("get");
    assert_eq!(wrong.status().as_u16(), 403);
    let body = testkit::fb_webhook("P1", "P1_L", 1_764_097_200, &[("C1", "U1", "quiero A12 talla M")]);
    let post = |b: String, sig: Option<String>| {
        let mut r = http.post(format!("{edge}/webhooks/meta")).header("content-type", "application/json").body(b);
        if let Some(s) = sig {
            r = r.header("x-hub-signature-256", s);
        }
        r.send()
    };
    assert_eq!(post(body.clone(), None).await.expect("post").status().as_u16(), 401);
    assert_eq!(post(body.clone(), Some(signature::sign(b"wrong", body.as_bytes()))).await.expect("post").status().as_u16(), 401);
    let junk = "{not json".to_string();
    assert_eq!(
        post(junk.clone(), Some(signature::sign(APP_SECRET.as_bytes(), junk.as_bytes()))).await.expect("post").status().as_u16(),
        400
    );
    let big = "x".repeat(1024 * 1024 + 1);
    assert_eq!(post(big.clone(), Some(signature::sign(APP_SECRET.as_bytes(), big.as_bytes()))).await.expect("post").status().as_u16(), 413);

    // A signed webhook: queued in Redis, the filter function kicked; the redelivery dropped.
    let ok = post(body.clone(), Some(signature::sign(APP_SECRET.as_bytes(), body.as_bytes()))).await.expect("post");
    assert_eq!(ok.status().as_u16(), 200);
    let accepted: serde_json::Value = ok.json().await.expect("json");
    assert_eq!((accepted["queued"].as_u64(), accepted["already_seen"].as_u64()), (Some(1), Some(0)), "{accepted}");
    let again: serde_json::Value =
        post(body.clone(), Some(signature::sign(APP_SECRET.as_bytes(), body.as_bytes()))).await.expect("post").json().await.expect("json");
    assert_eq!((again["queued"].as_u64(), again["already_seen"].as_u64()), (Some(0), Some(1)), "{again}");
    let redis = RedisEventStream::connect(&testkit::redis_url()).await.expect("redis");
    let key = format!("{prefix}:comments");
    redis.ensure_group(&key, "filter").await.expect("group");
    let entries = redis.read_new(&key, "filter", "t", 10, None).await.expect("read");
    assert_eq!(entries.len(), 1, "exactly one stream entry for the comment");
    assert!(entries[0].payload.contains("quiero A12 talla M"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !recorder.seen().iter().any(|(m, p, k)| m == "POST" && p == "/kick/filter" && k.as_deref() == Some(KICK)) {
        assert!(Instant::now() < deadline, "no kick of the filter function: {:?}", recorder.seen());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The crons, fired by wrangler's --test-scheduled endpoint.
    let fired = http.get(format!("{edge}/__scheduled?cron=*/5+*+*+*+*")).send().await.expect("scheduled");
    assert!(fired.status().is_success());
    let fired = http.get(format!("{edge}/__scheduled?cron=0+6+*+*+1")).send().await.expect("scheduled");
    assert!(fired.status().is_success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = recorder.seen();
        let pinged = seen.iter().any(|(m, p, _)| m == "GET" && p == "/health");
        let exported = seen.iter().any(|(m, p, k)| m == "POST" && p == "/kick/export" && k.as_deref() == Some(KICK));
        if pinged && exported {
            break;
        }
        assert!(Instant::now() < deadline, "crons not observed: {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
