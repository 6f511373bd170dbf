//! The filter stage as its own function: consumes `comments` until SIGTERM.
//! The handler is `shared::stages::filter::handle`, run by the shared drain loop.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::stage(shared::pipeline::Stage::Filter).await?;
    Ok(())
}
