//! The HTTP API: routes and handlers (see docs/server.md for the contract).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio_postgres::IsolationLevel;
use tower_http::trace::TraceLayer;
use uuid::Uuid;

use crate::http::{b64, new_device_token, sha256, ApiError, Device, IpLimited, JsonBody, SharedState};

/// Most ciphertext bytes one pull returns (it always returns at least one batch).
pub const MAX_PULL_BYTES: i64 = 16 * 1024 * 1024;
/// Batches per pull when the client does not say.
pub const DEFAULT_PULL_LIMIT: i64 = 500;
/// Most batches per pull.
pub const MAX_PULL_LIMIT: i64 = 1000;
/// How long `/health` waits for the database.
const HEALTH_DB_TIMEOUT: Duration = Duration::from_secs(3);

pub(crate) fn router(state: SharedState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/v1/accounts", post(create_account))
        .route("/v1/accounts/{account_id}/devices", post(add_device))
        .route("/v1/batches", post(push_batch).get(pull_batches))
        .route("/v1/snapshot", get(get_snapshot).put(put_snapshot))
        .route("/v1/status", get(status))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route")
        })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), track_request))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // Route template only: no query strings, ids or headers in the logs.
                    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
                    tracing::info_span!("request", method = %req.method(), route)
                })
                // Handlers log their own failures; a 503 from /health per probe is not an error line.
                .on_failure(()),
        )
        .with_state(state)
}

/// Counts and times every request by route template (never the raw path).
async fn track_request(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.observe_request(&route, method, response.status().as_u16(), started.elapsed());
    response
}

// ---------------------------------------------------------------- accounts and devices

#[derive(Deserialize)]
struct AuthKeyBody {
    #[serde(deserialize_with = "b64::deserialize")]
    auth_key: Vec<u8>,
}

fn auth_hash(body: &AuthKeyBody) -> Result<[u8; 32], ApiError> {
    if body.auth_key.len() != 32 {
        return Err(ApiError::bad_request("auth_key must be 32 bytes"));
    }
    Ok(sha256(&body.auth_key))
}

async fn create_account(
    State(state): State<SharedState>,
    _: IpLimited,
    JsonBody(body): JsonBody<AuthKeyBody>,
) -> Result<Response, ApiError> {
    let auth_hash = auth_hash(&body)?;
    let (token, token_hash) = new_device_token()?;
    let (account_id, device_id) = (Uuid::new_v4(), Uuid::new_v4());
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("INSERT INTO accounts (id, auth_hash) VALUES ($1, $2)", &[&account_id, &auth_hash.as_slice()]).await?;
    tx.execute(
        "INSERT INTO devices (id, account_id, token_hash) VALUES ($1, $2, $3)",
        &[&device_id, &account_id, &token_hash.as_slice()],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%account_id, %device_id, "account created");
    Ok((StatusCode::CREATED, Json(json!({ "account_id": account_id, "device_id": device_id, "device_token": token })))
        .into_response())
}

async fn add_device(
    State(state): State<SharedState>,
    _: IpLimited,
    Path(account_id): Path<String>,
    JsonBody(body): JsonBody<AuthKeyBody>,
) -> Result<Response, ApiError> {
    let presented = auth_hash(&body)?;
    let account_id = Uuid::parse_str(&account_id).ok();
    let mut client = state.pool.get().await?;
    let stored: Option<Vec<u8>> = match account_id {
        Some(id) => client.query_opt("SELECT auth_hash FROM accounts WHERE id = $1", &[&id]).await?.map(|r| r.get(0)),
        None => None,
    };
    // Compare in constant time, and compare something even for an unknown account, so neither
    // the answer nor its timing tells whether the account exists.
    let expected = stored.unwrap_or_else(|| vec![0u8; 32]);
    let key_ok: bool = presented.as_slice().ct_eq(expected.as_slice()).into();
    let (Some(account_id), true) = (account_id, key_ok) else {
        tracing::info!("device registration refused");
        return Err(ApiError::unauthorized());
    };
    let (token, token_hash) = new_device_token()?;
    let device_id = Uuid::new_v4();
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO devices (id, account_id, token_hash) VALUES ($1, $2, $3)",
        &[&device_id, &account_id, &token_hash.as_slice()],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%account_id, %device_id, "device added");
    Ok((StatusCode::CREATED, Json(json!({ "device_id": device_id, "device_token": token }))).into_response())
}

