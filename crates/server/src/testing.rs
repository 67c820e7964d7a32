//! Test helpers (cargo feature `testing`): a throwaway PostgreSQL cluster, a server instance
//! that can be stopped, killed and restarted on the same address and database, a TCP proxy that
//! cuts connections on demand, and a blocking wrapper for tests without a tokio runtime.
//!
//! ```no_run
//! use kinvault_server::testing::{TestPostgres, CutRule, TcpProxy};
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let pg = TestPostgres::start()?;          // initdb + pg_ctl start on a free port
//! let mut server = pg.start_server().await?; // migrated, listening on 127.0.0.1:<free port>
//! let proxy = TcpProxy::start(server.addr()).await?;
//! // ... point a client at proxy.base_url() ...
//! proxy.set_rule(CutRule::CutOnResponse);    // the next response never arrives
//! server.restart().await?;                   // same address, same database
//! # Ok(()) }
//! ```

mod blocking;
mod postgres;
mod proxy;
mod server;

pub use blocking::BlockingServer;
pub use postgres::TestPostgres;
pub use proxy::{CutRule, TcpProxy};
pub use server::TestServer;

/// Why a test fixture could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TestingError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in $KINVAULT_PG_BIN, PATH or \
         /usr/lib/postgresql/*/bin; install PostgreSQL (Debian: apt-get install postgresql; \
         scripts/deps.sh does it)"
    )]
    PostgresNotFound,
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} failed ({status}): {output}")]
    Command { what: String, status: String, output: String },
    #[error(transparent)]
    Server(#[from] crate::ServerError),
}
