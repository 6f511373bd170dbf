//! Catalogs and their prepared classifier index, kept per page and reloaded when the catalog
//! version changes (a re-import bumps it).
use crate::domain::catalog::Catalog;
use crate::domain::ids::PageId;
use crate::domain::intent::CatalogIndex;
use crate::ports::{PortError, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct LoadedCatalog {
    pub version: i64,
    pub catalog: Catalog,
    pub index: CatalogIndex,
}

#[derive(Default)]
pub struct CatalogCache {
    pages: Mutex<HashMap<PageId, Arc<LoadedCatalog>>>,
}

impl CatalogCache {
    /// The page's catalog at `version` (from the page row read just before), loading it on a miss.
    pub async fn get(&self, store: &dyn Store, page: &PageId, version: i64) -> Result<Option<Arc<LoadedCatalog>>, PortError> {
        if let Some(hit) = self.lock().get(page).filter(|c| c.version == version) {
            return Ok(Some(hit.clone()));
        }
        let Some((version, catalog)) = store.catalog(page).await? else { return Ok(None) };
        let loaded = Arc::new(LoadedCatalog { version, index: CatalogIndex::new(&catalog), catalog });
        self.lock().insert(page.clone(), loaded.clone());
        Ok(Some(loaded))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PageId, Arc<LoadedCatalog>>> {
        // A panic while holding this lock can only leave a stale map behind, which is still valid.
        self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
