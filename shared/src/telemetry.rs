//! Logs: JSON lines on stderr (stdout stays for the command's own output), filtered by `LIVESELL_LOG`.
use tracing_subscriber::EnvFilter;

/// Installs the subscriber once; later calls are no-ops (tests, repeated init).
pub fn init(default_filter: &str) {
    let filter = EnvFilter::try_from_env("LIVESELL_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).with_current_span(false).try_init();
}