// ---------------------------------------------------------------- batches

#[derive(Deserialize)]
struct PushBody {
    seq: u64,
    #[serde(deserialize_with = "b64::deserialize")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize)]
struct PushReply {
    cursor: i64,
    duplicate: bool,
}

async fn push_batch(
    State(state): State<SharedState>,
    device: Device,
    JsonBody(body): JsonBody<PushBody>,
) -> Result<Json<PushReply>, ApiError> {
    let seq = match i64::try_from(body.seq) {
        Ok(seq) if seq >= 1 => seq,
        _ => return Err(ApiError::bad_request("seq must be between 1 and 2^63-1")),
    };
    if body.ciphertext.is_empty() {
        return Err(ApiError::bad_request("ciphertext is empty"));
    }
    let digest = sha256(&body.ciphertext);
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    // The account row lock orders every push of the account: cursors are handed out densely and
    // commit in cursor order, so a reader never sees cursor n+1 before n.
    let lock = tx.prepare_cached("SELECT last_cursor FROM accounts WHERE id = $1 FOR UPDATE").await?;
    let last_cursor: i64 = tx.query_one(&lock, &[&device.account_id]).await?.get(0);
    let read_seq = tx.prepare_cached("SELECT last_seq FROM devices WHERE id = $1 AND account_id = $2").await?;
    let last_seq: i64 = tx.query_one(&read_seq, &[&device.device_id, &device.account_id]).await?.get(0);
    let expected_seq = last_seq + 1;
    if seq == expected_seq {
        let cursor = last_cursor + 1;
        let insert = tx
            .prepare_cached(
                "INSERT INTO batches (account_id, cursor, device_id, seq, digest, ciphertext)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await?;
        tx.execute(
            &insert,
            &[&device.account_id, &cursor, &device.device_id, &seq, &digest.as_slice(), &body.ciphertext],
        )
        .await?;
        let advance = tx
            .prepare_cached(
                "WITH a AS (UPDATE accounts SET last_cursor = $2 WHERE id = $1)
                 UPDATE devices SET last_seq = $4 WHERE id = $3",
            )
            .await?;
        tx.execute(&advance, &[&device.account_id, &cursor, &device.device_id, &seq]).await?;
        tx.commit().await?;
        state.metrics.batches_stored.inc();
        state.metrics.batch_bytes_stored.inc_by(body.ciphertext.len() as u64);
        tracing::debug!(
            account_id = %device.account_id,
            device_id = %device.device_id,
            seq,
            cursor,
            bytes = body.ciphertext.len(),
            "batch stored"
        );
        return Ok(Json(PushReply { cursor, duplicate: false }));
    }
    if seq < expected_seq {
        let row = tx
            .query_opt(
                "SELECT cursor, digest FROM batches WHERE device_id = $1 AND seq = $2 AND account_id = $3",
                &[&device.device_id, &seq, &device.account_id],
            )
            .await?;
        if let Some(row) = row {
            let stored: &[u8] = row.get(1);
            if stored == digest.as_slice() {
                return Ok(Json(PushReply { cursor: row.get(0), duplicate: true }));
            }
        }
        return Err(ApiError::conflict(format!("seq {seq} was already stored with different content"))
            .with("expected_seq", expected_seq));
    }
    Err(ApiError::conflict(format!("seq {seq} skips ahead: the next seq of this device is {expected_seq}"))
        .with("expected_seq", expected_seq))
}

#[derive(Deserialize)]
struct PullParams {
    after: Option<i64>,
    limit: Option<i64>,
}

#[derive(Serialize)]
struct PulledBatch {
    cursor: i64,
    device_id: Uuid,
    seq: i64,
    #[serde(serialize_with = "b64::serialize")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize)]
struct PullReply {
    batches: Vec<PulledBatch>,
    latest_cursor: i64,
    more: bool,
}

async fn pull_batches(
    State(state): State<SharedState>,
    device: Device,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullReply>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(format!("invalid query: {}", e.body_text())))?;
    let after = params.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_request("after must be 0 or more"));
    }
    let limit = params.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit < 1 {
        return Err(ApiError::bad_request("limit must be 1 or more"));
    }
    let limit = limit.min(MAX_PULL_LIMIT);
    let mut client = state.pool.get().await?;
    // One snapshot for the three reads: latest_cursor, sizes and batches agree.
    let tx = client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start().await?;
    let latest_cursor: i64 =
        tx.query_one("SELECT last_cursor FROM accounts WHERE id = $1", &[&device.account_id]).await?.get(0);
    // Sizes first (octet_length reads the TOAST header, not the value), to cut the page at
    // MAX_PULL_BYTES without loading what will not be sent.
    let sizes = tx
        .query(
            "SELECT cursor, octet_length(ciphertext)::bigint FROM batches
             WHERE account_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3",
            &[&device.account_id, &after, &(limit + 1)],
        )
        .await?;
    let mut total = 0i64;
    let mut last = None;
    let mut taken = 0usize;
    for row in sizes.iter().take(limit as usize) {
        let size: i64 = row.get(1);
        if taken > 0 && total + size > MAX_PULL_BYTES {
            break;
        }
        total += size;
        taken += 1;
        last = Some(row.get::<_, i64>(0));
    }
    let more = taken < sizes.len();
    let batches = match last {
        None => Vec::new(),
        Some(last) => tx
            .query(
                "SELECT cursor, device_id, seq, ciphertext FROM batches
                 WHERE account_id = $1 AND cursor > $2 AND cursor <= $3 ORDER BY cursor",
                &[&device.account_id, &after, &last],
            )
            .await?
            .into_iter()
            .map(|r| PulledBatch { cursor: r.get(0), device_id: r.get(1), seq: r.get(2), ciphertext: r.get(3) })
            .collect(),
    };
    tx.commit().await?;
    Ok(Json(PullReply { batches, latest_cursor, more }))
}

