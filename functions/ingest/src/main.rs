//! Ingest as its own function: the Meta webhook (GET handshake, signed POST → `comments` stream),
//! served by the shared router; the later stages run as their own functions.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::http().await?;
    Ok(())
}
