//! `kinvault-server`: runs the sync server, or applies database migrations.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use kinvault_server::{Config, ConfigLayer};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "kinvault-server",
    version,
    about = "Kinvault sync server: stores end-to-end-encrypted batches and snapshots in PostgreSQL.",
    after_help = "Settings come from, lowest precedence first: defaults, the --config file (TOML, keys as the \
                  long flags with underscores), KINVAULT_SERVER_* environment variables (LISTEN, DATABASE_URL, \
                  MAX_BODY_BYTES, RATE_PER_SEC, RATE_BURST, IP_RATE_PER_SEC, IP_RATE_BURST, POOL_SIZE, \
                  MEMORY_ALERT_BYTES), then flags. Logs go to stderr; RUST_LOG filters them (default: info)."
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8787].
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// PostgreSQL URL (prefer the environment variable or the file: flags show in `ps`).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Largest request body in bytes [default: 33554432].
    #[arg(long, global = true, value_name = "BYTES")]
    max_body_bytes: Option<usize>,
    /// Sustained requests per second per device token [default: 20].
    #[arg(long, global = true, value_name = "N")]
    rate_per_sec: Option<f64>,
    /// Burst of requests per device token [default: 60].
    #[arg(long, global = true, value_name = "N")]
    rate_burst: Option<u32>,
    /// Requests per second per client IP on the account routes [default: --rate-per-sec].
    #[arg(long, global = true, value_name = "N")]
    ip_rate_per_sec: Option<f64>,
    /// Burst per client IP on the account routes [default: --rate-burst].
    #[arg(long, global = true, value_name = "N")]
    ip_rate_burst: Option<u32>,
    /// Most PostgreSQL connections [default: 16].
    #[arg(long, global = true, value_name = "N")]
    pool_size: Option<usize>,
    /// Resident memory above which /health reports degraded and an alert is logged.
    #[arg(long, global = true, value_name = "BYTES")]
    memory_alert_bytes: Option<u64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve until SIGINT/SIGTERM (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the resolved configuration (password redacted) and exit.
    CheckConfig,
}

impl Cli {
    fn flags(&self) -> ConfigLayer {
        ConfigLayer {
            listen: self.listen.map(|a| a.to_string()),
            database_url: self.database_url.clone(),
            max_body_bytes: self.max_body_bytes,
            rate_per_sec: self.rate_per_sec,
            rate_burst: self.rate_burst,
            ip_rate_per_sec: self.ip_rate_per_sec,
            ip_rate_burst: self.ip_rate_burst,
            pool_size: self.pool_size,
            memory_alert_bytes: self.memory_alert_bytes,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let config = Config::load(cli.config.as_deref(), &cli.flags()).context("invalid configuration")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::CheckConfig => {
            println!("{config:#?}");
            Ok(())
        }
        Command::Migrate => {
            let applied = kinvault_server::migrate(&config).await.context("migrating the database")?;
            if applied.is_empty() {
                println!("database schema is up to date");
            } else {
                println!("applied migrations: {applied:?}");
            }
            Ok(())
        }
        Command::Serve => {
            let server = kinvault_server::start(config).await.context("starting the server")?;
            let handle = server.shutdown_handle();
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("shutdown requested");
                handle.shutdown();
            });
            server.wait().await.context("server failed")
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
