//! HTTP plumbing shared by the handlers: state, JSON errors, body and auth extractors.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use deadpool_postgres::Pool;
use serde::de::DeserializeOwned;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;
use crate::memory::MemoryWatch;
use crate::metrics::Metrics;
use crate::ratelimit::{retry_after_secs, RateLimiter};

/// Everything a handler needs; one per server instance.
pub(crate) struct AppState {
    pub pool: Pool,
    pub config: Config,
    pub metrics: Metrics,
    pub device_limiter: RateLimiter<[u8; 32]>,
    pub ip_limiter: RateLimiter<IpAddr>,
    pub memory: MemoryWatch,
    /// Last database state `/health` saw, to log only changes.
    pub db_healthy: std::sync::atomic::AtomicBool,
}

pub(crate) type SharedState = Arc<AppState>;

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// An error response: `{"error": message, ...extra fields}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: Cow<'static, str>,
    extra: Option<(&'static str, i64)>,
    retry_after: Option<u64>,
}

/// The one message for every failed authentication, so nothing can be enumerated.
pub(crate) const UNAUTHORIZED: &str = "invalid credentials";

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError { status, message: message.into(), extra: None, retry_after: None }
    }
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn unauthorized() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, UNAUTHORIZED)
    }
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::new(StatusCode::CONFLICT, message)
    }
    /// Adds one integer field next to `error` (e.g. `expected_seq`).
    pub fn with(mut self, key: &'static str, value: i64) -> Self {
        self.extra = Some((key, value));
        self
    }
    pub fn too_many_requests(wait: std::time::Duration) -> Self {
        let secs = retry_after_secs(wait);
        ApiError { retry_after: Some(secs), ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded") }
            .with("retry_after_secs", secs as i64)
    }
    /// A failure of ours; the cause goes to the log, not to the client.
    pub fn internal(context: &'static str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.is_closed() || e.as_db_error().is_none() {
            tracing::warn!(error = %e, "database connection failed");
            return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
        }
        ApiError::internal("database error", e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if let Some((key, value)) = self.extra {
            body[key] = value.into();
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A JSON request body; every failure (too large, not JSON, wrong fields) is a JSON error.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "request body too large")
            } else {
                ApiError::new(status, "could not read the request body")
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))
    }
}

/// The client's address (set per connection by the accept loop).
fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip())
}

fn limit_ip(state: &AppState, ip: IpAddr) -> Result<(), ApiError> {
    state.ip_limiter.check(&ip).map_err(|wait| {
        state.metrics.rate_limited.with_label_values(&["ip"]).inc();
        tracing::debug!(%ip, "rate limited by client IP");
        ApiError::too_many_requests(wait)
    })
}

/// Extractor for the unauthenticated routes: passes when the client IP's bucket has a token.
pub(crate) struct IpLimited;

impl FromRequestParts<SharedState> for IpLimited {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, ApiError> {
        limit_ip(state, client_ip(parts))?;
        Ok(IpLimited)
    }
}

/// The authenticated device behind `Authorization: Bearer <device_token>`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Device {
    pub account_id: Uuid,
    pub device_id: Uuid,
}

/// Decodes a bearer token: 32 bytes in base64url without padding.
fn parse_token(parts: &Parts) -> Option<[u8; 32]> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    URL_SAFE_NO_PAD.decode(token.trim()).ok()?.try_into().ok()
}

impl FromRequestParts<SharedState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, ApiError> {
        let Some(token) = parse_token(parts) else {
            limit_ip(state, client_ip(parts))?;
            return Err(ApiError::unauthorized());
        };
        let token_hash = sha256(&token);
        state.device_limiter.check(&token_hash).map_err(|wait| {
            state.metrics.rate_limited.with_label_values(&["device"]).inc();
            tracing::debug!("rate limited by device token");
            ApiError::too_many_requests(wait)
        })?;
        let client = state.pool.get().await?;
        // Every request runs this: prepared once per connection.
        let lookup = client
            .prepare_cached(
                "SELECT id, account_id, last_seen_at < now() - interval '60 seconds'
                 FROM devices WHERE token_hash = $1",
            )
            .await?;
        let row = client.query_opt(&lookup, &[&token_hash.as_slice()]).await?;
        let Some(row) = row else {
            // Unknown tokens count against the client IP, so guessing is rate limited too.
            limit_ip(state, client_ip(parts))?;
            return Err(ApiError::unauthorized());
        };
        let device = Device { device_id: row.get(0), account_id: row.get(1) };
        if row.get::<_, bool>(2) {
            client.execute("UPDATE devices SET last_seen_at = now() WHERE id = $1", &[&device.device_id]).await?;
        }
        Ok(device)
    }
}

/// Base64 (standard alphabet, with padding) for binary JSON fields.
pub(crate) mod b64 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    /// Decodes straight from the request buffer when the string has no escapes (no copy of
    /// a many-megabyte string first).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Vec<u8>, E> {
                STANDARD.decode(text.as_bytes()).map_err(|e| E::custom(format!("invalid base64: {e}")))
            }
        }
        d.deserialize_str(V)
    }
}

/// A fresh device token (returned once) and the hash that is stored.
pub(crate) fn new_device_token() -> Result<(String, [u8; 32]), ApiError> {
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).map_err(|e| ApiError::internal("no randomness for a token", e))?;
    Ok((URL_SAFE_NO_PAD.encode(raw), sha256(&raw)))
}
