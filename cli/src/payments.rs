//! `livesell payments set|list|remove`: a page's payment gateways. Credentials come from the
//! environment, never from the command line (it shows in `ps` and shell history), and are sealed
//! before they are stored; nothing here prints them.
use anyhow::{bail, Context, Result};
use shared::domain::ids::PageId;
use shared::domain::payment::{Credentials, Gateway};

fn env(var: &'static str) -> Result<String> {
    let v = std::env::var(var).map(|v| v.trim().to_string()).unwrap_or_default();
    if v.is_empty() {
        bail!("{var} must be set (credentials are read from the environment, never from the command line)");
    }
    Ok(v)
}

fn credentials(gateway: Gateway, payer_email: Option<&str>) -> Result<Credentials> {
    Ok(match gateway {
        Gateway::Flow => {
            let Some(email) = payer_email.map(str::trim).filter(|e| e.contains('@')) else {
                bail!("Flow needs a payer email and Meta never gives the buyer's: pass the shop's own with --payer-email");
            };
            Credentials::Flow { api_key: env("FLOW_API_KEY")?, secret_key: env("FLOW_SECRET_KEY")?, payer_email: email.to_string() }
        }
        Gateway::MercadoPago => {
            Credentials::MercadoPago { access_token: env("MERCADOPAGO_ACCESS_TOKEN")?, webhook_secret: env("MERCADOPAGO_WEBHOOK_SECRET")? }
        }
        Gateway::Paypal => Credentials::Paypal {
            client_id: env("PAYPAL_CLIENT_ID")?,
            client_secret: env("PAYPAL_CLIENT_SECRET")?,
            webhook_id: env("PAYPAL_WEBHOOK_ID")?,
        },
    })
}

fn gateway(raw: &str) -> Result<Gateway> {
    Gateway::parse(raw).with_context(|| format!("unknown gateway {raw:?}: one of flow, mercadopago, paypal"))
}

pub async fn set(page: &str, gateway_name: &str, priority: i32, payer_email: Option<&str>) -> Result<()> {
    let config = crate::admin::config()?;
    let page = PageId::parse(page).context("--page-id")?;
    let creds = credentials(gateway(gateway_name)?, payer_email)?;
    let backends = shared::app::connect(&config).await?;
    if !backends.store.set_gateway(&page, priority, &creds).await? {
        bail!("page {page} has no catalog yet: import one first (`livesell catalog import`)");
    }
    println!("{} set for page {page} at priority {priority}; credentials sealed", creds.gateway().as_str());
    Ok(())
}

pub async fn list(page: &str) -> Result<()> {
    let config = crate::admin::config()?;
    let page = PageId::parse(page).context("--page-id")?;
    let backends = shared::app::connect(&config).await?;
    for g in backends.store.gateways(&page).await? {
        println!("{}", serde_json::json!({ "gateway": g.gateway, "priority": g.priority }));
    }
    Ok(())
}

pub async fn remove(page: &str, gateway_name: &str) -> Result<()> {
    let config = crate::admin::config()?;
    let page = PageId::parse(page).context("--page-id")?;
    let g = gateway(gateway_name)?;
    let backends = shared::app::connect(&config).await?;
    if !backends.store.remove_gateway(&page, g).await? {
        bail!("page {page} has no {} gateway", g.as_str());
    }
    println!("{} removed from page {page}", g.as_str());
    Ok(())
}
