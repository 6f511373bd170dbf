//! The deep health check (and the seller API) as its own function: the shared router's `/health`
//! does a real PostgreSQL and Redis round trip before answering 200.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::http().await?;
    Ok(())
}
