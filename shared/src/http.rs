//! The HTTP surface, one axum router for every host: the Meta webhook, `/health`, and the seller
//! API behind a Bearer token.
use crate::config::ServeSecrets;
use crate::domain::ids::PageId;
use crate::domain::inventory::find_product;
use crate::domain::page::SellerSession;
use crate::domain::reservation::PaidOutcome;
use crate::pipeline::{Deps, Stage};
use crate::ports::PortError;
use crate::stages::health;
use crate::stages::ingest::{self, HandshakeError, IngestError, MAX_BODY_BYTES};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use subtle::ConstantTimeEq;

#[derive(Clone)]
pub struct AppState {
    pub deps: Arc<Deps>,
    pub secrets: Arc<ServeSecrets>,
}

/// Errors at the edge: a JSON body `{"error": …}` with the right status. Internal details are
/// logged once here and not shown.
#[derive(Debug)]
pub enum AppError {
    BadRequest(String),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    TooLarge(String),
    Conflict(String),
    Unprocessable(String),
    Unavailable(String),
}

/// At most this much of a caller's input is ever echoed back in an error.
const ECHO_CHARS: usize = 40;

/// A short excerpt of caller input, safe to put in an error message.
fn excerpt(input: &str) -> String {
    crate::domain::text::excerpt(input, ECHO_CHARS)
}

fn strict_id(raw: &str, what: &str) -> Result<i64, AppError> {
    crate::domain::ids::numeric_id(raw).ok_or_else(|| AppError::BadRequest(format!("{what} {:?} is not a number", excerpt(raw))))
}

/// A JSON body's rejection: 413 past the limit, else 400 without echoing the input.
fn body_error(e: axum::extract::rejection::JsonRejection) -> AppError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(format!("the body exceeds the {API_BODY_BYTES}-byte limit")),
        _ => AppError::BadRequest(format!("the body is not the expected JSON: {}", excerpt(&e.body_text()))),
    }
}

/// Seller API bodies are small JSON documents.
pub const API_BODY_BYTES: usize = 64 * 1024;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, msg) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            AppError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m),
            AppError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            AppError::Unavailable(m) => {
                tracing::error!(error = %m, "request failed");
                (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable, try again".to_string())
            }
        };
        (status, Json(json!({ "error": msg }))).into_response()
    }
}

impl From<PortError> for AppError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::NotFound(m) => AppError::NotFound(m),
            other => AppError::Unavailable(other.to_string()),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/pages/{page_id}/claims", get(claims))
        .route("/v1/pages/{page_id}/orders", get(orders))
        .route("/v1/pages/{page_id}/stock", get(stock))
        .route("/v1/pages/{page_id}/replies", get(replies))
        .route("/v1/pages/{page_id}/notices", get(notices))
        .route("/v1/pages/{page_id}/current-product", put(current_product))
        .route("/v1/orders/{order_id}/paid", post(order_paid))
        .route("/v1/dead-letters", get(dead_letters))
        .route("/v1/sessions", post(create_session))
        .route("/v1/sessions/{session_id}", axum::routing::delete(end_session))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .layer(DefaultBodyLimit::max(API_BODY_BYTES));
    Router::new()
        .route("/webhooks/meta", get(handshake).post(webhook).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)))
        .route("/health", get(health_check))
        .merge(crate::http_payments::routes())
        .merge(api)
        .with_state(state)
}

/// Who is calling: the operator's API token (every page), or a seller's session (one page).
#[derive(Debug, Clone)]
enum Scope {
    All,
    Page(PageId),
}

impl Scope {
    fn allows(&self, page: &PageId) -> bool {
        match self {
            Scope::All => true,
            Scope::Page(p) => p == page,
        }
    }
}

/// How long a seller session lasts.
const SESSION_TTL: chrono::Duration = chrono::Duration::hours(12);

async fn cache_session(deps: &Deps, s: &SellerSession) {
    let left = (s.expires_at - deps.clock.now()).to_std().unwrap_or_default();
    let kept = SellerSession { session_id: String::new(), ..s.clone() };
    deps.caches.put("session", &SellerSession::hash_id(&s.session_id), &kept, left).await;
}