// ---------------------------------------------------------------- snapshots

#[derive(Deserialize)]
struct SnapshotBody {
    cursor: i64,
    #[serde(deserialize_with = "b64::deserialize")]
    ciphertext: Vec<u8>,
}

async fn put_snapshot(
    State(state): State<SharedState>,
    device: Device,
    JsonBody(body): JsonBody<SnapshotBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if body.cursor < 0 {
        return Err(ApiError::bad_request("cursor must be 0 or more"));
    }
    if body.ciphertext.is_empty() {
        return Err(ApiError::bad_request("ciphertext is empty"));
    }
    let client = state.pool.get().await?;
    let latest: i64 =
        client.query_one("SELECT last_cursor FROM accounts WHERE id = $1", &[&device.account_id]).await?.get(0);
    if body.cursor > latest {
        return Err(ApiError::bad_request(format!("cursor {} is beyond the latest cursor {latest}", body.cursor))
            .with("latest_cursor", latest));
    }
    // Replaces the stored snapshot only when the new one is at least as recent.
    let written = client
        .execute(
            "INSERT INTO snapshots (account_id, device_id, cursor, ciphertext) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id) DO UPDATE
               SET device_id = EXCLUDED.device_id, cursor = EXCLUDED.cursor,
                   ciphertext = EXCLUDED.ciphertext, created_at = now()
               WHERE snapshots.cursor <= EXCLUDED.cursor",
            &[&device.account_id, &device.device_id, &body.cursor, &body.ciphertext],
        )
        .await?;
    if written == 0 {
        let stored: Option<i64> = client
            .query_opt("SELECT cursor FROM snapshots WHERE account_id = $1", &[&device.account_id])
            .await?
            .map(|r| r.get(0));
        let stored = stored.unwrap_or(0);
        return Err(ApiError::conflict(format!("a newer snapshot (cursor {stored}) is already stored"))
            .with("snapshot_cursor", stored));
    }
    state.metrics.snapshots_stored.inc();
    tracing::debug!(account_id = %device.account_id, device_id = %device.device_id, cursor = body.cursor, bytes = body.ciphertext.len(), "snapshot stored");
    Ok(Json(json!({})))
}

