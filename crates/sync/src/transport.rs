//! The platform API as the client sees it (docs/server.md): a trait, so the sync engine can be
//! driven through the real HTTP server or, in the convergence property test, an in-process
//! relay with the same rules.

use crate::SyncError;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub account_id: Option<Uuid>,
    pub device_id: Uuid,
    pub device_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAck {
    pub cursor: i64,
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledBatch {
    pub cursor: i64,
    pub device_id: Uuid,
    pub seq: u64,
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullPage {
    pub batches: Vec<PulledBatch>,
    pub latest_cursor: i64,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotBlob {
    pub cursor: i64,
    pub device_id: Uuid,
    pub ciphertext: Vec<u8>,
}

pub trait Transport {
    fn create_account(&self, auth_key: &[u8; 32]) -> Result<Registration, SyncError>;
    fn add_device(&self, account: Uuid, auth_key: &[u8; 32]) -> Result<Registration, SyncError>;
    fn push(&self, token: &str, seq: u64, ciphertext: &[u8]) -> Result<PushAck, SyncError>;
    fn pull(&self, token: &str, after: i64, limit: u32) -> Result<PullPage, SyncError>;
    fn put_snapshot(&self, token: &str, cursor: i64, ciphertext: &[u8]) -> Result<(), SyncError>;
    fn get_snapshot(&self, token: &str) -> Result<Option<SnapshotBlob>, SyncError>;
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(s: &str) -> Result<Vec<u8>, SyncError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| SyncError::Protocol(format!("server sent bad base64: {e}")))
}

/// The HTTP client. Requests that failed to reach the server (connection refused or cut,
/// timeouts) and 5xx/429 answers are retried a few times with backoff; every call is
/// idempotent on the server (a batch is keyed by device and seq), so a retry never duplicates.
pub struct HttpTransport {
    base: String,
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    expected_seq: Option<u64>,
}

#[derive(Deserialize)]
struct PushBody {
    cursor: i64,
    duplicate: bool,
}

#[derive(Deserialize)]
struct PullBody {
    batches: Vec<PullItem>,
    latest_cursor: i64,
    more: bool,
}

#[derive(Deserialize)]
struct PullItem {
    cursor: i64,
    device_id: Uuid,
    seq: u64,
    ciphertext: String,
}

#[derive(Deserialize)]
struct SnapshotBody {
    cursor: i64,
    device_id: Uuid,
    ciphertext: String,
}

enum Body {
    None,
    Json(serde_json::Value),
}

impl HttpTransport {
    pub fn new(server: &str) -> Result<HttpTransport, SyncError> {
        let base = server.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.strip_prefix("http://").is_some_and(is_loopback)) {
            return Err(SyncError::Config(format!(
                "server address {server:?} must start with https:// (plain http:// only for a server on this machine: localhost, 127.0.0.1 or [::1])"
            )));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ok(HttpTransport { base, agent, retries: 4, backoff: Duration::from_millis(200) })
    }

    /// Fewer/faster retries (tests that cut connections on purpose).
    pub fn with_retries(mut self, retries: u32, backoff: Duration) -> HttpTransport {
        self.retries = retries;
        self.backoff = backoff;
        self
    }

    fn call(&self, method: &str, path: &str, token: Option<&str>, body: Body) -> Result<(u16, Vec<u8>), SyncError> {
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            let result = self.call_once(method, &url, token, &body);
            let retry = match &result {
                Err(SyncError::Unreachable(_)) => true,
                Ok((status, _)) => *status >= 500 || *status == 429,
                Err(_) => false,
            };
            if !retry || attempt >= self.retries {
                return result;
            }
            attempt += 1;
            tracing::info!(attempt, "sync request failed; retrying");
            std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
        }
    }

    fn call_once(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: &Body,
    ) -> Result<(u16, Vec<u8>), SyncError> {
        let auth = token.map(|t| format!("Bearer {t}"));
        let response = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (m, Body::Json(v)) => {
                let mut r = if m == "PUT" { self.agent.put(url) } else { self.agent.post(url) };
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send_json(v)
            }
            (_, Body::None) => return Err(SyncError::Protocol(format!("{method} needs a body"))),
        };
        let mut response = response.map_err(|e| SyncError::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .map_err(|e| SyncError::Unreachable(format!("reading the answer: {e}")))?;
        Ok((status, bytes))
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        expect: u16,
        (status, bytes): (u16, Vec<u8>),
    ) -> Result<T, SyncError> {
        if status != expect {
            return Err(http_error(status, &bytes));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| SyncError::Protocol(format!("unexpected answer from the server: {e}")))
    }
}

/// Whether the authority at the start of `rest` (what follows `http://`) names this machine.
fn is_loopback(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    matches!(host.to_ascii_lowercase().as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

fn http_error(status: u16, bytes: &[u8]) -> SyncError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(bytes).ok();
    let message = parsed
        .as_ref()
        .map(|b| b.error.clone())
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).chars().take(200).collect());
    match status {
        401 => SyncError::Unauthorized(message),
        409 => SyncError::Conflict { message, expected_seq: parsed.and_then(|b| b.expected_seq) },
        _ => SyncError::Http { status, message },
    }
}

