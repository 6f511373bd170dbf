//! Running the real `livesell` binary in tests: a server on a free port, signed webhooks, polling.
#![allow(dead_code)]
use shared::domain::signature;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_livesell");
pub const SECRET: &str = "test-app-secret";
pub const API_TOKEN: &str = "test-operator-token-0123456789abcdef";
pub const PAGE: &str = "104857600123456";
pub const POST: &str = "104857600123456_880011223344";

/// Environment for one isolated deployment: its own database (schema or file) and stream prefix.
#[derive(Clone)]
pub struct Env {
    pub vars: HashMap<String, String>,
}

impl Env {
    pub fn new(database_url: &str, redis_url: Option<&str>, graph_url: &str) -> Env {
        let mut vars = HashMap::new();
        vars.insert("DATABASE_URL".into(), database_url.into());
        if database_url.starts_with("postgres") {
            // The embedded default makes its own key file; PostgreSQL needs the key given.
            vars.insert("LIVESELL_SECRETS_KEY".into(), testkit::SECRETS_KEY.into());
        }
        if let Some(r) = redis_url {
            vars.insert("REDIS_URL".into(), r.into());
        }
        vars.insert("LIVESELL_STREAM_PREFIX".into(), testkit::unique("e2e"));
        vars.insert("META_APP_SECRET".into(), SECRET.into());
        vars.insert("META_VERIFY_TOKEN".into(), "verify-me".into());
        vars.insert("LIVESELL_API_TOKEN".into(), API_TOKEN.into());
        vars.insert("META_GRAPH_URL".into(), graph_url.into());
        vars.insert("DATABASE_MAX_CONNECTIONS".into(), "5".into());
        vars.insert("LIVESELL_RECLAIM_IDLE_MS".into(), "500".into());
        vars.insert("LIVESELL_SEND_BACKOFF_MS".into(), "20".into());
        vars.insert("LIVESELL_LOG".into(), "warn".into());
        Env { vars }
    }

    pub fn set(mut self, k: &str, v: &str) -> Env {
        self.vars.insert(k.into(), v.into());
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).envs(&self.vars);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run livesell")
    }

    /// `livesell migrate` (PostgreSQL) and `catalog import` with the page token from the environment.
    pub fn prepare(&self, catalog: &Path) {
        let out = self.run(&["migrate"]);
        assert!(out.status.success(), "migrate: {}", String::from_utf8_lossy(&out.stderr));
        let out = self.clone().set("PAGE_TOKEN", "EAAB-test").run(&[
            "catalog",
            "import",
            "--page-id",
            PAGE,
            "--page-token-env",
            "PAGE_TOKEN",
            &catalog.display().to_string(),
        ]);
        assert!(out.status.success(), "catalog import: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// A `livesell serve` process on a free port.
pub struct Server {
    pub child: Child,
    pub base: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl Server {
    pub async fn start(env: &Env) -> Server {
        let port = free_port();
        let child = env
            .command(&["serve"])
            .env("LIVESELL_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn serve");
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if reqwest::get(format!("{}/health", server.base)).await.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("livesell serve did not become healthy on port {port}");
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill9();
        panic!("serve did not stop within 20 s of SIGTERM");
    }

    pub async fn post_webhook(&self, body: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/webhooks/meta", self.base))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature::sign(SECRET.as_bytes(), body.as_bytes()))
            .body(body.to_string())
            .send()
            .await
            .expect("post webhook")
    }

    pub async fn api(&self, path: &str) -> serde_json::Value {
        let resp = reqwest::Client::new().get(format!("{}{path}", self.base)).bearer_auth(API_TOKEN).send().await.expect("api");
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().await.expect("json")
    }

    /// Polls `path` until `done` holds (or panics after `secs`).
    pub async fn wait_for(&self, path: &str, secs: u64, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(resp) = reqwest::Client::new().get(format!("{}{path}", self.base)).bearer_auth(API_TOKEN).send().await {
                if let Ok(v) = resp.json::<serde_json::Value>().await {
                    if done(&v) {
                        return v;
                    }
                    if Instant::now() > deadline {
                        panic!("timed out waiting on {path}; last value: {v}");
                    }
                }
            }
            assert!(Instant::now() < deadline, "timed out waiting on {path}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test catalog written to a file.
pub fn catalog_file() -> testkit::TempFile {
    let f = testkit::TempFile::new("json");
    std::fs::write(&f.0, serde_json::to_vec(&testkit::catalog()).expect("json")).expect("write catalog");
    f
}

pub fn count_status(claims: &serde_json::Value, status: &str) -> usize {
    claims.as_array().map(|a| a.iter().filter(|c| c["status"] == status).count()).unwrap_or(0)
}
