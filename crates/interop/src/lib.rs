//! File formats ⇄ the Kinvault model. No storage: callers stream records in from a reader and
//! out to a vault (import), or from a vault to a writer (export).
//!
//! - [`gedcom`]: GEDCOM 5.5–7.0 (via `kinvault-gedcom`) ⇄ people, families, sources and raw
//!   records. Mapping rules, privacy rules and extension tags: `docs/gedcom.md` and
//!   `docs/gedcom-extensions.md`.

pub mod gedcom;
