//! The buyer kept in the loop within Meta's rules. A buyer's message (never a claim) opens their
//! 24-hour window, and may say they paid (the seller is told; nothing is marked paid) or cancel
//! (their latest reserved claim). Inside the window the buyer is told once each that a payment
//! was confirmed and that a hold is about to end; outside it the seller gets a notice instead,
//! never a message Meta would refuse.
use crate::domain::buyer::{self, classify, InboundMessage, MessageKind};
use crate::domain::ids::{PageId, UserId};
use crate::domain::intent::Lang;
use crate::domain::money::{Currency, Money};
use crate::domain::outbound::SendError;
use crate::domain::reservation::{Order, PaymentInstructions};
use crate::pipeline::{Deps, Handled, StageError};
use crate::ports::{PortError, QueuedMessage};

/// A buyer's message, from the filter stage.
pub async fn inbound(deps: &Deps, m: &InboundMessage) -> Result<Handled, StageError> {
    let Some(page) = deps.store.page_for_account(m.platform, &m.page_id).await? else {
        return Ok(Handled::Dropped("unknown_page"));
    };
    let page = page.page_id;
    let kind = classify(&m.text);
    let Some(recorded) = deps.store.record_inbound(&page, m, kind).await? else {
        return Ok(Handled::Dropped("duplicate"));
    };
    let now = deps.clock.now();
    let excerpt = crate::domain::text::excerpt(&m.text, 80);
    let Some(who) = recorded.buyer else {
        if kind != MessageKind::Other {
            let note = format!(
                "A message \"{excerpt}\" from {} matched no buyer (they never got a private reply): check it by hand.",
                m.sender_id
            );
            deps.store.add_notice(&page, "message_unmatched", None, &note, now).await?;
        }
        return Ok(Handled::Dropped("message"));
    };
    match kind {
        MessageKind::SaysPaid => {
            let note = format!(
                "Buyer {who} says they paid (\"{excerpt}\"). Nothing was marked paid: check your account, then mark the order paid."
            );
            deps.store.add_notice(&page, "buyer_says_paid", None, &note, now).await?;
        }
        MessageKind::Cancel => match deps.store.cancel_latest(&page, &who, now, deps.settings.ttl_secs()).await? {
            Some(claim) => {
                let item = format!("{}× {}", claim.qty, claim.sku.clone().unwrap_or_default());
                let lang = match claim.order_id {
                    Some(o) => deps.store.order(o).await?.and_then(|o| o.lang),
                    None => None,
                };
                let text = buyer::cancelled_text(lang.unwrap_or(Lang::Es), &item);
                queue(deps, &page, &who, "cancelled", claim.claim_id.to_string(), text).await?;
                let note = format!("Buyer {who} cancelled {item} (claim {}) by message; the units are back on sale.", claim.claim_id);
                deps.store.add_notice(&page, "cancelled_by_message", Some(claim.claim_id), &note, now).await?;
            }
            None => {
                let note = format!("Buyer {who} asked to cancel (\"{excerpt}\") but holds nothing reserved.");
                deps.store.add_notice(&page, "cancel_nothing", None, &note, now).await?;
            }
        },
        MessageKind::Other => {}
    }
    Ok(Handled::Dropped("message"))
}

async fn queue(deps: &Deps, page: &PageId, who: &UserId, kind: &'static str, reference: String, text: String) -> Result<bool, PortError> {
    let m = QueuedMessage { page: page.clone(), buyer: who.clone(), kind, reference, text, now: deps.clock.now() };
    deps.store.queue_buyer_message(&m).await
}

fn total(o: &Order) -> Option<Money> {
    Money::new(o.total_minor, Currency::parse(&o.currency).ok()?).ok()
}

/// A confirmed payment, told once (queued; the sweep sends it inside the window).
pub async fn paid(deps: &Deps, order_id: i64) -> Result<(), PortError> {
    let Some(o) = deps.store.order(order_id).await? else { return Ok(()) };
    let Some(sum) = total(&o) else { return Ok(()) };
    let text = buyer::paid_text(o.lang.unwrap_or(Lang::Es), o.order_id, sum);
    queue(deps, &o.page_id, &o.buyer_id, "paid", o.order_id.to_string(), text).await?;
    Ok(())
}

