//! Errors of starting and running the server (not HTTP errors: see `http::ApiError`).

use std::net::SocketAddr;

use crate::config::ConfigError;

/// Why the server could not start, migrate or serve.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("database connection pool: {0}")]
    Pool(String),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i32,
        name: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error(
        "the database schema is at version {found}, newer than this server knows ({known}); upgrade kinvault-server"
    )]
    SchemaTooNew { found: i32, known: i32 },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server task failed: {0}")]
    Task(String),
}

impl From<deadpool_postgres::PoolError> for ServerError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => ServerError::Database(e),
            other => ServerError::Pool(other.to_string()),
        }
    }
}
