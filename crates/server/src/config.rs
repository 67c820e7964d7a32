//! Server configuration: defaults, a TOML file, `KINVAULT_SERVER_*` environment variables and
//! command-line flags, merged in that order (a later layer overrides an earlier one).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// Default request body limit: 32 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Default sustained request rate per device token (and per client IP on the account routes).
pub const DEFAULT_RATE_PER_SEC: f64 = 20.0;
/// Default burst (bucket size) for the rate limits.
pub const DEFAULT_RATE_BURST: u32 = 60;
/// Default maximum number of PostgreSQL connections.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// The resolved, validated configuration of one server instance.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (see [`crate::RunningServer::addr`]).
    pub listen: SocketAddr,
    /// `postgres://user:password@host:port/dbname` or a key=value connection string.
    pub database_url: String,
    /// Largest accepted request body (the whole JSON document); larger ones get 413.
    pub max_body_bytes: usize,
    /// Sustained requests per second allowed per device token.
    pub rate_per_sec: f64,
    /// Requests allowed in a burst per device token.
    pub rate_burst: u32,
    /// Sustained requests per second per client IP on the unauthenticated account/device routes
    /// (and for requests with an unknown token). Defaults to `rate_per_sec`.
    pub ip_rate_per_sec: f64,
    /// Burst per client IP. Defaults to `rate_burst`.
    pub ip_rate_burst: u32,
    /// Maximum PostgreSQL connections in the pool.
    pub pool_size: usize,
    /// When the process's resident memory exceeds this, `/health` reports degraded,
    /// `kinvault_memory_alert` is 1 and a warning is logged once per crossing.
    pub memory_alert_bytes: Option<u64>,
}

impl fmt::Debug for Config {
    // The database URL may carry a password: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_per_sec", &self.rate_per_sec)
            .field("rate_burst", &self.rate_burst)
            .field("ip_rate_per_sec", &self.ip_rate_per_sec)
            .field("ip_rate_burst", &self.ip_rate_burst)
            .field("pool_size", &self.pool_size)
            .field("memory_alert_bytes", &self.memory_alert_bytes)
            .finish()
    }
}

impl Config {
    /// A configuration with every default and the given database URL.
    pub fn new(database_url: impl Into<String>) -> Self {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("valid default"),
            database_url: database_url.into(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_per_sec: DEFAULT_RATE_PER_SEC,
            rate_burst: DEFAULT_RATE_BURST,
            ip_rate_per_sec: DEFAULT_RATE_PER_SEC,
            ip_rate_burst: DEFAULT_RATE_BURST,
            pool_size: DEFAULT_POOL_SIZE,
            memory_alert_bytes: None,
        }
    }

    /// Merges the layers over the defaults (`layers` in increasing precedence, e.g.
    /// `[file, env, flags]`) and validates the result.
    pub fn resolve(layers: &[&ConfigLayer]) -> Result<Config, ConfigError> {
        let mut merged = ConfigLayer::default();
        for layer in layers {
            merged.merge_from(layer);
        }
        let database_url = merged.database_url.ok_or(ConfigError::MissingDatabaseUrl)?;
        let mut config = Config::new(database_url);
        if let Some(listen) = merged.listen {
            config.listen = listen.parse().map_err(|_| {
                ConfigError::invalid("listen", format!("{listen:?} is not an address like 127.0.0.1:8787"))
            })?;
        }
        if let Some(v) = merged.max_body_bytes {
            config.max_body_bytes = v;
        }
        if let Some(v) = merged.rate_per_sec {
            config.rate_per_sec = v;
        }
        if let Some(v) = merged.rate_burst {
            config.rate_burst = v;
        }
        config.ip_rate_per_sec = merged.ip_rate_per_sec.unwrap_or(config.rate_per_sec);
        config.ip_rate_burst = merged.ip_rate_burst.unwrap_or(config.rate_burst);
        if let Some(v) = merged.pool_size {
            config.pool_size = v;
        }
        config.memory_alert_bytes = merged.memory_alert_bytes;
        config.validate()?;
        Ok(config)
    }

    /// Loads `file` (when given) and the environment, then applies `flags` on top.
    pub fn load(file: Option<&Path>, flags: &ConfigLayer) -> Result<Config, ConfigError> {
        let file_layer = match file {
            Some(path) => ConfigLayer::from_file(path)?,
            None => ConfigLayer::default(),
        };
        let env_layer = ConfigLayer::from_env()?;
        Config::resolve(&[&file_layer, &env_layer, flags])
    }

