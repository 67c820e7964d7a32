//! Starting and stopping a server instance: migrations, the listener, the accept loop.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

use crate::config::Config;
use crate::db;
use crate::error::ServerError;
use crate::http::AppState;
use crate::memory::MemoryWatch;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::routes;

/// How long a graceful shutdown waits for requests in flight before closing their connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// A client must send its request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the memory alert is checked in the background (besides `/health`, `/metrics`).
const MEMORY_CHECK_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Stop accepting, let requests in flight finish (up to [`SHUTDOWN_GRACE`]).
    Graceful,
    /// Stop accepting and drop every connection now, as a crash would.
    Abort,
}

/// Asks a running server to stop gracefully; cheap to clone, usable from signal handlers.
#[derive(Debug, Clone)]
pub struct ShutdownHandle(watch::Sender<Option<Stop>>);

impl ShutdownHandle {
    /// Starts a graceful shutdown (returns at once; [`RunningServer::wait`] waits for the end).
    pub fn shutdown(&self) {
        self.0.send_if_modified(|s| s.is_none() && s.replace(Stop::Graceful).is_none());
    }
}

/// A server listening on [`RunningServer::addr`]; dropping it starts a graceful shutdown.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: watch::Sender<Option<Stop>>,
    task: Option<JoinHandle<()>>,
}

/// Migrates the database, binds `config.listen` (port 0 picks a free port) and serves in a
/// background task of the current tokio runtime.
pub async fn start(config: Config) -> Result<RunningServer, ServerError> {
    config.validate()?;
    let pool = db::create_pool(&config)?;
    {
        let mut client = pool.get().await?;
        let applied = db::run_migrations(&mut client).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "database migrated");
        }
    }
    let listener =
        TcpListener::bind(config.listen).await.map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let metrics = Metrics::new(config.memory_alert_bytes);
    let state = Arc::new(AppState {
        memory: MemoryWatch::new(config.memory_alert_bytes, metrics.memory_alert.clone()),
        device_limiter: RateLimiter::new(config.rate_per_sec, config.rate_burst),
        ip_limiter: RateLimiter::new(config.ip_rate_per_sec, config.ip_rate_burst),
        metrics,
        pool,
        config,
        db_healthy: AtomicBool::new(true),
    });
    let (stop, stop_rx) = watch::channel(None);
    let app = routes::router(state.clone());
    let task = tokio::spawn(async move {
        let memory_task = state.config.memory_alert_bytes.is_some().then(|| {
            let state = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(MEMORY_CHECK_EVERY);
                loop {
                    tick.tick().await;
                    state.memory.check();
                }
            })
        });
        serve(listener, app, stop_rx).await;
        if let Some(t) = memory_task {
            t.abort();
        }
        state.pool.close();
        tracing::info!(%addr, "server stopped");
    });
    tracing::info!(%addr, "kinvault-server listening");
    Ok(RunningServer { addr, stop, task: Some(task) })
}

impl RunningServer {
    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A handle that can start a graceful shutdown from elsewhere (e.g. a signal handler).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.stop.clone())
    }

    /// Stops accepting, lets requests in flight finish (closing what is still open after
    /// [`SHUTDOWN_GRACE`]), closes the database pool, and returns when all is done.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        self.shutdown_handle().shutdown();
        self.join().await
    }

    /// Drops every connection at once, requests in flight included (like a crash of the
    /// process, though transactions in flight still roll back cleanly), and returns when done.
    pub async fn abort(mut self) -> Result<(), ServerError> {
        self.stop.send_replace(Some(Stop::Abort));
        self.join().await
    }

    /// Waits until the server has stopped (after [`ShutdownHandle::shutdown`]).
    pub async fn wait(mut self) -> Result<(), ServerError> {
        self.join().await
    }

    async fn join(&mut self) -> Result<(), ServerError> {
        match self.task.take() {
            Some(task) => task.await.map_err(|e| ServerError::Task(e.to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if self.task.is_some() {
            self.stop.send_if_modified(|s| s.is_none() && s.replace(Stop::Graceful).is_none());
        }
    }
}

/// The accept loop: HTTP/1.1 connections served by `app`, each with the peer address as
/// `ConnectInfo`, until `stop` says otherwise.
async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<Option<Stop>>) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mode = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let app = app.clone();
                    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        app.clone().oneshot(req)
                    });
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_READ_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    connections.spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            changed = stop.changed() => {
                let requested = *stop.borrow();
                match (changed, requested) {
                    (_, Some(mode)) => break mode,
                    (Err(_), None) => break Stop::Graceful, // every sender dropped
                    (Ok(()), None) => {}
                }
            }
        }
    };
    drop(listener);
    if mode == Stop::Graceful {
        tokio::select! {
            _ = graceful.shutdown() => {}
            _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
                tracing::warn!(open = connections.len(), "connections still busy after the grace period: closing them");
            }
            // An abort requested while waiting cuts the wait short.
            _ = async {
                loop {
                    if stop.changed().await.is_err() {
                        std::future::pending::<()>().await; // handle dropped: keep waiting
                    }
                    if *stop.borrow() == Some(Stop::Abort) {
                        break;
                    }
                }
            } => {}
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
