//! The reserve stage as its own function: consumes `intents` until SIGTERM.
//! The handler is `shared::stages::reserve::handle`, run by the shared drain loop.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::stage(shared::pipeline::Stage::Reserve).await?;
    Ok(())
}
