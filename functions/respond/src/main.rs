//! The respond stage as its own function: consumes `replies` until SIGTERM.
//! The handler is `shared::stages::respond::handle`, run by the shared drain loop.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::stage(shared::pipeline::Stage::Respond).await?;
    Ok(())
}
