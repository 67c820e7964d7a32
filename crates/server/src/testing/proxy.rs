//! A TCP proxy for tests that cuts connections on demand.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does to traffic. The two `Cut…` rules are one-shot: after cutting one
/// connection the rule goes back to [`CutRule::PassThrough`] (see [`TcpProxy::cuts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutRule {
    /// Forward everything both ways.
    PassThrough,
    /// Once this many bytes from clients (all connections, counted from
    /// [`TcpProxy::set_rule`]) have been forwarded, close the connection that carried the last
    /// of them; the rest of its request never reaches the server. E.g. set it to a few hundred
    /// bytes before a push to cut the request mid-body.
    CutAfterRequestBytes(u64),
    /// Forward requests, but close the connection as soon as the server starts answering:
    /// the server has done the work (a push is committed), the client never hears of it.
    CutOnResponse,
    /// Accept new connections and close them at once (like a server that is down).
    Refuse,
}

struct Shared {
    target: SocketAddr,
    rule: Mutex<CutRule>,
    client_bytes: AtomicU64,
    accepted: AtomicU64,
    cuts: AtomicU64,
    cut_all: watch::Sender<u64>,
}

impl Shared {
    fn rule(&self) -> std::sync::MutexGuard<'_, CutRule> {
        self.rule.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Listens on 127.0.0.1 and forwards each connection to the target. Stops on drop.
pub struct TcpProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for TcpProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpProxy").field("addr", &self.addr).field("target", &self.shared.target).finish()
    }
}

impl TcpProxy {
    /// Starts a proxy to `target` on a free 127.0.0.1 port (in the current tokio runtime).
    pub async fn start(target: SocketAddr) -> std::io::Result<TcpProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            target,
            rule: Mutex::new(CutRule::PassThrough),
            client_bytes: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            cuts: AtomicU64::new(0),
            cut_all: watch::channel(0).0,
        });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(TcpProxy { addr, shared, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the rule for traffic from now on (and restarts the byte count).
    pub fn set_rule(&self, rule: CutRule) {
        let mut current = self.shared.rule();
        self.shared.client_bytes.store(0, Ordering::SeqCst);
        *current = rule;
    }

    /// The rule in force (a one-shot rule that fired reads as `PassThrough`).
    pub fn rule(&self) -> CutRule {
        *self.shared.rule()
    }

    /// Closes every connection open now; new ones are accepted as usual.
    pub fn cut_all(&self) {
        self.shared.cut_all.send_modify(|n| *n += 1);
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Connections closed by a rule or by [`TcpProxy::cut_all`] so far.
    pub fn cuts(&self) -> u64 {
        self.shared.cuts.load(Ordering::SeqCst)
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut_all();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        if *shared.rule() == CutRule::Refuse {
            shared.cuts.fetch_add(1, Ordering::SeqCst);
            drop(client);
            continue;
        }
        tokio::spawn(relay(client, shared.clone()));
    }
}

async fn relay(client: TcpStream, shared: Arc<Shared>) {
    let mut cut_all = shared.cut_all.subscribe();
    let Ok(server) = TcpStream::connect(shared.target).await else { return };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut up = vec![0u8; 64 * 1024];
    let mut down = vec![0u8; 64 * 1024];
    let cut = |shared: &Shared| shared.cuts.fetch_add(1, Ordering::SeqCst);
    loop {
        tokio::select! {
            _ = cut_all.changed() => {
                cut(&shared);
                break;
            }
            read = client_read.read(&mut up) => {
                let n = match read { Ok(0) | Err(_) => break, Ok(n) => n };
                let (forward, cut_now) = {
                    let mut rule = shared.rule();
                    match *rule {
                        CutRule::CutAfterRequestBytes(limit) => {
                            let before = shared.client_bytes.fetch_add(n as u64, Ordering::SeqCst);
                            if before + n as u64 >= limit {
                                *rule = CutRule::PassThrough;
                                (limit.saturating_sub(before) as usize, true)
                            } else {
                                (n, false)
                            }
                        }
                        _ => (n, false),
                    }
                };
                if forward > 0 && server_write.write_all(&up[..forward]).await.is_err() {
                    break;
                }
                if cut_now {
                    cut(&shared);
                    break;
                }
            }
            read = server_read.read(&mut down) => {
                let n = match read { Ok(0) | Err(_) => break, Ok(n) => n };
                {
                    let mut rule = shared.rule();
                    if *rule == CutRule::CutOnResponse {
                        *rule = CutRule::PassThrough;
                        drop(rule);
                        cut(&shared);
                        break;
                    }
                }
                if client_write.write_all(&down[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    // Dropping the halves closes both sockets.
}
