//! Operations: body and rate limits, /health, memory alert, /metrics, what the database holds,
//! migrations, restarts, the binary.

mod common;

use std::time::{Duration, Instant};

use common::{b64, random_bytes, random_key, Api};
use kinvault_server::testing::{TestPostgres, TestServer};
use kinvault_server::ServerError;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn body_limit_gives_413() {
    let pg = TestPostgres::start().unwrap();
    let server =
        TestServer::start(kinvault_server::Config { max_body_bytes: 64 * 1024, ..pg.server_config() }).await.unwrap();
    let api = Api::new(server.base_url());
    let d = api.new_account().await;
    // 40 KiB of ciphertext is ~54 KiB of JSON: fits. 60 KiB is ~80 KiB: does not.
    assert_eq!(d.push_ok(1, &random_bytes(40 * 1024)).await, 1);
    let r = d.push(2, &random_bytes(60 * 1024)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body["error"].as_str().unwrap().contains("too large"));
    let r = d.put_snapshot(1, &random_bytes(60 * 1024)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing was stored, and the next push is fine.
    assert_eq!(d.status().await["last_seq"], 1);
    assert_eq!(d.push_ok(2, b"small").await, 2);
}

#[tokio::test]
async fn rate_limits_give_429_with_retry_after() {
    let pg = TestPostgres::start().unwrap();
    let config = kinvault_server::Config {
        rate_per_sec: 0.5,
        rate_burst: 3,
        ip_rate_per_sec: 0.5,
        ip_rate_burst: 4,
        ..pg.server_config()
    };
    let server = TestServer::start(config).await.unwrap();
    let api = Api::new(server.base_url());
    let a = api.new_account().await; // IP token 1
    let b = a.sibling().await; // IP token 2

    // Per device token: a burst of 3, then 429.
    for _ in 0..3 {
        assert_eq!(a.get("/v1/status").await.status, StatusCode::OK);
    }
    let r = a.get("/v1/status").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(r.body["retry_after_secs"], retry);
    assert!(r.body["error"].is_string());
    assert_eq!(a.push(1, b"x").await.status, StatusCode::TOO_MANY_REQUESTS, "every route shares the bucket");
    // Another device of the same account has its own bucket.
    assert_eq!(b.get("/v1/status").await.status, StatusCode::OK);

    // Per client IP on the account routes: 2 of 4 used above.
    assert_eq!(api.create_account(&random_key()).await.status, StatusCode::CREATED);
    assert_eq!(api.add_device(&a.account_id, &random_key()).await.status, StatusCode::UNAUTHORIZED);
    let r = api.create_account(&random_key()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(api.add_device(&a.account_id, &a.auth_key).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Guessing tokens also counts against the IP.
    assert_eq!(api.send(Method::GET, "/v1/status", Some("x"), None).await.status, StatusCode::TOO_MANY_REQUESTS);

    // Two seconds refill one token of each.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(a.get("/v1/status").await.status, StatusCode::OK);
    assert_eq!(api.create_account(&random_key()).await.status, StatusCode::CREATED);

    let metrics = api.send(Method::GET, "/metrics", None, None).await.body;
    let metrics = metrics.as_str().unwrap();
    assert!(metrics.contains("kinvault_rate_limited_requests_total{scope=\"device\"} 2"), "{metrics}");
    assert!(metrics.contains("kinvault_rate_limited_requests_total{scope=\"ip\"} 3"), "{metrics}");
}

#[tokio::test]
async fn health_reports_database_down_and_back() {
    let mut pg = TestPostgres::start().unwrap();
    let server = pg.start_server().await.unwrap();
    let api = Api::new(server.base_url());
    let d = api.new_account().await;

    let r = api.send(Method::GET, "/health", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
    assert_eq!(r.body["database"], "ok");
    assert!(r.body["rss_bytes"].as_u64().unwrap() > 1 << 20);
    assert!(r.body.get("reason").is_none());

    pg.stop().unwrap();
    let started = Instant::now();
    let r = api.send(Method::GET, "/health", None, None).await;
    assert!(started.elapsed() < Duration::from_secs(5), "health answers promptly: {:?}", started.elapsed());
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.body["status"], "degraded");
    assert_eq!(r.body["database"], "unreachable");
    assert!(r.body["reason"].as_str().unwrap().contains("database"));
    let r = d.get("/v1/status").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.body["error"], "database unavailable");

    pg.resume().unwrap();
    let r = api.send(Method::GET, "/health", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(d.push_ok(1, b"after the outage").await, 1);
}

#[tokio::test]
async fn memory_alert_degrades_health_and_sets_gauge() {
    let pg = TestPostgres::start().unwrap();
    let server =
        TestServer::start(kinvault_server::Config { memory_alert_bytes: Some(1), ..pg.server_config() }).await.unwrap();
    let api = Api::new(server.base_url());
    let r = api.send(Method::GET, "/health", None, None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.body["status"], "degraded");
    assert_eq!(r.body["database"], "ok");
    assert_eq!(r.body["memory"], "alert");
    assert_eq!(r.body["memory_alert_bytes"], 1);
    let reason = r.body["reason"].as_str().unwrap();
    assert!(reason.contains("memory_alert_bytes"), "{reason}");
    let metrics = api.send(Method::GET, "/metrics", None, None).await.body;
    let metrics = metrics.as_str().unwrap();
    assert!(metrics.contains("\nkinvault_memory_alert 1\n"), "{metrics}");
    assert!(metrics.contains("\nkinvault_memory_alert_threshold_bytes 1\n"));

    // With a generous threshold all is well.
    let server2 =
        TestServer::start(kinvault_server::Config { memory_alert_bytes: Some(1 << 40), ..pg.server_config() })
            .await
            .unwrap();
    let api2 = Api::new(server2.base_url());
    let r = api2.send(Method::GET, "/health", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["memory"], "ok");
    let metrics = api2.send(Method::GET, "/metrics", None, None).await.body;
    assert!(metrics.as_str().unwrap().contains("\nkinvault_memory_alert 0\n"));
}

#[tokio::test]
async fn metrics_expose_every_series() {
    let pg = TestPostgres::start().unwrap();
    let server = pg.start_server().await.unwrap();
    let api = Api::new(server.base_url());
    let d = api.new_account().await;
    d.sibling().await;
    d.push_ok(1, &[7u8; 100]).await;
    d.push_ok(2, &[8u8; 50]).await;
    d.push(2, &[8u8; 50]).await; // duplicate: not counted as stored
    d.pull(0, None).await;
    api.send(Method::GET, "/nowhere/123", None, None).await;

    let r = api.http.get(format!("{}/metrics", api.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    for needle in [
        "kinvault_http_requests_total{method=\"POST\",route=\"/v1/accounts\",status=\"201\"} 1",
        "kinvault_http_requests_total{method=\"POST\",route=\"/v1/accounts/{account_id}/devices\",status=\"201\"} 1",
        "kinvault_http_requests_total{method=\"POST\",route=\"/v1/batches\",status=\"200\"} 3",
        "kinvault_http_requests_total{method=\"GET\",route=\"/v1/batches\",status=\"200\"} 1",
        "kinvault_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "kinvault_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/batches\",le=\"+Inf\"} 3",
        "kinvault_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/batches\"} 1",
        "\nkinvault_batches_stored_total 2\n",
        "\nkinvault_batch_bytes_stored_total 150\n",
        "\nkinvault_snapshots_stored_total 0\n",
        "kinvault_rate_limited_requests_total{scope=\"device\"} 0",
        "kinvault_rate_limited_requests_total{scope=\"ip\"} 0",
        "\nkinvault_memory_alert 0\n",
        "\nkinvault_db_pool_max_size 8\n",
        "\nkinvault_db_pool_size ",
        "\nkinvault_db_pool_available ",
        "\nkinvault_db_pool_waiting 0\n",
        "\nprocess_resident_memory_bytes ",
        "\nkinvault_heap_allocated_bytes ",
        "# TYPE kinvault_http_request_duration_seconds histogram",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(!text.contains(&d.account_id), "raw paths never become labels");
}

/// The server adds nothing readable: every column holds an id, a counter, a timestamp, a hash
/// or exactly the ciphertext a client sent.
#[tokio::test]
async fn database_holds_only_what_was_sent() {
    let pg = TestPostgres::start().unwrap();
    let server = pg.start_server().await.unwrap();
    let api = Api::new(server.base_url());
    let d = api.new_account().await;
    let e = d.sibling().await;
    let sent: Vec<Vec<u8>> = (0..4).map(|i| random_bytes(64 + i)).collect();
    d.push_ok(1, &sent[0]).await;
    e.push_ok(1, &sent[1]).await;
    d.push_ok(2, &sent[2]).await;
    assert_eq!(e.put_snapshot(3, &sent[3]).await.status, StatusCode::OK);

    let db = pg.connect().await.unwrap();
    // The schema: exactly these columns (a new column must be added here, deliberately).
    let columns: Vec<String> = db
        .query(
            "SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns
             WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        columns,
        [
            "accounts.id:uuid",
            "accounts.auth_hash:bytea",
            "accounts.last_cursor:bigint",
            "accounts.created_at:timestamp with time zone",
            "batches.account_id:uuid",
            "batches.cursor:bigint",
            "batches.device_id:uuid",
            "batches.seq:bigint",
            "batches.digest:bytea",
            "batches.ciphertext:bytea",
            "batches.created_at:timestamp with time zone",
            "devices.id:uuid",
            "devices.account_id:uuid",
            "devices.token_hash:bytea",
            "devices.last_seq:bigint",
            "devices.created_at:timestamp with time zone",
            "devices.last_seen_at:timestamp with time zone",
            "schema_migrations.version:integer",
            "schema_migrations.name:text",
            "schema_migrations.applied_at:timestamp with time zone",
            "snapshots.account_id:uuid",
            "snapshots.device_id:uuid",
            "snapshots.cursor:bigint",
            "snapshots.ciphertext:bytea",
            "snapshots.created_at:timestamp with time zone",
        ]
    );
    let sha = |b: &[u8]| Sha256::digest(b).to_vec();
    // Hashes only, of the key and the tokens.
    let auth: Vec<u8> = db.query_one("SELECT auth_hash FROM accounts", &[]).await.unwrap().get(0);
    assert_eq!(auth, sha(&d.auth_key));
    let mut tokens: Vec<Vec<u8>> =
        db.query("SELECT token_hash FROM devices", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    let mut want: Vec<Vec<u8>> = [&d.token, &e.token].iter().map(|t| sha(&base64_url_decode(t))).collect();
    tokens.sort();
    want.sort();
    assert_eq!(tokens, want);
    // Ciphertext exactly as sent, with its digest.
    let rows = db.query("SELECT ciphertext, digest FROM batches ORDER BY cursor", &[]).await.unwrap();
    let stored: Vec<(Vec<u8>, Vec<u8>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let expected: Vec<(Vec<u8>, Vec<u8>)> =
        [&sent[0], &sent[1], &sent[2]].iter().map(|c| (c.to_vec(), sha(c))).collect();
    assert_eq!(stored, expected);
    let snap: Vec<u8> = db.query_one("SELECT ciphertext FROM snapshots", &[]).await.unwrap().get(0);
    assert_eq!(snap, sent[3]);
    let names: Vec<String> =
        db.query("SELECT name FROM schema_migrations", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(names, ["initial"]);
    // Secrets appear nowhere, in any form, in any table.
    let everything: String = db
        .query_one(
            "SELECT string_agg(t::text, ' ') FROM (
                SELECT row_to_json(a)::text AS t FROM accounts a UNION ALL
                SELECT row_to_json(d)::text FROM devices d UNION ALL
                SELECT row_to_json(b)::text FROM batches b UNION ALL
                SELECT row_to_json(s)::text FROM snapshots s) x",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    for secret in [d.auth_key.to_vec(), base64_url_decode(&d.token), base64_url_decode(&e.token)] {
        assert!(!everything.contains(&hex(&secret)), "a secret stored as hex");
        assert!(!everything.contains(&b64(&secret)));
    }
    assert!(!everything.contains(&d.token) && !everything.contains(&e.token));
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

#[tokio::test]
async fn migrations_are_idempotent_and_refuse_newer_schemas() {
    let pg = TestPostgres::start().unwrap();
    let config = pg.server_config();
    // Several migrators at once on an empty database: exactly one applies each migration.
    let runs = futures_join_all((0..3).map(|_| {
        let config = config.clone();
        async move { kinvault_server::migrate(&config).await }
    }))
    .await;
    let applied: Vec<Vec<i32>> = runs.into_iter().map(|r| r.unwrap()).collect();
    let total: Vec<i32> = applied.iter().flatten().copied().collect();
    assert_eq!(total, [1], "{applied:?}");
    assert!(kinvault_server::migrate(&config).await.unwrap().is_empty(), "second run is a no-op");

    let db = pg.connect().await.unwrap();
    let snapshot = || async {
        let r = db.query_one("SELECT count(*), max(applied_at)::text FROM schema_migrations", &[]).await.unwrap();
        (r.get::<_, i64>(0), r.get::<_, String>(1))
    };
    let before = snapshot().await;
    let mut server = pg.start_server().await.unwrap();
    server.restart().await.unwrap();
    assert_eq!(snapshot().await, before, "starting (twice) applies nothing");

    server.stop().await.unwrap();
    db.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')", &[]).await.unwrap();
    let e = kinvault_server::start(config.clone()).await.unwrap_err();
    assert!(matches!(e, ServerError::SchemaTooNew { found: 999, known: 1 }), "{e}");
    assert!(e.to_string().contains("newer than this server"));
}

async fn futures_join_all<F: std::future::Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn restart_and_kill_keep_data_and_tokens() {
    let pg = TestPostgres::start().unwrap();
    let mut server = pg.start_server().await.unwrap();
    let url = server.base_url();
    let api = Api::new(url.clone());
    let d = api.new_account().await;
    d.push_ok(1, b"one").await;
    assert_eq!(d.put_snapshot(1, b"snap").await.status, StatusCode::OK);

    server.restart().await.unwrap();
    assert_eq!(server.base_url(), url, "same address after a restart");
    assert_eq!(d.push_ok(2, b"two").await, 2, "token still valid, seq continues");
    server.kill().await.unwrap();
    assert!(!server.is_running());
    assert!(api.try_send(Method::GET, "/health", None, None).await.is_err(), "nothing listens while stopped");
    server.start_again().await.unwrap();
    let pulled = d.pull_all(0).await;
    assert_eq!(pulled.len(), 2);
    assert_eq!(d.get("/v1/snapshot").await.body["cursor"], 1);
    let r = d.push(2, b"two").await;
    assert_eq!(r.body, json!({ "cursor": 2, "duplicate": true }), "idempotency survives restarts");
}

#[tokio::test]
async fn graceful_stop_finishes_requests_in_flight() {
    let pg = TestPostgres::start().unwrap();
    let mut server = pg.start_server().await.unwrap();
    let api = Api::new(server.base_url());
    let d = api.new_account().await;
    // A 20 MiB push is still being sent/processed while we ask the server to stop.
    let big = random_bytes(20 << 20);
    let push = tokio::spawn({
        let d = d.clone();
        async move { d.try_push(1, &big).await }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    server.stop().await.unwrap();
    match push.await.unwrap() {
        // Either it made it (graceful shutdown waited) ...
        Ok(r) => assert_eq!(r.status, StatusCode::OK, "{:?}", r.body),
        // ... or the connection was not yet accepted when the listener closed; then nothing is stored.
        Err(_) => {
            server.start_again().await.unwrap();
            assert_eq!(d.status().await["last_seq"], 0);
            return;
        }
    }
    server.start_again().await.unwrap();
    assert_eq!(d.status().await["last_seq"], 1);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn binary_migrates_serves_and_stops_on_sigterm() {
    let pg = TestPostgres::start().unwrap();
    let exe = env!("CARGO_BIN_EXE_kinvault-server");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config_file = dir.path().join("server.toml");
    std::fs::write(&config_file, format!("database_url = \"{}\"\nlisten = \"127.0.0.1:1\"\npool_size = 2\n", pg.url()))
        .unwrap();
    let clean = |cmd: &mut std::process::Command| {
        for (_, var) in kinvault_server::config::ENV_VARS {
            cmd.env_remove(var);
        }
    };

    // Bad configuration: a clear one-line error, exit code 1.
    let mut cmd = std::process::Command::new(exe);
    clean(&mut cmd);
    let out = cmd
        .arg("migrate")
        .env("KINVAULT_SERVER_DATABASE_URL", pg.url())
        .env("KINVAULT_SERVER_RATE_BURST", "many")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("KINVAULT_SERVER_RATE_BURST") && stderr.contains("\"many\""), "{stderr}");
    let mut cmd = std::process::Command::new(exe);
    clean(&mut cmd);
    let out = cmd.arg("serve").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database URL"));

    // migrate: applies, then is a no-op.
    for expect in ["applied migrations: [1]", "database schema is up to date"] {
        let mut cmd = std::process::Command::new(exe);
        clean(&mut cmd);
        let out = cmd.args(["--config"]).arg(&config_file).arg("migrate").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains(expect));
    }

    // check-config: env overrides the file, flags override env; the password is not printed.
    let mut cmd = std::process::Command::new(exe);
    clean(&mut cmd);
    let out = cmd
        .arg("--config")
        .arg(&config_file)
        .args(["check-config", "--pool-size", "5"])
        .env("KINVAULT_SERVER_POOL_SIZE", "4")
        .env("KINVAULT_SERVER_RATE_PER_SEC", "7.5")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("pool_size: 5") && stdout.contains("rate_per_sec: 7.5"), "{stdout}");
    assert!(stdout.contains("listen: 127.0.0.1:1"), "{stdout}");

    // serve, then SIGTERM: exits 0.
    let mut cmd = std::process::Command::new(exe);
    clean(&mut cmd);
    let mut child = cmd
        .arg("--config")
        .arg(&config_file)
        .env("KINVAULT_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let api = Api::new(format!("http://127.0.0.1:{port}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = api.try_send(Method::GET, "/health", None, None).await {
            assert_eq!(r.status, StatusCode::OK);
            break;
        }
        assert!(Instant::now() < deadline, "binary did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let d = api.new_account().await;
    assert_eq!(d.push_ok(1, b"via the binary").await, 1);
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "binary did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}
