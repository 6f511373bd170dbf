//! The public payment routes the `api` function serves: the gateways' notifications
//! (`POST /payments/{gateway}/{page_id}`) and the page buyers return to from a checkout
//! (`/pay/return/{order_id}`). No Bearer token: each notification is verified the provider's way.
use crate::adapters::payments::flow::form_token;
use crate::domain::ids::PageId;
use crate::domain::payment::Gateway;
use crate::domain::return_page;
use crate::domain::settlement::Settlement;
use crate::http::AppState;
use crate::ports::Notification;
use crate::stages::notify::{self, NotifyError, Received};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

/// Notifications are small: Mercado Pago's and Flow's a few hundred bytes, PayPal's events a few KB.
const NOTIFICATION_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payments/{gateway}/{page_id}", post(notification))
        .route("/pay/return/{order_id}", get(buyer_return).post(buyer_return))
        .layer(DefaultBodyLimit::max(NOTIFICATION_BYTES))
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn notification_of(query: Option<String>, headers: &HeaderMap, body: Bytes) -> Notification {
    let query = query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let headers = headers.iter().filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string()))).collect();
    Notification { query, headers, body: body.to_vec() }
}

async fn notification(
    State(state): State<AppState>,
    Path((gateway, page)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let excerpt = |s: &str| crate::domain::text::excerpt(s, 40);
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "error": format!("the body exceeds the {NOTIFICATION_BYTES}-byte limit") }),
            )
        }
        Err(e) => return answer(StatusCode::BAD_REQUEST, json!({ "error": excerpt(&e.body_text()) })),
    };
    let Some(gateway) = Gateway::parse(&gateway) else {
        return answer(StatusCode::NOT_FOUND, json!({ "error": format!("no gateway {:?}", excerpt(&gateway)) }));
    };
    let Ok(page) = PageId::parse(&page) else {
        return answer(StatusCode::NOT_FOUND, json!({ "error": format!("no page {:?}", excerpt(&page)) }));
    };
    let n = notification_of(query, &headers, body);
    match notify::receive(&state.deps, gateway, &page, &n).await {
        Ok(Received::Settled(s)) => {
            let order_id = match &s {
                Settlement::Paid { order_id, .. }
                | Settlement::Flagged { order_id }
                | Settlement::RefundNeeded { order_id, .. }
                | Settlement::NotPaid { order_id, .. } => Some(*order_id),
                Settlement::Repeat { order_id } => *order_id,
                Settlement::Unmatched => None,
            };
            answer(StatusCode::OK, json!({ "settled": s, "order_id": order_id }))
        }
        Ok(Received::Ignored(why)) => answer(StatusCode::OK, json!({ "ignored": why })),
        Err(e @ NotifyError::Unknown(_)) => answer(StatusCode::NOT_FOUND, json!({ "error": excerpt(&e.to_string()) })),
        Err(e @ NotifyError::Forged(_)) => {
            tracing::warn!(gateway = gateway.as_str(), page = %page, error = %e, "payment notification refused");
            answer(StatusCode::UNAUTHORIZED, json!({ "error": "the notification could not be verified" }))
        }
        Err(e @ NotifyError::Malformed(_)) => {
            answer(StatusCode::BAD_REQUEST, json!({ "error": crate::domain::text::excerpt(&e.to_string(), 120) }))
        }
        Err(e @ NotifyError::Rejected(_)) => {
            tracing::warn!(gateway = gateway.as_str(), page = %page, error = %e, "the provider does not know the notified payment");
            answer(StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": "the provider does not know that payment" }))
        }
        Err(e @ NotifyError::Unavailable(_)) => {
            tracing::error!(gateway = gateway.as_str(), page = %page, error = %e, "payment notification not settled; the provider will deliver it again");
            answer(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "temporarily unavailable, try again" }))
        }
    }
}

/// The buyer back from a checkout. Flow POSTs the payment's `token` here: its status is read
/// and settled on the spot (the same path as Flow's confirmation), so the page is already right.
async fn buyer_return(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    // A body too big or unreadable carries no token worth reading: the page shows what is known.
    let body = body.unwrap_or_default();
    let deps = &state.deps;
    let order = match crate::domain::ids::numeric_id(&order_id) {
        Some(id) => match deps.store.order(id).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e, "return page: store unavailable");
                return (StatusCode::SERVICE_UNAVAILABLE, Html(return_page::render(None, None, deps.clock.now()))).into_response();
            }
        },
        None => None,
    };
    let order = match order {
        Some(o) if form_token(&body).is_some() => {
            let n = Notification { body: body.to_vec(), ..Notification::default() };
            if let Err(e) = notify::receive(deps, Gateway::Flow, &o.page_id, &n).await {
                tracing::warn!(order_id = o.order_id, error = %e, "return page: Flow status not read; showing what is known");
            }
            deps.store.order(o.order_id).await.ok().flatten().or(Some(o))
        }
        other => other,
    };
    let status = if order.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let page = return_page::render(order.as_ref(), None, deps.clock.now());
    (status, [(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}
