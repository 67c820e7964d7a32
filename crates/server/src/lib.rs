//! The Kinvault sync server.
//!
//! Devices of one account push sealed batches (XChaCha20-Poly1305 under a key the server never
//! has) and pull everyone's batches in cursor order; one sealed snapshot per account lets a new
//! device start without replaying everything. The server stores ciphertext, SHA-256 digests of
//! it, ids, counters and timestamps, SHA-256 of the account auth key and of device tokens, and
//! nothing else. See docs/server.md for the HTTP API, configuration and operations.
//!
//! ```no_run
//! # async fn run() -> Result<(), kinvault_server::ServerError> {
//! let config = kinvault_server::Config::new("postgres://kinvault@localhost/kinvault");
//! let server = kinvault_server::start(config).await?;
//! println!("listening on {}", server.base_url());
//! server.shutdown().await?;
//! # Ok(()) }
//! ```

pub mod config;
pub mod db;
mod error;
mod http;
pub mod memory;
pub mod metrics;
pub mod ratelimit;
mod routes;
mod server;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{Config, ConfigError, ConfigLayer};
pub use db::migrate;
pub use error::ServerError;
pub use routes::{DEFAULT_PULL_LIMIT, MAX_PULL_BYTES, MAX_PULL_LIMIT};
pub use server::{start, RunningServer, ShutdownHandle, SHUTDOWN_GRACE};