    /// Checks value ranges; [`Config::resolve`] calls it, call it yourself after editing fields.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.database_url.trim().is_empty() {
            return Err(ConfigError::MissingDatabaseUrl);
        }
        tokio_postgres::Config::from_str(&self.database_url)
            .map_err(|e| ConfigError::invalid("database_url", format!("cannot be parsed: {e}")))?;
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::invalid("max_body_bytes", "must be at least 1024".into()));
        }
        for (key, rate) in [("rate_per_sec", self.rate_per_sec), ("ip_rate_per_sec", self.ip_rate_per_sec)] {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(ConfigError::invalid(key, format!("must be a number above 0, not {rate}")));
            }
        }
        for (key, burst) in [("rate_burst", self.rate_burst), ("ip_rate_burst", self.ip_rate_burst)] {
            if burst == 0 {
                return Err(ConfigError::invalid(key, "must be at least 1".into()));
            }
        }
        if self.pool_size == 0 {
            return Err(ConfigError::invalid("pool_size", "must be at least 1".into()));
        }
        if self.memory_alert_bytes == Some(0) {
            return Err(ConfigError::invalid("memory_alert_bytes", "must be above 0 (leave it out to disable)".into()));
        }
        Ok(())
    }
}

/// One source of settings; `None` leaves the value to a lower layer or the default.
/// The TOML file uses these field names as keys.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub rate_per_sec: Option<f64>,
    pub rate_burst: Option<u32>,
    pub ip_rate_per_sec: Option<f64>,
    pub ip_rate_burst: Option<u32>,
    pub pool_size: Option<usize>,
    pub memory_alert_bytes: Option<u64>,
}

impl fmt::Debug for ConfigLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigLayer")
            .field("listen", &self.listen)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_per_sec", &self.rate_per_sec)
            .field("rate_burst", &self.rate_burst)
            .field("ip_rate_per_sec", &self.ip_rate_per_sec)
            .field("ip_rate_burst", &self.ip_rate_burst)
            .field("pool_size", &self.pool_size)
            .field("memory_alert_bytes", &self.memory_alert_bytes)
            .finish()
    }
}

/// Environment variable names, in [`ConfigLayer`] field order.
pub const ENV_VARS: [(&str, &str); 9] = [
    ("listen", "KINVAULT_SERVER_LISTEN"),
    ("database_url", "KINVAULT_SERVER_DATABASE_URL"),
    ("max_body_bytes", "KINVAULT_SERVER_MAX_BODY_BYTES"),
    ("rate_per_sec", "KINVAULT_SERVER_RATE_PER_SEC"),
    ("rate_burst", "KINVAULT_SERVER_RATE_BURST"),
    ("ip_rate_per_sec", "KINVAULT_SERVER_IP_RATE_PER_SEC"),
    ("ip_rate_burst", "KINVAULT_SERVER_IP_RATE_BURST"),
    ("pool_size", "KINVAULT_SERVER_POOL_SIZE"),
    ("memory_alert_bytes", "KINVAULT_SERVER_MEMORY_ALERT_BYTES"),
];

impl ConfigLayer {
    /// Parses a TOML configuration file (unknown keys are errors, so typos are caught).
    pub fn from_toml_str(text: &str) -> Result<ConfigLayer, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::File { path: None, message: e.to_string() })
    }

    /// Reads and parses a TOML configuration file.
    pub fn from_file(path: &Path) -> Result<ConfigLayer, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::File { path: Some(path.to_owned()), message: e.to_string() })?;
        toml::from_str(&text).map_err(|e| ConfigError::File { path: Some(path.to_owned()), message: e.to_string() })
    }

    /// Reads the `KINVAULT_SERVER_*` variables of this process's environment.
    pub fn from_env() -> Result<ConfigLayer, ConfigError> {
        ConfigLayer::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the `KINVAULT_SERVER_*` variables through `get` (testable without touching the
    /// process environment). Empty values count as unset.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<ConfigLayer, ConfigError> {
        let get = |key: &str| {
            let name = ENV_VARS.iter().find(|(k, _)| *k == key).expect("known key").1;
            get(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v))
        };
        fn num<T: FromStr>(found: Option<(&'static str, String)>) -> Result<Option<T>, ConfigError> {
            match found {
                None => Ok(None),
                Some((name, v)) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| ConfigError::Env { name, message: format!("{v:?} is not a valid number") }),
            }
        }
        Ok(ConfigLayer {
            listen: get("listen").map(|(_, v)| v),
            database_url: get("database_url").map(|(_, v)| v),
            max_body_bytes: num(get("max_body_bytes"))?,
            rate_per_sec: num(get("rate_per_sec"))?,
            rate_burst: num(get("rate_burst"))?,
            ip_rate_per_sec: num(get("ip_rate_per_sec"))?,
            ip_rate_burst: num(get("ip_rate_burst"))?,
            pool_size: num(get("pool_size"))?,
            memory_alert_bytes: num(get("memory_alert_bytes"))?,
        })
    }

    /// Takes every value `other` sets.
    pub fn merge_from(&mut self, other: &ConfigLayer) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f.clone(); } )* };
        }
        take!(
            listen,
            database_url,
            max_body_bytes,
            rate_per_sec,
            rate_burst,
            ip_rate_per_sec,
            ip_rate_burst,
            pool_size,
            memory_alert_bytes
        );
    }
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no database URL: pass --database-url, set KINVAULT_SERVER_DATABASE_URL or database_url in the config file"
    )]
    MissingDatabaseUrl,
    #[error("config file{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    File { path: Option<PathBuf>, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: &'static str, message: String },
    #[error("setting {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