/// Holds ending within `reminder_before`: one reminder per order and hold.
pub async fn remind(deps: &Deps) -> Result<usize, PortError> {
    let now = deps.clock.now();
    let within = chrono::Duration::from_std(deps.settings.reminder_before).unwrap_or(chrono::Duration::minutes(5));
    let mut queued = 0;
    for (order_id, page, who, until) in deps.store.holds_ending(now, within).await? {
        let Some(o) = deps.store.order(order_id).await? else { continue };
        let link = match &o.payment {
            Some(PaymentInstructions::Link { url, .. }) => Some(url.as_str()),
            _ => None,
        };
        let minutes = (until - now).num_minutes().max(0) + 1;
        let text = buyer::reminder_text(o.lang.unwrap_or(Lang::Es), order_id, minutes, link);
        if queue(deps, &page, &who, "reminder", format!("{order_id}:{}", until.timestamp()), text).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The message for a buyer promoted from the waitlist: their claim, and a link for what their
/// order owes now (made here, like the reply to a claim). None when the claim is no longer held.
async fn promoted(deps: &Deps, page: &PageId, claim_ref: &str) -> Result<Option<String>, StageError> {
    let Some(view) = deps.catalogs.page(deps.store.as_ref(), &deps.caches, page).await? else { return Ok(None) };
    let claim_id: i64 = claim_ref.parse().unwrap_or_default();
    let claims = deps.store.claims(page).await?;
    let Some(c) = claims.iter().find(|c| c.claim_id == claim_id && c.status == crate::domain::reservation::ClaimStatus::Reserved) else {
        return Ok(None);
    };
    let Some(order_id) = c.order_id else { return Ok(None) };
    let Some(due) = super::checkout::order_payment(deps, &view.loaded, order_id).await? else { return Ok(None) };
    let lang = deps.store.order(order_id).await?.and_then(|o| o.lang).unwrap_or(Lang::Es);
    let link = match &due.payment {
        Some(PaymentInstructions::Link { url, .. }) => Some(url.as_str()),
        _ => None,
    };
    let minutes = c.expires_at.map_or(0, |e| (e - deps.clock.now()).num_minutes().max(0) + 1);
    let item = format!("{}× {}", c.qty, c.sku.clone().unwrap_or_default());
    Ok(Some(buyer::promoted_text(lang, &item, due.total, minutes, link)))
}

/// Sends what is queued: inside the buyer's window through the Send API, else a notice for the
/// seller. A Graph outage leaves the message queued for the next sweep.
pub async fn deliver(deps: &Deps) -> Result<usize, PortError> {
    let now = deps.clock.now();
    let mut sent = 0;
    for mut m in deps.store.pending_buyer_messages(100).await? {
        let recipient = m.messaging_id.clone().filter(|_| buyer::window_open(m.last_inbound_at, now));
        let token = deps.store.page_token(&m.page).await?.filter(|(_, valid)| *valid).map(|(t, _)| t);
        if m.kind == "promoted" {
            // The seller's `waitlist_promoted` notice already says to tell a buyer out of reach.
            let text = match (&recipient, &token) {
                (Some(_), Some(_)) => match promoted(deps, &m.page, &m.reference).await {
                    Ok(t) => t,
                    // An outage: the next sweep tries again.
                    Err(StageError::Retry(e)) => return Err(e),
                    Err(e) => {
                        tracing::warn!(buyer = %m.buyer, error = %e, "promotion message not written");
                        None
                    }
                },
                _ => None,
            };
            match text {
                Some(t) => m.text = t,
                None => {
                    deps.store.finish_buyer_message(m.id, "window_closed", now).await?;
                    continue;
                }
            }
        }
        let (Some(recipient), Some(token)) = (recipient, token) else {
            let why = if m.messaging_id.is_none() || m.last_inbound_at.is_none() {
                "they have not written to the page"
            } else {
                "their last message is over 24 hours old"
            };
            let note = format!("Could not message buyer {} ({}): {why}, so Meta would refuse it. Tell them: {}", m.buyer, m.kind, m.text);
            deps.store.add_notice(&m.page, "buyer_window_closed", None, &note, now).await?;
            deps.store.finish_buyer_message(m.id, "window_closed", now).await?;
            continue;
        };
        match deps.messenger.send_message(&m.page, &token, &recipient, &m.text).await {
            Ok(_) => {
                deps.store.finish_buyer_message(m.id, "sent", now).await?;
                sent += 1;
            }
            Err(e @ (SendError::Final { .. } | SendError::TokenInvalid { .. } | SendError::AlreadyReplied)) => {
                let note = format!("Meta refused a message to buyer {} ({}): {e}", m.buyer, m.kind);
                deps.store.add_notice(&m.page, "buyer_message_failed", None, &note, now).await?;
                deps.store.finish_buyer_message(m.id, "failed", now).await?;
            }
            Err(e) => {
                tracing::warn!(buyer = %m.buyer, kind = m.kind, error = %e, "buyer message not sent yet; the next sweep tries again");
                break;
            }
        }
    }
    Ok(sent)
}