impl Transport for HttpTransport {
    fn create_account(&self, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        let r =
            self.call("POST", "/v1/accounts", None, Body::Json(serde_json::json!({ "auth_key": b64(auth_key) })))?;
        self.json(201, r)
    }

    fn add_device(&self, account: Uuid, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        let path = format!("/v1/accounts/{account}/devices");
        let r = self.call("POST", &path, None, Body::Json(serde_json::json!({ "auth_key": b64(auth_key) })))?;
        let mut reg: Registration = self.json(201, r)?;
        reg.account_id = Some(account);
        Ok(reg)
    }

    fn push(&self, token: &str, seq: u64, ciphertext: &[u8]) -> Result<PushAck, SyncError> {
        let body = serde_json::json!({ "seq": seq, "ciphertext": b64(ciphertext) });
        let r = self.call("POST", "/v1/batches", Some(token), Body::Json(body))?;
        let b: PushBody = self.json(200, r)?;
        Ok(PushAck { cursor: b.cursor, duplicate: b.duplicate })
    }

    fn pull(&self, token: &str, after: i64, limit: u32) -> Result<PullPage, SyncError> {
        let r = self.call("GET", &format!("/v1/batches?after={after}&limit={limit}"), Some(token), Body::None)?;
        let b: PullBody = self.json(200, r)?;
        let batches = b
            .batches
            .into_iter()
            .map(|i| {
                Ok(PulledBatch {
                    cursor: i.cursor,
                    device_id: i.device_id,
                    seq: i.seq,
                    ciphertext: unb64(&i.ciphertext)?,
                })
            })
            .collect::<Result<_, SyncError>>()?;
        Ok(PullPage { batches, latest_cursor: b.latest_cursor, more: b.more })
    }

    fn put_snapshot(&self, token: &str, cursor: i64, ciphertext: &[u8]) -> Result<(), SyncError> {
        let body = serde_json::json!({ "cursor": cursor, "ciphertext": b64(ciphertext) });
        let (status, bytes) = self.call("PUT", "/v1/snapshot", Some(token), Body::Json(body))?;
        match status {
            200 => Ok(()),
            _ => Err(http_error(status, &bytes)),
        }
    }

    fn get_snapshot(&self, token: &str) -> Result<Option<SnapshotBlob>, SyncError> {
        let (status, bytes) = self.call("GET", "/v1/snapshot", Some(token), Body::None)?;
        if status == 404 {
            return Ok(None);
        }
        let b: SnapshotBody = self.json(200, (status, bytes))?;
        Ok(Some(SnapshotBlob { cursor: b.cursor, device_id: b.device_id, ciphertext: unb64(&b.ciphertext)? }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://sync.example.org",
            "http://localhost:8080",
            "http://127.0.0.1:3000/",
            "http://[::1]:9/x",
            "http://LOCALHOST",
        ] {
            assert!(HttpTransport::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://sync.example.org",
            "http://127.0.0.1.evil.example",
            "http://localhost@evil.example",
            "http://[::2]:80",
            "ftp://localhost",
            "sync.example.org",
        ] {
            assert!(matches!(HttpTransport::new(bad), Err(SyncError::Config(_))), "{bad}");
        }
    }
}
