//! The intent stage as its own function: consumes `candidates` until SIGTERM.
//! The handler is `shared::stages::intent::handle`, run by the shared drain loop.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::stage(shared::pipeline::Stage::Intent).await?;
    Ok(())
}
