//! A page's payment gateways: `GatewayStore`, once for both databases. Credentials are sealed
//! before they are written, bound to their page and gateway.
use super::db::args;
use super::SqlStore;
use crate::domain::ids::PageId;
use crate::domain::payment::{Credentials, Gateway, GatewayConfig};
use crate::ports::{GatewayStore, PortError};
use async_trait::async_trait;
use chrono::Utc;

fn context(page: &str, gateway: Gateway) -> String {
    format!("gateway:{page}:{}", gateway.as_str())
}

#[async_trait]
impl GatewayStore for SqlStore {
    async fn set_gateway(&self, page: &PageId, priority: i32, credentials: &Credentials) -> Result<bool, PortError> {
        let gateway = credentials.gateway();
        let sealed = self.sealer_for("store payment credentials")?.seal(&context(page.as_str(), gateway), credentials.to_secret().expose());
        let mut tx = self.pool.write().await?;
        if tx.opt("SELECT page_id FROM pages WHERE page_id = $1", args![page.as_str()]).await?.is_none() {
            return Ok(false);
        }
        tx.exec(
            "INSERT INTO payment_gateways (page_id, gateway, priority, credentials, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (page_id, gateway) DO UPDATE SET priority = excluded.priority, credentials = excluded.credentials, \
               updated_at = excluded.updated_at",
            args![page.as_str(), gateway.as_str(), priority, sealed, Utc::now()],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn remove_gateway(&self, page: &PageId, gateway: Gateway) -> Result<bool, PortError> {
        let n = self
            .pool
            .read()
            .await?
            .exec("DELETE FROM payment_gateways WHERE page_id = $1 AND gateway = $2", args![page.as_str(), gateway.as_str()])
            .await?;
        Ok(n == 1)
    }

    async fn gateways(&self, page: &PageId) -> Result<Vec<GatewayConfig>, PortError> {
        let b = self.backend();
        let found = self
            .pool
            .read()
            .await?
            .all(
                "SELECT gateway, priority, credentials FROM payment_gateways WHERE page_id = $1 ORDER BY priority, gateway",
                args![page.as_str()],
            )
            .await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let sealer = self.sealer_for("read payment credentials")?;
        found
            .iter()
            .map(|r| {
                let raw = r.str("gateway")?;
                let gateway = Gateway::parse(&raw).ok_or_else(|| super::corrupt(b, &raw))?;
                let opened = sealer
                    .open(&context(page.as_str(), gateway), &r.str("credentials")?)
                    .map_err(|e| PortError::Rejected { backend: b, message: e.to_string() })?;
                let credentials = Credentials::from_secret(&opened).ok_or_else(|| super::corrupt(b, "credentials"))?;
                Ok(GatewayConfig { gateway, priority: r.i64("priority")? as i32, credentials })
            })
            .collect()
    }
}
