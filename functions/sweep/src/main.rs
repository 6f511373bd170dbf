//! The reservation-expiry sweep as its own function: releases unpaid reservations past their
//! expiry and promotes waitlists, every `LIVESELL_SWEEP_SECS`.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("info");
    shared::runtime::host::sweep().await?;
    Ok(())
}
