//! Pages, their tokens (sealed at rest) and the seller's notices: `SellerStore`, once for both
//! databases.
use super::db::args;
use super::rows;
use super::stock;
use super::SqlStore;
use crate::domain::catalog::{Catalog, ImportSummary};
use crate::domain::ids::{PageId, Platform};
use crate::domain::page::PageConfig;
use crate::domain::reservation::SellerNotice;
use crate::domain::secret::SecretString;
use crate::ports::{PortError, SellerStore};
use crate::secrets::{SecretBox, SecretsError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

fn token_context(page: &str) -> String {
    format!("page_token:{page}")
}

impl SqlStore {
    pub(super) fn sealer_for(&self, purpose: &'static str) -> Result<&Arc<SecretBox>, PortError> {
        self.sealer
            .as_ref()
            .ok_or_else(|| PortError::Rejected { backend: self.backend(), message: SecretsError::NoKey(purpose).to_string() })
    }

    /// Seals page tokens stored in plain text before tokens were encrypted (run by `migrate`).
    pub(super) async fn seal_plain_tokens(&self) -> Result<usize, PortError> {
        let mut tx = self.pool.write().await?;
        let stored = tx.all("SELECT page_id, token FROM page_tokens", &[]).await?;
        let mut sealed = 0;
        for r in stored {
            let (page, token) = (r.str("page_id")?, r.str("token")?);
            if SecretBox::is_sealed(&token) {
                continue;
            }
            let sealer = self.sealer_for("seal the page tokens stored in plain text")?;
            tx.exec(
                "UPDATE page_tokens SET token = $2 WHERE page_id = $1",
                args![page.as_str(), sealer.seal(&token_context(&page), &token)],
            )
            .await?;
            sealed += 1;
        }
        tx.commit().await?;
        if sealed > 0 {
            tracing::info!(sealed, "page tokens stored in plain text are sealed now");
        }
        Ok(sealed)
    }
}

#[async_trait]
impl SellerStore for SqlStore {
    async fn import_catalog(
        &self,
        page: &PageId,
        ig: Option<&PageId>,
        catalog: &Catalog,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> Result<ImportSummary, PortError> {
        super::import::import(self, page, ig, catalog, now, ttl_secs).await
    }

    async fn page_for_account(&self, platform: Platform, account: &PageId) -> Result<Option<PageConfig>, PortError> {
        let col = match platform {
            Platform::Facebook => "page_id",
            Platform::Instagram => "ig_account_id",
        };
        let mut conn = self.pool.read().await?;
        let b = conn.backend();
        let sql = format!("SELECT page_id, ig_account_id, seller_name, current_product, catalog_version FROM pages WHERE {col} = $1");
        conn.opt(&sql, args![account.as_str()]).await?.map(|r| rows::page(&r, b)).transpose()
    }

    async fn page(&self, page: &PageId) -> Result<Option<PageConfig>, PortError> {
        self.page_for_account(Platform::Facebook, page).await
    }

    async fn catalog(&self, page: &PageId) -> Result<Option<(i64, Catalog)>, PortError> {
        let row = self
            .pool
            .read()
            .await?
            .opt("SELECT catalog_version, catalog, current_product FROM pages WHERE page_id = $1", args![page.as_str()])
            .await?;
        let Some(r) = row else { return Ok(None) };
        let mut catalog: Catalog = r.opt_json("catalog")?.ok_or_else(|| super::corrupt(self.backend(), "page without a catalog"))?;
        catalog.current_product = r.opt_str("current_product")?;
        Ok(Some((r.i64("catalog_version")?, catalog)))
    }

    async fn set_current_product(&self, page: &PageId, code: Option<&str>) -> Result<bool, PortError> {
        let n = self
            .pool
            .read()
            .await?
            .exec("UPDATE pages SET current_product = $2, updated_at = $3 WHERE page_id = $1", args![page.as_str(), code, Utc::now()])
            .await?;
        Ok(n == 1)
    }

    async fn set_page_token(&self, page: &PageId, token: &SecretString) -> Result<bool, PortError> {
        let sealed = self.sealer_for("store a page token")?.seal(&token_context(page.as_str()), token.expose());
        let mut tx = self.pool.write().await?;
        if tx.opt("SELECT page_id FROM pages WHERE page_id = $1", args![page.as_str()]).await?.is_none() {
            return Ok(false);
        }
        tx.exec(
            "INSERT INTO page_tokens (page_id, token, valid, updated_at) VALUES ($1, $2, true, $3) \
             ON CONFLICT (page_id) DO UPDATE SET token = excluded.token, valid = true, updated_at = excluded.updated_at",
            args![page.as_str(), sealed, Utc::now()],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn page_token(&self, page: &PageId) -> Result<Option<(SecretString, bool)>, PortError> {
        let row = self.pool.read().await?.opt("SELECT token, valid FROM page_tokens WHERE page_id = $1", args![page.as_str()]).await?;
        let Some(r) = row else { return Ok(None) };
        let stored = r.str("token")?;
        let sealer = self.sealer_for("read a page token")?;
        let token = if SecretBox::is_sealed(&stored) {
            sealer
                .open(&token_context(page.as_str()), &stored)
                .map_err(|e| PortError::Rejected { backend: self.backend(), message: e.to_string() })?
        } else {
            // Stored before tokens were sealed; `livesell migrate` seals it.
            SecretString::new(stored)
        };
        Ok(Some((token, r.bool("valid")?)))
    }

    async fn invalidate_page_token(&self, page: &PageId) -> Result<(), PortError> {
        self.pool
            .read()
            .await?
            .exec("UPDATE page_tokens SET valid = false, updated_at = $2 WHERE page_id = $1", args![page.as_str(), Utc::now()])
            .await?;
        Ok(())
    }

    async fn add_notice(
        &self,
        page: &PageId,
        kind: &str,
        claim_id: Option<i64>,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        stock::notice(&mut self.pool.read().await?, page.as_str(), kind, claim_id, message, now).await
    }

    async fn notices(&self, page: &PageId) -> Result<Vec<SellerNotice>, PortError> {
        let found = self
            .pool
            .read()
            .await?
            .all("SELECT id, kind, claim_id, message, created_at FROM seller_notices WHERE page_id = $1 ORDER BY id", args![page.as_str()])
            .await?;
        found.iter().map(rows::notice).collect()
    }
}
