//! A small JSON client for the server's HTTP API, shared by the integration tests.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn unb64(text: &Value) -> Vec<u8> {
    STANDARD.decode(text.as_str().expect("base64 string")).expect("valid base64")
}

/// Random bytes (tests only need them distinct, not secret).
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    getrandom::getrandom(&mut v).unwrap();
    v
}

pub fn random_key() -> [u8; 32] {
    random_bytes(32).try_into().unwrap()
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(base: impl Into<String>) -> Api {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Api { http, base: base.into() }
    }

    /// A client that never reuses connections (for the proxy tests).
    pub fn fresh_connections(base: impl Into<String>) -> Api {
        let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).build().unwrap();
        Api { http, base: base.into() }
    }

    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Result<Reply> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Ok(Reply { status, headers, body })
    }

    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.try_send(method, path, token, body).await.expect("request failed")
    }

    pub async fn create_account(&self, auth_key: &[u8]) -> Reply {
        self.send(Method::POST, "/v1/accounts", None, Some(json!({ "auth_key": b64(auth_key) }))).await
    }

    pub async fn add_device(&self, account_id: &str, auth_key: &[u8]) -> Reply {
        self.send(
            Method::POST,
            &format!("/v1/accounts/{account_id}/devices"),
            None,
            Some(json!({ "auth_key": b64(auth_key) })),
        )
        .await
    }

    /// A new account; returns its first device.
    pub async fn new_account(&self) -> Device {
        let key = random_key();
        let r = self.create_account(&key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        Device {
            api: self.clone(),
            account_id: r.body["account_id"].as_str().unwrap().to_owned(),
            device_id: r.body["device_id"].as_str().unwrap().to_owned(),
            token: r.body["device_token"].as_str().unwrap().to_owned(),
            auth_key: key,
        }
    }
}

/// One registered device.
#[derive(Clone)]
pub struct Device {
    pub api: Api,
    pub account_id: String,
    pub device_id: String,
    pub token: String,
    pub auth_key: [u8; 32],
}

impl Device {
    /// Another device of the same account.
    pub async fn sibling(&self) -> Device {
        let r = self.api.add_device(&self.account_id, &self.auth_key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        Device {
            api: self.api.clone(),
            account_id: self.account_id.clone(),
            device_id: r.body["device_id"].as_str().unwrap().to_owned(),
            token: r.body["device_token"].as_str().unwrap().to_owned(),
            auth_key: self.auth_key,
        }
    }

    /// The same device talking through another base URL (e.g. a proxy).
    pub fn via(&self, api: Api) -> Device {
        Device { api, ..self.clone() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.api.send(Method::GET, path, Some(&self.token), None).await
    }

    pub async fn push(&self, seq: u64, ciphertext: &[u8]) -> Reply {
        self.api
            .send(
                Method::POST,
                "/v1/batches",
                Some(&self.token),
                Some(json!({ "seq": seq, "ciphertext": b64(ciphertext) })),
            )
            .await
    }

    pub async fn try_push(&self, seq: u64, ciphertext: &[u8]) -> reqwest::Result<Reply> {
        self.api
            .try_send(
                Method::POST,
                "/v1/batches",
                Some(&self.token),
                Some(json!({ "seq": seq, "ciphertext": b64(ciphertext) })),
            )
            .await
    }

    /// Pushes and expects a fresh store; returns the cursor.
    pub async fn push_ok(&self, seq: u64, ciphertext: &[u8]) -> i64 {
        let r = self.push(seq, ciphertext).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["duplicate"], false);
        r.body["cursor"].as_i64().unwrap()
    }

    pub async fn pull(&self, after: i64, limit: Option<i64>) -> Reply {
        let path = match limit {
            Some(limit) => format!("/v1/batches?after={after}&limit={limit}"),
            None => format!("/v1/batches?after={after}"),
        };
        self.get(&path).await
    }

    /// Every batch after `after`, following `more`.
    pub async fn pull_all(&self, mut after: i64) -> Vec<Value> {
        let mut all = Vec::new();
        loop {
            let r = self.pull(after, None).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            let batches = r.body["batches"].as_array().unwrap().clone();
            if let Some(last) = batches.last() {
                after = last["cursor"].as_i64().unwrap();
            }
            all.extend(batches);
            if r.body["more"] == false {
                return all;
            }
        }
    }

    pub async fn put_snapshot(&self, cursor: i64, ciphertext: &[u8]) -> Reply {
        self.api
            .send(
                Method::PUT,
                "/v1/snapshot",
                Some(&self.token),
                Some(json!({ "cursor": cursor, "ciphertext": b64(ciphertext) })),
            )
            .await
    }

    pub async fn status(&self) -> Value {
        let r = self.get("/v1/status").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }
}