#[derive(Serialize)]
struct SnapshotReply {
    cursor: i64,
    device_id: Uuid,
    #[serde(serialize_with = "b64::serialize")]
    ciphertext: Vec<u8>,
}

async fn get_snapshot(State(state): State<SharedState>, device: Device) -> Result<Json<SnapshotReply>, ApiError> {
    let client = state.pool.get().await?;
    let row = client
        .query_opt("SELECT cursor, device_id, ciphertext FROM snapshots WHERE account_id = $1", &[&device.account_id])
        .await?
        .ok_or_else(|| ApiError::not_found("no snapshot stored"))?;
    Ok(Json(SnapshotReply { cursor: row.get(0), device_id: row.get(1), ciphertext: row.get(2) }))
}

// ---------------------------------------------------------------- status, health, metrics

#[derive(Serialize)]
struct DeviceStatus {
    device_id: Uuid,
    created_at: String,
    last_seen_at: String,
    last_seq: i64,
}

#[derive(Serialize)]
struct StatusReply {
    account_id: Uuid,
    device_id: Uuid,
    latest_cursor: i64,
    last_seq: i64,
    devices: Vec<DeviceStatus>,
}

/// RFC 3339 in UTC with microseconds, formatted by PostgreSQL.
const RFC3339: &str = r#"'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"#;

async fn status(State(state): State<SharedState>, device: Device) -> Result<Json<StatusReply>, ApiError> {
    let client = state.pool.get().await?;
    let latest_cursor: i64 =
        client.query_one("SELECT last_cursor FROM accounts WHERE id = $1", &[&device.account_id]).await?.get(0);
    let sql = format!(
        "SELECT id, to_char(created_at AT TIME ZONE 'UTC', {RFC3339}), to_char(last_seen_at AT TIME ZONE 'UTC', {RFC3339}),
                last_seq
         FROM devices WHERE account_id = $1 ORDER BY created_at, id"
    );
    let devices: Vec<DeviceStatus> = client
        .query(&sql, &[&device.account_id])
        .await?
        .into_iter()
        .map(|r| DeviceStatus { device_id: r.get(0), created_at: r.get(1), last_seen_at: r.get(2), last_seq: r.get(3) })
        .collect();
    let last_seq = devices.iter().find(|d| d.device_id == device.device_id).map_or(0, |d| d.last_seq);
    Ok(Json(StatusReply {
        account_id: device.account_id,
        device_id: device.device_id,
        latest_cursor,
        last_seq,
        devices,
    }))
}

async fn check_database(state: &SharedState) -> Result<(), String> {
    let probe = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        client.query_one("SELECT 1", &[]).await.map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    };
    match tokio::time::timeout(HEALTH_DB_TIMEOUT, probe).await {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {HEALTH_DB_TIMEOUT:?}")),
    }
}

async fn health(State(state): State<SharedState>) -> Response {
    let database = check_database(&state).await;
    let was_healthy = state.db_healthy.swap(database.is_ok(), Ordering::AcqRel);
    match (&database, was_healthy) {
        (Err(e), true) => tracing::warn!(error = %e, "health: database unreachable"),
        (Ok(()), false) => tracing::info!("health: database reachable again"),
        _ => {}
    }
    let memory = state.memory.check();
    let mut reasons = Vec::new();
    if database.is_err() {
        reasons.push("database unreachable".to_owned());
    }
    if memory.alert {
        reasons.push(format!(
            "resident memory {} bytes is above memory_alert_bytes {}",
            memory.rss_bytes,
            memory.limit.unwrap_or(0)
        ));
    }
    let mut body = json!({
        "status": if reasons.is_empty() { "ok" } else { "degraded" },
        "database": if database.is_ok() { "ok" } else { "unreachable" },
        "memory": if memory.alert { "alert" } else { "ok" },
        "rss_bytes": memory.rss_bytes,
        "memory_alert_bytes": memory.limit,
    });
    let status = if reasons.is_empty() {
        StatusCode::OK
    } else {
        body["reason"] = reasons.join("; ").into();
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn metrics(State(state): State<SharedState>) -> Response {
    let text = state.metrics.render(&state.pool, &state.memory);
    let mut response = text.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
