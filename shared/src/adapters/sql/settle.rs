//! Links and payments: `PaymentLedger`, written once for both databases. A link records the
//! claims its amount was computed from; a payment on it sells exactly those claims, whatever
//! link came after; a payment is settled once however often, and in whatever order, its
//! provider tells us.
use super::db::{args, Tx};
use super::stock;
use super::SqlStore;
use crate::domain::money::Currency;
use crate::domain::payment::Gateway;
use crate::domain::reservation::PaymentInstructions;
use crate::domain::settlement::{NewLink, PaymentState, ProviderPayment, Settlement, SupersededLink};
use crate::ports::{PaymentLedger, PortError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Outcomes after which a payment is never settled again.
const FINAL: &[&str] = &["paid", "flagged", "refund_needed"];

/// Writes the payment's row (one per provider payment id) with what settling it did.
async fn upsert(
    tx: &mut Tx,
    p: &ProviderPayment,
    link: Option<i64>,
    outcome: &str,
    refund: i64,
    now: DateTime<Utc>,
) -> Result<(), PortError> {
    tx.exec(
        "INSERT INTO payments (page_id, gateway, payment_ref, external_ref, link_id, state, amount_minor, currency, outcome, \
           refund_minor, received_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (gateway, payment_ref) DO UPDATE SET link_id = excluded.link_id, state = excluded.state, \
           amount_minor = excluded.amount_minor, currency = excluded.currency, outcome = excluded.outcome, \
           refund_minor = excluded.refund_minor, updated_at = excluded.updated_at",
        args![
            p.page.as_str(),
            p.gateway.as_str(),
            &p.payment_ref,
            &p.external_ref,
            link,
            p.state.as_str(),
            p.amount_minor.unwrap_or(0),
            &p.currency,
            outcome,
            refund,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Records an unmatched payment if it is new (true), so concurrent deliveries tell the seller once.
async fn unmatched_first(tx: &mut Tx, p: &ProviderPayment, now: DateTime<Utc>) -> Result<bool, PortError> {
    let row = tx
        .opt(
            "INSERT INTO payments (page_id, gateway, payment_ref, external_ref, state, amount_minor, currency, outcome, received_at, \
               updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'unmatched', $8, $8) ON CONFLICT (gateway, payment_ref) DO NOTHING RETURNING id",
            args![
                p.page.as_str(),
                p.gateway.as_str(),
                &p.payment_ref,
                &p.external_ref,
                p.state.as_str(),
                p.amount_minor.unwrap_or(0),
                &p.currency,
                now
            ],
        )
        .await?;
    Ok(row.is_some())
}

fn money(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => crate::domain::money::Money::new(minor, c).map(|m| m.display(true)).unwrap_or_else(|_| format!("{minor} {currency}")),
        Err(_) => format!("{minor} {currency}"),
    }
}

/// The link's claims sold for the payment: reserved ones directly, expired or cancelled ones if
/// their units can be taken again. Returns (sold, re-reserved, refund owed in minor units).
async fn sell_link_claims(tx: &mut Tx, link: i64, now: DateTime<Utc>) -> Result<(usize, usize, i64), PortError> {
    let claims = tx
        .all(
            "SELECT c.id, c.status, c.page_id, c.sku, c.qty, c.unit_price_minor, c.holds_stock FROM claims c \
             JOIN payment_link_claims lc ON lc.claim_id = c.id WHERE lc.link_id = $1 ORDER BY c.id FOR UPDATE",
            args![link],
        )
        .await?;
    let (mut sold, mut again, mut refund) = (0, 0, 0);
    for c in claims {
        let (id, status, page, sku, qty) = (c.i64("id")?, c.str("status")?, c.str("page_id")?, c.opt_str("sku")?, c.i64("qty")?);
        // Some(holds units): to be sold; a first-paid claim (holding none) takes them as it sells.
        let back = match status.as_str() {
            "reserved" => Some(c.bool("holds_stock")?),
            // The hold ran out (or the buyer cancelled) before the money came: take the units
            // again if nobody else has them.
            "expired" | "cancelled" => match &sku {
                Some(s) if stock::take(tx, &page, s, qty).await? => {
                    again += 1;
                    Some(true)
                }
                _ => None,
            },
            // Already sold (paid through another link) or never held: this money buys nothing.
            _ => None,
        };
        let sold_now = match back {
            Some(holds) => stock::sell(tx, id, &page, sku.as_deref(), qty, holds, now).await?,
            None => false,
        };
        if sold_now {
            sold += 1;
        } else {
            refund += c.opt_i64("unit_price_minor")?.unwrap_or(0) * qty;
        }
    }
    Ok((sold, again, refund))
}

#[async_trait]
impl PaymentLedger for SqlStore {
    async fn record_link(&self, link: &NewLink) -> Result<Vec<SupersededLink>, PortError> {
        let mut tx = self.pool.write().await?;
        let inserted = tx
            .opt(
                "INSERT INTO payment_links (order_id, page_id, gateway, external_ref, provider_ref, url, amount_minor, currency, \
                   status, expires_at, created_at, shipping_minor) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11) \
                 ON CONFLICT (gateway, external_ref) DO NOTHING RETURNING id",
                args![
                    link.order_id,
                    link.page.as_str(),
                    link.gateway.as_str(),
                    &link.external_ref,
                    &link.provider_ref,
                    &link.url,
                    link.amount.minor(),
                    link.amount.currency().code(),
                    link.expires_at,
                    link.now,
                    link.shipping_minor
                ],
            )
            .await?;
        let Some(id) = inserted.map(|r| r.i64("id")).transpose()? else {
            // A retry of the same link (same order, total and hold): recorded already.
            tx.commit().await?;
            return Ok(Vec::new());
        };
        for claim in &link.claim_ids {
            tx.exec("INSERT INTO payment_link_claims (link_id, claim_id) VALUES ($1, $2)", args![id, *claim]).await?;
        }
        let older = tx
            .all(
                "SELECT id, gateway, provider_ref FROM payment_links WHERE order_id = $1 AND status = 'active' AND id <> $2 FOR UPDATE",
                args![link.order_id, id],
            )
            .await?;
        let mut superseded = Vec::with_capacity(older.len());
        for r in older {
            tx.exec("UPDATE payment_links SET status = 'superseded' WHERE id = $1", args![r.i64("id")?]).await?;
            if let Some(gateway) = Gateway::parse(&r.str("gateway")?) {
                superseded.push(SupersededLink { gateway, provider_ref: r.str("provider_ref")? });
            }
        }
        let instructions = PaymentInstructions::Link {
            provider: link.gateway.as_str().into(),
            url: link.url.clone(),
            reference: link.provider_ref.clone(),
            amount_minor: link.amount.minor(),
        };
        let json = serde_json::to_value(&instructions).map_err(|e| super::corrupt(self.backend(), e))?;
        tx.exec("UPDATE orders SET payment = $2 WHERE id = $1", args![link.order_id, json]).await?;
        tx.commit().await?;
        Ok(superseded)
    }

    async fn settle(&self, p: &ProviderPayment, now: DateTime<Utc>) -> Result<Settlement, PortError> {
        let mut tx = self.pool.write().await?;
        let (page, gw) = (p.page.as_str(), p.gateway.as_str());
        // The link's row lock first: concurrent deliveries of one payment queue here, and each
        // then reads the payment row as the one before it left it.
        let link = tx
            .opt(
                "SELECT id, order_id, amount_minor, currency, status FROM payment_links \
                 WHERE gateway = $1 AND external_ref = $2 AND page_id = $3 FOR UPDATE",
                args![gw, &p.external_ref, page],
            )
            .await?;
        let prior = tx
            .opt(
                "SELECT outcome, state, link_id FROM payments WHERE gateway = $1 AND payment_ref = $2 FOR UPDATE",
                args![gw, &p.payment_ref],
            )
            .await?;
        let order_id = link.as_ref().map(|l| l.i64("order_id")).transpose()?;
        if let Some(prior) = &prior {
            if FINAL.contains(&prior.str("outcome")?.as_str()) {
                // Settled before. A refund or chargeback afterwards is news for the seller, once.
                if p.state == PaymentState::Refunded && prior.str("state")? != "refunded" {
                    tx.exec(
                        "UPDATE payments SET state = 'refunded', updated_at = $3 WHERE gateway = $1 AND payment_ref = $2",
                        args![gw, &p.payment_ref, now],
                    )
                    .await?;
                    let msg = format!("Payment {} ({gw}) was refunded or charged back after the sale; the units stay sold.", p.payment_ref);
                    stock::notice(&mut tx, page, "payment_refunded", None, &msg, now).await?;
                }
                tx.commit().await?;
                return Ok(Settlement::Repeat { order_id });
            }
        }
        let Some(link) = link else {
            let first = prior.is_none() && unmatched_first(&mut tx, p, now).await?;
            upsert(&mut tx, p, None, "unmatched", 0, now).await?;
            if first {
                let msg = format!(
                    "A {gw} payment {} ({}) names {}, which is no link of this page yet; kept until the provider tells us again.",
                    p.payment_ref,
                    p.state.as_str(),
                    p.external_ref
                );
                stock::notice(&mut tx, page, "payment_unmatched", None, &msg, now).await?;
            }
            tx.commit().await?;
            return Ok(Settlement::Unmatched);
        };
        let (link_id, order_id) = (link.i64("id")?, link.i64("order_id")?);
        if p.state != PaymentState::Approved {
            upsert(&mut tx, p, Some(link_id), "not_paid", 0, now).await?;
            tx.exec("UPDATE orders SET payment_state = $2 WHERE id = $1 AND status = 'open'", args![order_id, p.state.as_str()]).await?;
            tx.commit().await?;
            return Ok(Settlement::NotPaid { order_id, state: p.state });
        }
        let (expected, currency) = (link.i64("amount_minor")?, link.str("currency")?);
        if p.amount_minor != Some(expected) || !p.currency.eq_ignore_ascii_case(&currency) {
            upsert(&mut tx, p, Some(link_id), "flagged", 0, now).await?;
            tx.exec("UPDATE orders SET payment_state = 'flagged' WHERE id = $1", args![order_id]).await?;
            let paid = p.amount_minor.map(|m| money(m, &p.currency)).unwrap_or_else(|| format!("an unreadable amount in {}", p.currency));
            let msg = format!(
                "Order {order_id}: {gw} payment {} is {paid}, but its link charges {}. Nothing was marked paid: check it with the buyer.",
                p.payment_ref,
                money(expected, &currency)
            );
            stock::notice(&mut tx, page, "payment_flagged", None, &msg, now).await?;
            tx.commit().await?;
            return Ok(Settlement::Flagged { order_id });
        }
        let (sold, again, refund) = sell_link_claims(&mut tx, link_id, now).await?;
        // Nothing to give for the money: all of it goes back, shipping included.
        let refund = if sold == 0 { expected } else { refund };
        if let Some(address) = p.delivery_address.as_deref().filter(|_| sold > 0) {
            tx.exec("UPDATE orders SET delivery_address = $2 WHERE id = $1", args![order_id, address]).await?;
        }
        tx.exec("UPDATE payment_links SET status = 'paid' WHERE id = $1", args![link_id]).await?;
        let still_held =
            tx.opt("SELECT 1 AS one FROM claims WHERE order_id = $1 AND status = 'reserved'", args![order_id]).await?.is_some();
        let outcome = if sold == 0 { "refund_needed" } else { "paid" };
        upsert(&mut tx, p, Some(link_id), outcome, refund, now).await?;
        if sold > 0 && !still_held {
            tx.exec("UPDATE orders SET status = 'paid', paid_at = $2, payment_state = 'approved' WHERE id = $1", args![order_id, now])
                .await?;
        } else {
            let state = if sold > 0 { "partly_paid" } else { "refund_needed" };
            tx.exec("UPDATE orders SET payment_state = $2 WHERE id = $1", args![order_id, state]).await?;
        }
        if sold > 0 {
            let msg = format!("Order {order_id} paid through {gw} (payment {}): {}.", p.payment_ref, money(expected, &currency));
            stock::notice(&mut tx, page, "paid", None, &msg, now).await?;
        }
        if refund > 0 {
            let msg = format!(
                "Order {order_id}: {gw} payment {} covers units that are no longer the buyer's (sold out or already paid): refund {}.",
                p.payment_ref,
                money(refund, &currency)
            );
            stock::notice(&mut tx, page, "refund_needed", None, &msg, now).await?;
        }
        tx.commit().await?;
        Ok(if sold == 0 {
            Settlement::RefundNeeded { order_id, refund_minor: refund }
        } else {
            Settlement::Paid { order_id, re_reserved: again, refund_minor: refund }
        })
    }
}