/// A session, write-through: the cache first, the store on a miss (then cached again).
async fn session(state: &AppState, id: &str) -> Result<Option<SellerSession>, PortError> {
    let deps = &state.deps;
    let found = match deps.caches.get::<SellerSession>("session", &SellerSession::hash_id(id)).await {
        Some(s) => Some(SellerSession { session_id: id.to_string(), ..s }),
        None => {
            let s = deps.store.session(id).await?;
            if let Some(s) = &s {
                cache_session(deps, s).await;
            }
            s
        }
    };
    Ok(found.filter(|s| s.expires_at > deps.clock.now()))
}

/// The token of an `Authorization: Bearer …` header (the scheme in any case, RFC 7235).
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()).filter(|t| !t.is_empty())
}

async fn require_token(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let given = bearer(req.headers());
    let scope = match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(state.secrets.api_token.expose().as_bytes())) => Some(Scope::All),
        // Session ids are 32 hex characters; anything else is not looked up.
        Some(g) if g.len() == 32 && g.chars().all(|c| c.is_ascii_hexdigit()) => match session(&state, &g).await {
            Ok(s) => s.map(|s| Scope::Page(s.page_id)),
            Err(e) => return AppError::from(e).into_response(),
        },
        _ => None,
    };
    let Some(scope) = scope else {
        return AppError::Unauthorized("missing or wrong Authorization: Bearer token".into()).into_response();
    };
    req.extensions_mut().insert(scope);
    next.run(req).await
}

#[derive(Deserialize)]
struct NewSession {
    page_id: String,
}

/// Opens a seller session for one page (operator token only), written through to the cache.
async fn create_session(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    body: Result<Json<NewSession>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    if !matches!(scope, Scope::All) {
        return Err(AppError::Forbidden("sessions are opened with the operator token".into()));
    }
    let Json(body) = body.map_err(body_error)?;
    let page = known_page(&state, &scope, body.page_id).await?;
    let s =
        SellerSession { session_id: crate::domain::ids::random_token(), page_id: page, expires_at: state.deps.clock.now() + SESSION_TTL };
    state.deps.store.create_session(&s).await?;
    cache_session(&state.deps, &s).await;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

async fn end_session(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(s) = state.deps.store.session(&id).await? else { return Err(AppError::NotFound(format!("session {}", excerpt(&id)))) };
    if !scope.allows(&s.page_id) {
        return Err(AppError::Forbidden("not your session".into()));
    }
    state.deps.store.delete_session(&id).await?;
    state.deps.caches.invalidate("session", &SellerSession::hash_id(&id)).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn handshake(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str);
    match ingest::handshake(&state.secrets.verify_token, get("hub.mode"), get("hub.verify_token"), get("hub.challenge")) {
        Ok(challenge) => (StatusCode::OK, challenge).into_response(),
        Err(e @ HandshakeError::BadRequest) => AppError::BadRequest(e.to_string()).into_response(),
        Err(e @ HandshakeError::Forbidden) => AppError::Forbidden(e.to_string()).into_response(),
    }
}

async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, AppError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(format!("body exceeds the {MAX_BODY_BYTES}-byte limit")),
        _ => AppError::BadRequest(e.body_text()),
    })?;
    let sig = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    let deps = &state.deps;
    match ingest::receive(deps.stream.as_ref(), &deps.settings.streams, &state.secrets.app_secret, sig, &body).await {
        Ok(accepted) => {
            tracing::info!(queued = accepted.queued, ignored = accepted.ignored, "webhook accepted");
            if accepted.queued > 0 {
                // Serverless: wake the filter function; not awaited, the answer to Meta goes first.
                let deps = state.deps.clone();
                tokio::spawn(async move { deps.kicker.kick(Stage::Filter.input()).await });
            }
            Ok((StatusCode::OK, Json(accepted)).into_response())
        }
        Err(IngestError::Unauthorized(e)) => {
            tracing::warn!(error = %e, bytes = body.len(), "webhook refused");
            Err(AppError::Unauthorized(e.to_string()))
        }
        Err(IngestError::Malformed(e)) => Err(AppError::BadRequest(e.to_string())),
        Err(e @ IngestError::TooLarge(_)) => Err(AppError::TooLarge(e.to_string())),
        Err(IngestError::Unavailable(e)) => Err(AppError::Unavailable(e.to_string())),
    }
}

