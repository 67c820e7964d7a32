//! A server instance tests can stop, kill and start again on the same address.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::{start, Config, RunningServer, ServerError};

/// How long [`TestServer::start_again`] retries binding the old address.
const REBIND_FOR: Duration = Duration::from_secs(5);

/// A server for tests: after the first start its address is fixed, so clients configured
/// with [`TestServer::base_url`] reach the restarted instance too.
#[derive(Debug)]
pub struct TestServer {
    config: Config,
    addr: SocketAddr,
    server: Option<RunningServer>,
}

impl TestServer {
    /// Starts a server with `config` (port 0 picks a free port, kept for restarts).
    pub async fn start(config: Config) -> Result<TestServer, ServerError> {
        let server = start(config.clone()).await?;
        let addr = server.addr();
        Ok(TestServer { config: Config { listen: addr, ..config }, addr, server: Some(server) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The configuration used (and used again by restarts), with the bound address.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The configuration a later [`TestServer::start_again`] uses (e.g. to change limits).
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    pub fn is_running(&self) -> bool {
        self.server.is_some()
    }

    /// Graceful stop: requests in flight finish, then the port is free.
    pub async fn stop(&mut self) -> Result<(), ServerError> {
        match self.server.take() {
            Some(server) => server.shutdown().await,
            None => Ok(()),
        }
    }

    /// Abrupt stop: every connection is dropped at once, mid-request or not.
    pub async fn kill(&mut self) -> Result<(), ServerError> {
        match self.server.take() {
            Some(server) => server.abort().await,
            None => Ok(()),
        }
    }

    /// Starts a stopped server again on the same address and database.
    pub async fn start_again(&mut self) -> Result<(), ServerError> {
        if self.server.is_some() {
            return Ok(());
        }
        let deadline = Instant::now() + REBIND_FOR;
        loop {
            match start(self.config.clone()).await {
                Ok(server) => {
                    self.server = Some(server);
                    return Ok(());
                }
                // Another process may hold the port for a moment; anything else is final.
                Err(ServerError::Bind { .. }) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// [`TestServer::stop`] then [`TestServer::start_again`].
    pub async fn restart(&mut self) -> Result<(), ServerError> {
        self.stop().await?;
        self.start_again().await
    }
}
