//! PostgreSQL: the connection pool and the versioned migrations embedded in the binary.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{Client, NoTls};

use crate::config::Config;
use crate::error::ServerError;

/// One schema change, applied once, in its own transaction.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in version order. Append only: never edit one that has shipped.
pub const MIGRATIONS: &[Migration] =
    &[Migration { version: 1, name: "initial", sql: include_str!("../migrations/0001_initial.sql") }];

/// `pg_advisory_xact_lock` key serialising concurrent migrators ("kvsrv").
const MIGRATION_LOCK: i64 = 0x006b_7673_7276;

/// How long a request waits for a pooled connection, or for a new one to be made.
pub(crate) const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds the connection pool (connections are made lazily).
pub fn create_pool(config: &Config) -> Result<Pool, ServerError> {
    let mut pg = tokio_postgres::Config::from_str(&config.database_url)?;
    if pg.get_connect_timeout().is_none() {
        pg.connect_timeout(POOL_TIMEOUT);
    }
    if pg.get_application_name().is_none() {
        pg.application_name("kinvault-server");
    }
    let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(config.pool_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .recycle_timeout(Some(POOL_TIMEOUT))
        .build()
        .map_err(|e| ServerError::Pool(e.to_string()))
}

/// Applies every migration the database lacks; returns the versions applied now (empty when
/// the schema was already current). Safe to run from several processes at once.
pub async fn run_migrations(client: &mut Client) -> Result<Vec<i32>, ServerError> {
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await?;
        let found: Option<i32> = tx.query_one("SELECT max(version) FROM schema_migrations", &[]).await?.get(0);
        tx.commit().await?;
        if let Some(found) = found.filter(|&v| v > known) {
            return Err(ServerError::SchemaTooNew { found, known });
        }
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let fail = |source| ServerError::Migration { version: m.version, name: m.name, source };
        let tx = client.transaction().await.map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(fail)?;
        let done = tx
            .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[&m.version])
            .await
            .map_err(fail)?
            .is_some();
        if done {
            continue; // the transaction rolls back on drop; nothing was written
        }
        tx.batch_execute(m.sql).await.map_err(fail)?;
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&m.version, &m.name])
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    Ok(applied)
}

/// Connects once (no pool) and applies the migrations: what `kinvault-server migrate` runs.
pub async fn migrate(config: &Config) -> Result<Vec<i32>, ServerError> {
    let pool = create_pool(&Config { pool_size: 1, ..config.clone() })?;
    let mut client = pool.get().await?;
    let applied = run_migrations(&mut client).await?;
    Ok(applied)
}
