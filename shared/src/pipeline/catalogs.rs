//! A page's catalog and the product on screen, cache-aside: the cache first (15 minutes during a
//! live, invalidated when the catalog or the current product changes), the store on a miss. The
//! parsed classifier index is kept in process per catalog version.
use super::caches::{Caches, CATALOG_TTL};
use crate::domain::catalog::Catalog;
use crate::domain::ids::PageId;
use crate::domain::intent::CatalogIndex;
use crate::ports::{PortError, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct LoadedCatalog {
    pub version: i64,
    pub catalog: Catalog,
    pub index: CatalogIndex,
}

/// What a stage needs of a page.
pub struct PageView {
    pub version: i64,
    pub current_product: Option<String>,
    pub loaded: Arc<LoadedCatalog>,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    version: i64,
    current_product: Option<String>,
    catalog: Catalog,
}

#[derive(Default)]
pub struct CatalogCache {
    pages: Mutex<HashMap<PageId, Arc<LoadedCatalog>>>,
}

impl CatalogCache {
    pub async fn page(&self, store: &dyn Store, caches: &Caches, page: &PageId) -> Result<Option<PageView>, PortError> {
        let cached = match caches.get::<Cached>("catalog", page.as_str()).await {
            Some(c) => c,
            None => {
                let Some(cfg) = store.page(page).await? else { return Ok(None) };
                let Some((version, catalog)) = store.catalog(page).await? else { return Ok(None) };
                let c = Cached { version, current_product: cfg.current_product, catalog };
                caches.put("catalog", page.as_str(), &c, CATALOG_TTL).await;
                c
            }
        };
        let known = self.lock().get(page).filter(|l| l.version == cached.version).cloned();
        let loaded = match known {
            Some(l) => l,
            None => {
                let l =
                    Arc::new(LoadedCatalog { version: cached.version, index: CatalogIndex::new(&cached.catalog), catalog: cached.catalog });
                self.lock().insert(page.clone(), l.clone());
                l
            }
        };
        Ok(Some(PageView { version: cached.version, current_product: cached.current_product, loaded }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PageId, Arc<LoadedCatalog>>> {
        // A panic while holding this lock can only leave a stale map behind, which is still valid.
        self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
