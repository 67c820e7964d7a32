//! The HTTP API against a real PostgreSQL: accounts, devices, batches, snapshots, status,
//! isolation between accounts.

mod common;

use std::collections::{BTreeMap, HashSet};

use common::{b64, random_bytes, random_key, unb64, Api};
use kinvault_server::testing::TestPostgres;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn setup() -> (TestPostgres, kinvault_server::testing::TestServer, Api) {
    let pg = TestPostgres::start().expect("PostgreSQL");
    let server = pg.start_server().await.expect("server");
    let api = Api::new(server.base_url());
    (pg, server, api)
}

fn is_uuid(v: &Value) -> bool {
    v.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok())
}

fn is_rfc3339_utc(v: &Value) -> bool {
    // 2026-05-01T12:34:56.123456Z
    let s = v.as_str().unwrap_or("");
    s.len() == 27 && s.ends_with('Z') && &s[4..5] == "-" && &s[10..11] == "T" && &s[19..20] == "."
}

#[tokio::test]
async fn accounts_and_devices() {
    let (_pg, _server, api) = setup().await;
    let key = random_key();
    let r = api.create_account(&key).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(is_uuid(&r.body["account_id"]) && is_uuid(&r.body["device_id"]));
    let token = r.body["device_token"].as_str().unwrap();
    assert_eq!(token.len(), 43, "32 bytes in base64url without padding");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let account_id = r.body["account_id"].as_str().unwrap().to_owned();

    // Second device with the right key.
    let r2 = api.add_device(&account_id, &key).await;
    assert_eq!(r2.status, StatusCode::CREATED, "{:?}", r2.body);
    assert!(is_uuid(&r2.body["device_id"]));
    assert_ne!(r2.body["device_id"], r.body["device_id"]);
    assert_ne!(r2.body["device_token"], r.body["device_token"]);

    // Wrong key, unknown account, malformed account id: the same 401, nothing to tell apart.
    let wrong = api.add_device(&account_id, &random_key()).await;
    let unknown = api.add_device(&uuid::Uuid::new_v4().to_string(), &key).await;
    let malformed = api.add_device("not-a-uuid", &key).await;
    for r in [&wrong, &unknown, &malformed] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body, wrong.body);
        assert_eq!(r.headers["www-authenticate"], "Bearer");
    }
    assert!(wrong.body["error"].is_string());

    // Malformed keys are client errors.
    for body in [json!({ "auth_key": b64(&[1; 16]) }), json!({ "auth_key": "%%%" }), json!({ "key": "x" }), json!([])] {
        let r = api.send(Method::POST, "/v1/accounts", None, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(r.body["error"].is_string());
    }
    let raw = api.http.post(format!("{}/v1/accounts", api.base)).body("{not json").send().await.unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);

    // Tokens authenticate; anything else is 401.
    let status = api.send(Method::GET, "/v1/status", Some(token), None).await;
    assert_eq!(status.status, StatusCode::OK, "{:?}", status.body);
    assert_eq!(status.body["account_id"], r.body["account_id"]);
    assert_eq!(status.body["device_id"], r.body["device_id"]);
    assert_eq!(status.body["latest_cursor"], 0);
    assert_eq!(status.body["last_seq"], 0);
    let devices = status.body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    for d in devices {
        assert!(is_uuid(&d["device_id"]));
        assert!(is_rfc3339_utc(&d["created_at"]), "{d}");
        assert!(is_rfc3339_utc(&d["last_seen_at"]), "{d}");
        assert_eq!(d["last_seq"], 0);
    }
    let bad_tokens = [
        None,
        Some("".to_owned()),
        Some("nonsense".to_owned()),
        Some(common::b64(&random_bytes(32))), // standard alphabet with padding
        Some(token[..42].to_owned()),         // truncated
        Some(base64_url(&random_bytes(32))),  // well-formed, unknown
        Some(format!("{token}A")),            // too long
    ];
    for t in bad_tokens {
        let r = api.send(Method::GET, "/v1/status", t.as_deref(), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{t:?}");
        assert_eq!(r.body, wrong.body);
    }
    // Scheme is case-insensitive; other schemes are not accepted.
    let r = api
        .http
        .get(format!("{}/v1/status", api.base))
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = api
        .http
        .get(format!("{}/v1/status", api.base))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Unknown routes and methods answer in JSON too.
    let r = api.send(Method::GET, "/v1/nothing", Some(token), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["error"].is_string());
    let r = api.send(Method::DELETE, "/v1/batches", Some(token), None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body["error"].is_string());
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn push_pull_retry_and_conflicts() {
    let (_pg, _server, api) = setup().await;
    let a = api.new_account().await;
    let b = a.sibling().await;
    let blobs: Vec<Vec<u8>> = (0..5).map(|i| random_bytes(40 + i)).collect();

    assert_eq!(a.push_ok(1, &blobs[0]).await, 1);
    assert_eq!(a.push_ok(2, &blobs[1]).await, 2);
    assert_eq!(b.push_ok(1, &blobs[2]).await, 3, "cursors are per account, seqs per device");
    assert_eq!(a.push_ok(3, &blobs[3]).await, 4);

    // Idempotent retry: same seq, same bytes → the original cursor.
    for _ in 0..2 {
        let r = a.push(2, &blobs[1]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, json!({ "cursor": 2, "duplicate": true }));
    }
    // Same seq, other bytes → 409 with the next expected seq.
    let r = a.push(2, &blobs[4]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["expected_seq"], 4);
    assert!(r.body["error"].is_string());
    // A gap → 409.
    let r = a.push(6, &blobs[4]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["expected_seq"], 4);
    let r = b.push(3, &blobs[4]).await;
    assert_eq!(r.body["expected_seq"], 2);
    // Invalid pushes.
    for body in [
        json!({ "seq": 0, "ciphertext": b64(b"x") }),
        json!({ "seq": -1, "ciphertext": b64(b"x") }),
        json!({ "seq": u64::MAX, "ciphertext": b64(b"x") }),
        json!({ "seq": 4, "ciphertext": "" }),
        json!({ "seq": 4, "ciphertext": "not base64!" }),
        json!({ "seq": 4 }),
    ] {
        let r = api.send(Method::POST, "/v1/batches", Some(&a.token), Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
    }
    assert_eq!(a.status().await["last_seq"], 3, "nothing invalid was stored");

    // Pull: everything, in cursor order, with device ids and seqs, own batches included.
    let r = b.pull(0, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["latest_cursor"], 4);
    assert_eq!(r.body["more"], false);
    let got: Vec<(i64, String, i64, Vec<u8>)> = r.body["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["cursor"].as_i64().unwrap(),
                x["device_id"].as_str().unwrap().to_owned(),
                x["seq"].as_i64().unwrap(),
                unb64(&x["ciphertext"]),
            )
        })
        .collect();
    let want = vec![
        (1, a.device_id.clone(), 1, blobs[0].clone()),
        (2, a.device_id.clone(), 2, blobs[1].clone()),
        (3, b.device_id.clone(), 1, blobs[2].clone()),
        (4, a.device_id.clone(), 3, blobs[3].clone()),
    ];
    assert_eq!(got, want);

    // Paging.
    let r = a.pull(1, Some(2)).await;
    let cursors: Vec<i64> =
        r.body["batches"].as_array().unwrap().iter().map(|x| x["cursor"].as_i64().unwrap()).collect();
    assert_eq!(cursors, [2, 3]);
    assert_eq!(r.body["more"], true);
    let r = a.pull(3, Some(1)).await;
    assert_eq!(r.body["batches"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["more"], false, "exactly the last batch: nothing more");
    let r = a.pull(4, None).await;
    assert_eq!(r.body, json!({ "batches": [], "latest_cursor": 4, "more": false }));
    let r = a.pull(99, None).await;
    assert_eq!(r.body["batches"], json!([]));
    for q in ["after=-1", "limit=0", "limit=-5", "after=abc", "limit=1.5"] {
        let r = a.get(&format!("/v1/batches?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }

    // Status reflects it.
    let s = a.status().await;
    assert_eq!(s["latest_cursor"], 4);
    assert_eq!(s["last_seq"], 3);
    let seqs: BTreeMap<String, i64> = s["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["device_id"].as_str().unwrap().to_owned(), d["last_seq"].as_i64().unwrap()))
        .collect();
    assert_eq!(seqs[&a.device_id], 3);
    assert_eq!(seqs[&b.device_id], 1);
}

#[tokio::test]
async fn concurrent_pushers_get_dense_ordered_cursors() {
    let (_pg, _server, api) = setup().await;
    let first = api.new_account().await;
    let mut devices = vec![first.clone()];
    for _ in 0..3 {
        devices.push(first.sibling().await);
    }
    const PER_DEVICE: u64 = 25;
    let total = PER_DEVICE as i64 * devices.len() as i64;

    // A reader pulls all along: what it sees must always be a gap-free prefix 1..k.
    let reader = {
        let d = first.clone();
        tokio::spawn(async move {
            let mut seen = 0i64;
            while seen < total {
                let r = d.pull(seen, None).await;
                assert_eq!(r.status, StatusCode::OK);
                for b in r.body["batches"].as_array().unwrap() {
                    seen += 1;
                    assert_eq!(b["cursor"].as_i64().unwrap(), seen, "cursor visible before a smaller one");
                }
                assert!(r.body["latest_cursor"].as_i64().unwrap() >= seen);
            }
            seen
        })
    };
    let pushers: Vec<_> = devices
        .iter()
        .cloned()
        .map(|d| {
            tokio::spawn(async move {
                let mut cursors = Vec::new();
                for seq in 1..=PER_DEVICE {
                    let body = format!("{}:{seq}", d.device_id).into_bytes();
                    cursors.push(d.push_ok(seq, &body).await);
                }
                cursors
            })
        })
        .collect();
    let mut all = Vec::new();
    for p in pushers {
        let cursors = p.await.unwrap();
        assert!(cursors.windows(2).all(|w| w[0] < w[1]), "a device's batches keep their order");
        all.extend(cursors);
    }
    all.sort();
    assert_eq!(all, (1..=total).collect::<Vec<_>>(), "every cursor 1..N exactly once");
    assert_eq!(reader.await.unwrap(), total);

    // The full pull: dense, ordered, each device's seqs ascending with cursor.
    let batches = first.pull_all(0).await;
    assert_eq!(batches.len() as i64, total);
    let mut last_seq: BTreeMap<String, i64> = BTreeMap::new();
    let mut contents = HashSet::new();
    for (i, b) in batches.iter().enumerate() {
        assert_eq!(b["cursor"].as_i64().unwrap(), i as i64 + 1);
        let dev = b["device_id"].as_str().unwrap().to_owned();
        let seq = b["seq"].as_i64().unwrap();
        let prev = last_seq.insert(dev.clone(), seq).unwrap_or(0);
        assert_eq!(seq, prev + 1);
        assert_eq!(unb64(&b["ciphertext"]), format!("{dev}:{seq}").into_bytes());
        contents.insert(unb64(&b["ciphertext"]));
    }
    assert_eq!(contents.len() as i64, total);
}

#[tokio::test]
async fn pull_page_limits() {
    let (pg, _server, api) = setup().await;
    let d = api.new_account().await;
    d.push_ok(1, b"first").await;
    let db = pg.connect().await.unwrap();
    let account: uuid::Uuid = d.account_id.parse().unwrap();
    let device: uuid::Uuid = d.device_id.parse().unwrap();
    // 1,100 small batches written directly (pushing them one by one would take seconds).
    db.execute(
        "INSERT INTO batches (account_id, cursor, device_id, seq, digest, ciphertext)
         SELECT $1, g, $2, g, sha256(int8send(g)), int8send(g) FROM generate_series(2, 1100) g",
        &[&account, &device],
    )
    .await
    .unwrap();
    db.execute("UPDATE accounts SET last_cursor = 1100 WHERE id = $1", &[&account]).await.unwrap();
    db.execute("UPDATE devices SET last_seq = 1100 WHERE id = $1", &[&device]).await.unwrap();

    let r = d.pull(0, None).await;
    assert_eq!(r.body["batches"].as_array().unwrap().len(), 500, "default limit");
    assert_eq!(r.body["more"], true);
    let r = d.pull(0, Some(5000)).await;
    assert_eq!(r.body["batches"].as_array().unwrap().len(), 1000, "limit capped at 1000");
    assert_eq!(r.body["more"], true);
    let r = d.pull(100, Some(1000)).await;
    assert_eq!(r.body["batches"].as_array().unwrap().len(), 1000);
    assert_eq!(r.body["more"], false);
    assert_eq!(d.pull_all(0).await.len(), 1100);
    assert_eq!(d.push_ok(1101, b"next").await, 1101, "pushing continues after them");

    // Byte cap: 7 MiB batches, two fit in 16 MiB, the third goes to the next page.
    const MIB: i32 = 1024 * 1024;
    db.execute(
        "INSERT INTO batches (account_id, cursor, device_id, seq, digest, ciphertext)
         SELECT $1, g, $2, g, sha256(int8send(g)), convert_to(repeat('x', $3), 'UTF8') FROM generate_series(1102, 1104) g",
        &[&account, &device, &(7 * MIB)],
    )
    .await
    .unwrap();
    // And one batch larger than the cap on its own.
    db.execute(
        "INSERT INTO batches (account_id, cursor, device_id, seq, digest, ciphertext)
         VALUES ($1, 1105, $2, 1105, sha256('y'), convert_to(repeat('y', $3), 'UTF8'))",
        &[&account, &device, &(17 * MIB)],
    )
    .await
    .unwrap();
    db.execute("UPDATE accounts SET last_cursor = 1105 WHERE id = $1", &[&account]).await.unwrap();
    db.execute("UPDATE devices SET last_seq = 1105 WHERE id = $1", &[&device]).await.unwrap();
    let r = d.pull(1100, None).await;
    let cursors: Vec<i64> =
        r.body["batches"].as_array().unwrap().iter().map(|b| b["cursor"].as_i64().unwrap()).collect();
    assert_eq!(cursors, [1101, 1102, 1103], "1101 is tiny, then two 7 MiB batches");
    assert_eq!(r.body["more"], true);
    let r = d.pull(1103, None).await;
    let cursors: Vec<i64> =
        r.body["batches"].as_array().unwrap().iter().map(|b| b["cursor"].as_i64().unwrap()).collect();
    assert_eq!(cursors, [1104], "7 + 17 MiB is over the cap");
    let r = d.pull(1104, None).await;
    assert_eq!(r.body["batches"].as_array().unwrap().len(), 1, "an oversized batch still comes alone");
    assert_eq!(unb64(&r.body["batches"][0]["ciphertext"]).len(), 17 * MIB as usize);
    assert_eq!(r.body["more"], false);
    assert_eq!(r.body["latest_cursor"], 1105);
}

#[tokio::test]
async fn snapshot_rules() {
    let (_pg, _server, api) = setup().await;
    let a = api.new_account().await;
    let b = a.sibling().await;
    let r = a.get("/v1/snapshot").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["error"].is_string());

    // Cursor 0 is allowed with no batches at all; beyond the latest cursor is not.
    assert_eq!(a.put_snapshot(0, b"empty").await.status, StatusCode::OK);
    let r = a.put_snapshot(1, b"too early").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["latest_cursor"], 0);
    for i in 1..=3 {
        a.push_ok(i, format!("batch {i}").as_bytes()).await;
    }
    let r = a.put_snapshot(2, b"snap at 2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({}));
    let r = b.get("/v1/snapshot").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["cursor"], 2);
    assert_eq!(r.body["device_id"], a.device_id.as_str());
    assert_eq!(unb64(&r.body["ciphertext"]), b"snap at 2");

    // Older → 409, stored one kept; equal or newer → replaced.
    let r = b.put_snapshot(1, b"older").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["snapshot_cursor"], 2);
    assert_eq!(unb64(&a.get("/v1/snapshot").await.body["ciphertext"]), b"snap at 2");
    assert_eq!(b.put_snapshot(2, b"again at 2").await.status, StatusCode::OK);
    assert_eq!(unb64(&a.get("/v1/snapshot").await.body["ciphertext"]), b"again at 2");
    assert_eq!(b.put_snapshot(3, b"snap at 3").await.status, StatusCode::OK);
    let r = a.get("/v1/snapshot").await;
    assert_eq!((r.body["cursor"].as_i64(), r.body["device_id"].as_str()), (Some(3), Some(b.device_id.as_str())));
    assert_eq!(unb64(&r.body["ciphertext"]), b"snap at 3");
    let r = b.put_snapshot(4, b"future").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    for body in [
        json!({ "cursor": -1, "ciphertext": b64(b"x") }),
        json!({ "cursor": 3, "ciphertext": "" }),
        json!({ "cursor": 3 }),
    ] {
        let r = api.send(Method::PUT, "/v1/snapshot", Some(&a.token), Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
    }
}

/// Every row of an account, as text.
async fn dump(db: &tokio_postgres::Client, account: &str) -> Vec<String> {
    let account: uuid::Uuid = account.parse().unwrap();
    let mut rows = Vec::new();
    for sql in [
        "SELECT id::text || auth_hash::text || last_cursor::text FROM accounts WHERE id = $1",
        "SELECT id::text || token_hash::text || last_seq::text FROM devices WHERE account_id = $1 ORDER BY id",
        "SELECT cursor::text || device_id::text || seq::text || digest::text || ciphertext::text
         FROM batches WHERE account_id = $1 ORDER BY cursor",
        "SELECT device_id::text || cursor::text || ciphertext::text FROM snapshots WHERE account_id = $1",
    ] {
        for r in db.query(sql, &[&account]).await.unwrap() {
            rows.push(r.get::<_, String>(0));
        }
    }
    rows
}

/// A device of account A can neither read nor change anything of account B, on any route.
#[tokio::test]
async fn accounts_are_isolated() {
    let (pg, _server, api) = setup().await;
    let a = api.new_account().await;
    let b = api.new_account().await;
    let b2 = b.sibling().await;
    b.push_ok(1, b"B secret 1").await;
    b2.push_ok(1, b"B secret 2").await;
    assert_eq!(b.put_snapshot(2, b"B snapshot").await.status, StatusCode::OK);
    let db = pg.connect().await.unwrap();
    let b_before = dump(&db, &b.account_id).await;

    // A's device on every route.
    assert_eq!(a.push_ok(1, b"A data").await, 1, "A's cursors start at 1, independent of B");
    let pulled = a.pull_all(0).await;
    assert_eq!(pulled.len(), 1);
    assert_eq!(unb64(&pulled[0]["ciphertext"]), b"A data");
    assert_eq!(a.pull(0, None).await.body["latest_cursor"], 1);
    // Query parameters naming the other account are ignored.
    let r = a.get(&format!("/v1/batches?after=0&account_id={}", b.account_id)).await;
    assert_eq!(r.body["batches"].as_array().unwrap().len(), 1);
    let r = a.get("/v1/snapshot").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "B's snapshot is not A's");
    let r = a.put_snapshot(2, b"A snapshot").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "A's latest cursor is 1, B's 2 does not count");
    assert_eq!(a.put_snapshot(1, b"A snapshot").await.status, StatusCode::OK);
    let s = a.status().await;
    assert_eq!(s["account_id"], a.account_id.as_str());
    assert_eq!(s["latest_cursor"], 1);
    let ids: Vec<&str> = s["devices"].as_array().unwrap().iter().map(|d| d["device_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a.device_id.as_str()]);
    // Registering a device on B: with A's key, with A's token, with neither.
    assert_eq!(api.add_device(&b.account_id, &a.auth_key).await.status, StatusCode::UNAUTHORIZED);
    let r = api
        .send(
            Method::POST,
            &format!("/v1/accounts/{}/devices", b.account_id),
            Some(&a.token),
            Some(json!({ "auth_key": b64(&a.auth_key) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A's key does not register on A's account through B's URL either, nor B's key on A's.
    assert_eq!(api.add_device(&a.account_id, &b.auth_key).await.status, StatusCode::UNAUTHORIZED);
    // A new account is a new account.
    let c = api.new_account().await;
    assert_ne!(c.account_id, b.account_id);

    // B sees exactly what it had, and nothing of A.
    assert_eq!(dump(&db, &b.account_id).await, b_before);
    let pulled = b2.pull_all(0).await;
    let texts: Vec<Vec<u8>> = pulled.iter().map(|x| unb64(&x["ciphertext"])).collect();
    assert_eq!(texts, [b"B secret 1".to_vec(), b"B secret 2".to_vec()]);
    assert_eq!(unb64(&b.get("/v1/snapshot").await.body["ciphertext"]), b"B snapshot");
    assert_eq!(b.status().await["devices"].as_array().unwrap().len(), 2);
}
