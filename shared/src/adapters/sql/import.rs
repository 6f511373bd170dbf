//! Catalog import as an upsert that never touches a live cart: products and variants by code and
//! SKU; the file's stock number is the units for sale now (reserved included, sold excluded) and
//! is never set below what is reserved; raised stock goes to the waitlist; what left the file is
//! hidden from new claims, not deleted (claims and orders still point at it).
use super::db::args;
use super::stock;
use super::SqlStore;
use crate::domain::catalog::{Catalog, ImportSummary, ShortStock};
use crate::domain::ids::PageId;
use crate::domain::inventory;
use crate::ports::PortError;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub async fn import(
    store: &SqlStore,
    page: &PageId,
    ig: Option<&PageId>,
    catalog: &Catalog,
    now: DateTime<Utc>,
    ttl_secs: i64,
) -> Result<ImportSummary, PortError> {
    let b = store.backend();
    let items = inventory::validate(catalog).map_err(|e| PortError::Rejected { backend: b, message: e.to_string() })?;
    let json = serde_json::to_value(catalog).map_err(|e| super::corrupt(b, e))?;
    let p = page.as_str();
    let mut tx = store.pool.write().await?;
    let version = tx
        .one(
            "INSERT INTO pages (page_id, ig_account_id, seller_name, currency, current_product, transfer_instructions, catalog, \
               catalog_version, created_at, updated_at, buyer_cap, first_paid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, $9, $10) \
             ON CONFLICT (page_id) DO UPDATE SET ig_account_id = COALESCE(excluded.ig_account_id, pages.ig_account_id), \
               seller_name = excluded.seller_name, currency = excluded.currency, current_product = excluded.current_product, \
               transfer_instructions = excluded.transfer_instructions, catalog = excluded.catalog, \
               catalog_version = pages.catalog_version + 1, updated_at = excluded.updated_at, buyer_cap = excluded.buyer_cap, \
               first_paid = excluded.first_paid \
             RETURNING catalog_version",
            args![
                p,
                ig.map(PageId::as_str),
                catalog.seller.as_str(),
                catalog.currency.as_str(),
                &catalog.current_product,
                &catalog.transfer_instructions,
                json,
                now,
                catalog.max_units_per_buyer.map(i64::from),
                catalog.first_paid_first_served
            ],
        )
        .await?
        .i64("catalog_version")?;
    for product in &catalog.products {
        tx.exec(
            "INSERT INTO products (page_id, code, name, category, price_minor, currency, active) VALUES ($1, $2, $3, $4, $5, $6, true) \
             ON CONFLICT (page_id, code) DO UPDATE SET name = excluded.name, category = excluded.category, \
               price_minor = excluded.price_minor, currency = excluded.currency, active = true",
            args![
                p,
                product.code.as_str(),
                product.name.as_str(),
                product.category.as_str(),
                product.price_cents,
                product.currency.as_deref().unwrap_or(&catalog.currency)
            ],
        )
        .await?;
    }
    let mut summary = ImportSummary { version, products: catalog.products.len(), ..ImportSummary::default() };
    let before = tx.all("SELECT code FROM products WHERE page_id = $1 AND active", args![p]).await?;
    for r in before {
        let code = r.str("code")?;
        if !catalog.products.iter().any(|x| x.code == code) {
            tx.exec("UPDATE products SET active = false WHERE page_id = $1 AND code = $2", args![p, code.as_str()]).await?;
            summary.hidden.push(code);
        }
    }
    let held: BTreeMap<String, i64> = tx
        .all("SELECT sku, reserved FROM variants WHERE page_id = $1 FOR UPDATE", args![p])
        .await?
        .iter()
        .map(|r| Ok((r.str("sku")?, r.i64("reserved")?)))
        .collect::<Result<_, PortError>>()?;
    for (position, item) in items.iter().enumerate() {
        let reserved = held.get(&item.sku).copied().unwrap_or(0);
        if item.on_hand < reserved {
            summary.short.push(ShortStock { sku: item.sku.clone(), asked: item.on_hand, reserved });
        }
        // Never below what is reserved, whatever a concurrent claim did since the read above.
        tx.exec(
            "INSERT INTO variants (page_id, sku, code, size, color, position, on_hand, reserved, active) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, true) \
             ON CONFLICT (page_id, sku) DO UPDATE SET code = excluded.code, size = excluded.size, color = excluded.color, \
               position = excluded.position, active = true, \
               on_hand = CASE WHEN excluded.on_hand < variants.reserved THEN variants.reserved ELSE excluded.on_hand END",
            args![p, item.sku.as_str(), item.code.as_str(), &item.size, &item.color, position as i64, item.on_hand],
        )
        .await?;
        summary.units += item.on_hand.max(reserved);
        summary.promoted += stock::promote(&mut tx, p, &item.sku, now, ttl_secs).await?;
    }
    for sku in held.keys().filter(|s| !items.iter().any(|i| &i.sku == *s)) {
        let hid = tx.exec("UPDATE variants SET active = false WHERE page_id = $1 AND sku = $2 AND active", args![p, sku.as_str()]).await?;
        if hid == 1 && !summary.hidden.contains(sku) {
            summary.hidden.push(sku.clone());
        }
    }
    for s in &summary.short {
        let msg = format!(
            "Import: {} set to {} units, but {} are reserved; kept at {} and nothing new is offered until reservations end.",
            s.sku, s.asked, s.reserved, s.reserved
        );
        stock::notice(&mut tx, p, "stock_below_reserved", None, &msg, now).await?;
    }
    tx.commit().await?;
    Ok(summary)
}
