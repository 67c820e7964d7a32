//! GEDCOM import/export benchmark harness (issue 3): Kinvault's import into an encrypted
//! vault and export, against ged_io's parser and the Gramps CLI, on synthetic files of any
//! size from kinvault-synth.
//!
//! Run it with `cargo run --release -p kinvault-bench --bin gedcom-bench -- --help` or
//! `scripts/bench-gedcom.sh`; docs/benchmarks.md explains the columns.
//!
//! - [`run`]: the harness — generate each size's file, measure each operation in a child
//!   process of its own ([`child`]), collect a [`run::Report`];
//! - [`peak`]: peak RSS (`VmHWM`, `clear_refs`, `wait4`);
//! - [`report`]: the Markdown table and the targets' verdicts;
//! - [`machine`]: CPU, cores, RAM, date, load.

pub mod child;
pub mod machine;
pub mod peak;
pub mod report;
pub mod run;

pub use run::{run, Op, Options, Outcome, Report};