impl ConfigError {
    fn invalid(key: &'static str, message: String) -> Self {
        ConfigError::Invalid { key, message }
    }
}

/// The URL with any password replaced by `***` (for logs and Debug output).
pub fn redact_url(url: &str) -> String {
    // URL form: scheme://user:password@host...
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..]);
            }
        }
        return url.to_owned();
    }
    // key=value form: password=secret
    url.split_whitespace()
        .map(|kv| if kv.starts_with("password=") { "password=***" } else { kv })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order() {
        let file = ConfigLayer::from_toml_str(
            "database_url = \"postgres://a@localhost/x\"\nrate_per_sec = 5.0\nrate_burst = 7\npool_size = 3\n",
        )
        .unwrap();
        let env = ConfigLayer::from_vars(|name| match name {
            "KINVAULT_SERVER_RATE_PER_SEC" => Some("9".into()),
            "KINVAULT_SERVER_LISTEN" => Some("0.0.0.0:9000".into()),
            _ => None,
        })
        .unwrap();
        let flags = ConfigLayer { pool_size: Some(4), ..Default::default() };
        let c = Config::resolve(&[&file, &env, &flags]).unwrap();
        assert_eq!(c.database_url, "postgres://a@localhost/x");
        assert_eq!(c.rate_per_sec, 9.0);
        assert_eq!(c.rate_burst, 7);
        assert_eq!(c.ip_rate_per_sec, 9.0, "IP limit follows the device limit unless set");
        assert_eq!(c.pool_size, 4);
        assert_eq!(c.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(c.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(c.memory_alert_bytes, None);
    }

    #[test]
    fn bad_values_are_named() {
        let e = ConfigLayer::from_vars(|n| (n == "KINVAULT_SERVER_POOL_SIZE").then(|| "lots".into())).unwrap_err();
        assert_eq!(e.to_string(), "environment variable KINVAULT_SERVER_POOL_SIZE: \"lots\" is not a valid number");

        let e = ConfigLayer::from_toml_str("databse_url = \"x\"").unwrap_err().to_string();
        assert!(e.contains("unknown field `databse_url`"), "{e}");

        let e = Config::resolve(&[]).unwrap_err();
        assert!(matches!(e, ConfigError::MissingDatabaseUrl));

        let base = ConfigLayer { database_url: Some("postgres://localhost/x".into()), ..Default::default() };
        for (layer, key) in [
            (ConfigLayer { rate_per_sec: Some(0.0), ..base.clone() }, "rate_per_sec"),
            (ConfigLayer { rate_burst: Some(0), ..base.clone() }, "rate_burst"),
            (ConfigLayer { pool_size: Some(0), ..base.clone() }, "pool_size"),
            (ConfigLayer { max_body_bytes: Some(10), ..base.clone() }, "max_body_bytes"),
            (ConfigLayer { listen: Some("localhost".into()), ..base.clone() }, "listen"),
            (ConfigLayer { memory_alert_bytes: Some(0), ..base.clone() }, "memory_alert_bytes"),
            (ConfigLayer { database_url: Some("postgres://h:notaport/x".into()), ..base.clone() }, "database_url"),
        ] {
            let e = Config::resolve(&[&layer]).unwrap_err();
            assert!(matches!(e, ConfigError::Invalid { key: k, .. } if k == key), "{key}: {e}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://kv:s3cret@db:5432/kv"), "postgres://kv:***@db:5432/kv");
        assert_eq!(redact_url("postgres://kv@db/kv"), "postgres://kv@db/kv");
        assert_eq!(redact_url("host=db password=s3cret user=kv"), "host=db password=*** user=kv");
        let c = Config::new("postgres://kv:s3cret@db/kv");
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
