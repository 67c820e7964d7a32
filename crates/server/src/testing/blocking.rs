//! PostgreSQL + server + tokio runtime in one value, for tests with blocking HTTP clients.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::runtime::Runtime;

use super::{TcpProxy, TestPostgres, TestServer, TestingError};
use crate::Config;

/// A database and a server running on a runtime of their own (two worker threads), driven
/// from synchronous test code: `BlockingServer::start()?.base_url()` and go. Must not be
/// created or dropped inside an async context.
#[derive(Debug)]
pub struct BlockingServer {
    // Field order is drop order: server, then runtime, then the database.
    server: Option<TestServer>,
    runtime: Option<Runtime>,
    postgres: TestPostgres,
}

impl BlockingServer {
    /// A fresh cluster and a server with [`TestPostgres::server_config`].
    pub fn start() -> Result<BlockingServer, TestingError> {
        BlockingServer::start_with(|_| {})
    }

    /// Like [`BlockingServer::start`], with the configuration adjusted first (limits etc.).
    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> Result<BlockingServer, TestingError> {
        let postgres = TestPostgres::start()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("kinvault-test-server")
            .build()
            .map_err(|source| TestingError::Io { what: "starting a tokio runtime".into(), source })?;
        let mut config = postgres.server_config();
        adjust(&mut config);
        let server = runtime.block_on(TestServer::start(config))?;
        Ok(BlockingServer { server: Some(server), runtime: Some(runtime), postgres })
    }

    fn server(&self) -> &TestServer {
        self.server.as_ref().expect("present until drop")
    }

    fn server_mut(&mut self) -> &mut TestServer {
        self.server.as_mut().expect("present until drop")
    }

    /// Runs a future on the server's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.as_ref().expect("present until drop").block_on(future)
    }

    pub fn addr(&self) -> SocketAddr {
        self.server().addr()
    }

    /// `http://127.0.0.1:PORT` (the same across restarts).
    pub fn base_url(&self) -> String {
        self.server().base_url()
    }

    pub fn postgres(&self) -> &TestPostgres {
        &self.postgres
    }

    /// For stopping and resuming the database.
    pub fn postgres_mut(&mut self) -> &mut TestPostgres {
        &mut self.postgres
    }

    /// The configuration restarts use; change it before [`BlockingServer::start_again`].
    pub fn config_mut(&mut self) -> &mut Config {
        self.server_mut().config_mut()
    }

    pub fn is_running(&self) -> bool {
        self.server().is_running()
    }

    /// Graceful stop.
    pub fn stop(&mut self) -> Result<(), TestingError> {
        let mut server = self.server.take().expect("present until drop");
        let result = self.block_on(server.stop());
        self.server = Some(server);
        Ok(result?)
    }

    /// Abrupt stop: every connection dropped at once.
    pub fn kill(&mut self) -> Result<(), TestingError> {
        let mut server = self.server.take().expect("present until drop");
        let result = self.block_on(server.kill());
        self.server = Some(server);
        Ok(result?)
    }

    /// Starts the stopped server again on the same address and database.
    pub fn start_again(&mut self) -> Result<(), TestingError> {
        let mut server = self.server.take().expect("present until drop");
        let result = self.block_on(server.start_again());
        self.server = Some(server);
        Ok(result?)
    }

    /// Stop, then start again.
    pub fn restart(&mut self) -> Result<(), TestingError> {
        self.stop()?;
        self.start_again()
    }

    /// A [`TcpProxy`] in front of the server, running on the server's runtime.
    pub fn proxy(&self) -> Result<TcpProxy, TestingError> {
        let addr = self.addr();
        self.block_on(TcpProxy::start(addr))
            .map_err(|source| TestingError::Io { what: "starting the TCP proxy".into(), source })
    }
}

impl Drop for BlockingServer {
    fn drop(&mut self) {
        if let (Some(mut server), Some(runtime)) = (self.server.take(), self.runtime.as_ref()) {
            let _ = runtime.block_on(server.kill());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }
}
