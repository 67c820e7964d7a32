//! The test helpers other crates use: the TCP proxy, the blocking server, the cluster fixture.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{random_bytes, Api};
use kinvault_server::testing::{BlockingServer, CutRule, TcpProxy, TestPostgres};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An echo server for testing the proxy on its own; also records every byte it received.
async fn echo_server() -> (std::net::SocketAddr, Arc<Mutex<Vec<u8>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let record = received.clone();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let record = record.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            record.lock().unwrap().extend_from_slice(&buf[..n]);
                            if s.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    (addr, received)
}

/// Reads until EOF/error or `timeout`; returns the bytes and whether the peer closed.
async fn read_some(s: &mut tokio::net::TcpStream, want: usize) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while out.len() < want {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.expect("no answer in time") {
            Ok(0) | Err(_) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (out, false)
}

#[tokio::test]
async fn proxy_forwards_and_cuts_on_demand() {
    let (target, received) = echo_server().await;
    let proxy = TcpProxy::start(target).await.unwrap();
    assert_eq!(proxy.rule(), CutRule::PassThrough);

    // Pass-through both ways.
    let mut c = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    c.write_all(b"hello").await.unwrap();
    assert_eq!(read_some(&mut c, 5).await, (b"hello".to_vec(), false));

    // cut_all closes open connections.
    proxy.cut_all();
    let (_, closed) = read_some(&mut c, 1).await;
    assert!(closed);
    assert_eq!(proxy.cuts(), 1);

    // CutAfterRequestBytes: only the first N bytes get through, then the connection closes; one-shot.
    proxy.set_rule(CutRule::CutAfterRequestBytes(3));
    received.lock().unwrap().clear();
    let mut c = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    c.write_all(b"abcdef").await.unwrap();
    let (_, closed) = read_some(&mut c, 6).await;
    assert!(closed);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(*received.lock().unwrap(), b"abc", "the server got exactly the first 3 bytes");
    assert_eq!(proxy.rule(), CutRule::PassThrough);
    let mut c = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    c.write_all(b"again").await.unwrap();
    assert_eq!(read_some(&mut c, 5).await, (b"again".to_vec(), false));

    // CutOnResponse: the request arrives, the answer does not; one-shot.
    proxy.set_rule(CutRule::CutOnResponse);
    c.write_all(b"lost").await.unwrap();
    let (got, closed) = read_some(&mut c, 4).await;
    assert!(closed && got.is_empty());
    let mut c = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    c.write_all(b"fine").await.unwrap();
    assert_eq!(read_some(&mut c, 4).await, (b"fine".to_vec(), false));

    // Refuse: connections close at once until the rule changes.
    proxy.set_rule(CutRule::Refuse);
    for _ in 0..2 {
        let mut c = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
        let _ = c.write_all(b"x").await;
        assert_eq!(read_some(&mut c, 1).await, (Vec::new(), true));
    }
    proxy.set_rule(CutRule::PassThrough);
    let mut c = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    c.write_all(b"back").await.unwrap();
    assert_eq!(read_some(&mut c, 4).await, (b"back".to_vec(), false));
    assert_eq!(proxy.cuts(), 5);
    assert_eq!(proxy.connections(), 7);
}

/// Connection cut mid-push, both ways: before the server has the whole request (nothing
/// stored, retry stores it) and after it committed (retry is an idempotent duplicate).
#[tokio::test]
async fn connection_cut_mid_push() {
    let pg = TestPostgres::start().unwrap();
    let server = pg.start_server().await.unwrap();
    let proxy = TcpProxy::start(server.addr()).await.unwrap();
    let direct = Api::new(server.base_url());
    let d = direct.new_account().await;
    let via = d.via(Api::fresh_connections(proxy.base_url()));
    let body = random_bytes(256 * 1024);

    // Cut while the request body is on its way.
    proxy.set_rule(CutRule::CutAfterRequestBytes(100 * 1024));
    assert!(via.try_push(1, &body).await.is_err(), "the client sees a broken connection");
    assert_eq!(proxy.cuts(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(d.status().await["last_seq"], 0, "a partial request stores nothing");
    assert_eq!(via.push_ok(1, &body).await, 1);

    // Cut after the server committed, before the client hears back.
    proxy.set_rule(CutRule::CutOnResponse);
    let other = random_bytes(1000);
    assert!(via.try_push(2, &other).await.is_err());
    assert_eq!(proxy.cuts(), 2);
    let r = via.push(2, &other).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, serde_json::json!({ "cursor": 2, "duplicate": true }), "the retry finds the stored batch");
    assert_eq!(via.pull_all(0).await.len(), 2);
}

fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Synchronous tests (e.g. a blocking HTTP client) get everything from one value.
#[test]
fn blocking_server_restarts_on_the_same_address() {
    let mut env = BlockingServer::start_with(|c| c.pool_size = 2).unwrap();
    let addr = env.addr();
    assert_eq!(env.base_url(), format!("http://{addr}"));
    assert!(http_get(addr, "/health").starts_with("HTTP/1.1 200"));
    env.stop().unwrap();
    assert!(TcpStream::connect(addr).is_err());
    env.start_again().unwrap();
    assert!(http_get(addr, "/health").starts_with("HTTP/1.1 200"));
    env.kill().unwrap();
    env.config_mut().memory_alert_bytes = Some(1);
    env.start_again().unwrap();
    assert!(http_get(addr, "/health").starts_with("HTTP/1.1 503"), "restarted with the new config");

    // A proxy on the env's runtime, controlled from sync code.
    let proxy = env.proxy().unwrap();
    assert!(http_get(proxy.addr(), "/metrics").contains("kinvault_memory_alert 1"));
    proxy.set_rule(CutRule::Refuse);
    let mut s = TcpStream::connect(proxy.addr()).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);

    // The database can go away and come back under a running server.
    env.postgres_mut().stop().unwrap();
    assert!(!env.postgres().is_running());
    env.postgres_mut().resume().unwrap();
    let data_dir = env.postgres().data_dir();
    assert!(data_dir.exists());
    drop(proxy);
    drop(env);
    assert!(!data_dir.exists(), "the cluster is deleted on drop");
}

#[test]
fn test_postgres_is_private_and_cleaned_up() {
    let pg = TestPostgres::start().unwrap();
    let url = pg.url();
    assert!(url.starts_with("postgres://postgres@127.0.0.1:"), "{url}");
    let root = pg.data_dir().parent().unwrap().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = pg.connect().await.unwrap();
        let row =
            db.query_one("SELECT current_setting('listen_addresses'), current_setting('fsync')", &[]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "127.0.0.1");
        assert_eq!(row.get::<_, String>(1), "off");
    });
    let port = pg.port();
    drop(pg);
    assert!(!root.exists());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "postgres stopped");
}
