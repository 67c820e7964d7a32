#!/usr/bin/env bash
# Sync load benchmark (issue 9): builds kinvault-server and the harness in release mode and runs
# it. Arguments go to sync-load unchanged:
#
#   scripts/bench-sync.sh                                          # 100k initial sync; 16 clients, 20 s
#   scripts/bench-sync.sh --records 100000 --clients 1,4,16 --seconds 20
#   scripts/bench-sync.sh --records 0 --clients 4 --seconds 5      # concurrency only, short
#   scripts/bench-sync.sh --help                                   # every option
#
# It starts a throwaway PostgreSQL cluster (needs the PostgreSQL server binaries, as the server's
# tests do: scripts/deps.sh installs them) and the real kinvault-server binary as a child process
# on 127.0.0.1; both are stopped when it ends. The results (Markdown) go to standard output,
# progress to standard error; see docs/benchmarks.md for what each column means.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[bench-sync] %s\n' "$*" >&2; }

command -v cargo >/dev/null || {
  log "cargo not found (install Rust via rustup; add ~/.cargo/bin to PATH)"
  exit 1
}
cd "$ROOT"
log "building kinvault-server and sync-load (release)"
cargo build --release --locked -p kinvault-server -p kinvault-bench --bin sync-load --bin kinvault-server >&2
# The server binary is next to sync-load in the same target directory; sync-load finds it there.
exec cargo run --release --locked -q -p kinvault-bench --bin sync-load -- "$@"