async fn health_check(State(state): State<AppState>) -> Response {
    let report = health::check(&state.deps).await;
    let status = if report.ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(report)).into_response()
}

async fn known_page(state: &AppState, scope: &Scope, raw: String) -> Result<PageId, AppError> {
    let page = PageId::parse(raw).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if !scope.allows(&page) {
        return Err(AppError::Forbidden(format!("this session is for another page than {page}")));
    }
    match state.deps.store.page(&page).await? {
        Some(_) => Ok(page),
        None => Err(AppError::NotFound(format!("page {page} has no catalog"))),
    }
}

async fn claims(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(page): Path<String>,
) -> Result<Response, AppError> {
    let page = known_page(&state, &scope, page).await?;
    Ok(Json(state.deps.store.claims(&page).await?).into_response())
}

async fn orders(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(page): Path<String>,
) -> Result<Response, AppError> {
    let page = known_page(&state, &scope, page).await?;
    Ok(Json(state.deps.store.orders(&page).await?).into_response())
}

async fn stock(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(page): Path<String>,
) -> Result<Response, AppError> {
    let page = known_page(&state, &scope, page).await?;
    Ok(Json(state.deps.store.stock(&page).await?).into_response())
}

async fn replies(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(page): Path<String>,
) -> Result<Response, AppError> {
    let page = known_page(&state, &scope, page).await?;
    Ok(Json(state.deps.store.replies(&page).await?).into_response())
}

async fn notices(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(page): Path<String>,
) -> Result<Response, AppError> {
    let page = known_page(&state, &scope, page).await?;
    Ok(Json(state.deps.store.notices(&page).await?).into_response())
}

#[derive(Deserialize)]
struct CurrentProduct {
    code: Option<String>,
}

async fn current_product(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(page): Path<String>,
    body: Result<Json<CurrentProduct>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    let Json(body) = body.map_err(body_error)?;
    let page = known_page(&state, &scope, page).await?;
    let code = match body.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => {
            let (_, catalog) = state.deps.store.catalog(&page).await?.ok_or_else(|| AppError::NotFound(format!("page {page}")))?;
            let product = find_product(&catalog, code)
                .ok_or_else(|| AppError::Unprocessable(format!("product {} is not in the catalog", excerpt(code))))?;
            Some(product.code.clone())
        }
    };
    state.deps.store.set_current_product(&page, code.as_deref()).await?;
    // Cache-aside: the cached catalog carries the product on screen.
    state.deps.caches.invalidate("catalog", page.as_str()).await;
    Ok(Json(json!({ "page_id": page, "current_product": code })).into_response())
}

async fn order_paid(
    State(state): State<AppState>,
    axum::Extension(scope): axum::Extension<Scope>,
    Path(order_id): Path<String>,
) -> Result<Response, AppError> {
    let id = strict_id(&order_id, "order id")?;
    match state.deps.store.order(id).await? {
        Some(o) if !scope.allows(&o.page_id) => return Err(AppError::Forbidden(format!("order {id} belongs to another page"))),
        None => return Err(AppError::NotFound(format!("order {id}"))),
        Some(_) => {}
    }
    match state.deps.store.mark_paid(id, state.deps.clock.now()).await? {
        PaidOutcome::Paid(order) | PaidOutcome::AlreadyPaid(order) => Ok(Json(order).into_response()),
        PaidOutcome::NothingReserved(_) => Err(AppError::Conflict(format!(
            "order {id} has nothing reserved any more (its reservations expired or were cancelled and the units may be sold to \
             someone else): it was not marked paid"
        ))),
        PaidOutcome::NotFound => Err(AppError::NotFound(format!("order {id}"))),
    }
}

async fn dead_letters(State(state): State<AppState>, axum::Extension(scope): axum::Extension<Scope>) -> Result<Response, AppError> {
    if !matches!(scope, Scope::All) {
        return Err(AppError::Forbidden("dead letters are for the operator token".into()));
    }
    let mut all = Vec::new();
    for stage in Stage::ALL {
        all.extend(state.deps.stream.dead_letters(&state.deps.settings.streams.key(stage), 1000).await?);
    }
    Ok(Json(all).into_response())
}
