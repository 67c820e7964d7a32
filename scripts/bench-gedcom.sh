#!/usr/bin/env bash
# GEDCOM import/export benchmark (issue 3): installs the peers when missing, builds the
# harness in release mode and runs it. Arguments go to gedcom-bench unchanged:
#
#   scripts/bench-gedcom.sh                                   # 10k, 100k, 200k, 1M; ged_io + Gramps (10k)
#   scripts/bench-gedcom.sh --sizes 10000,100000 --runs 3     # median of 3 runs
#   scripts/bench-gedcom.sh --no-peers --keep /tmp/bench      # Kinvault only, keep the files
#   scripts/bench-gedcom.sh --help                            # every option
#
# Gramps comes from Debian (`apt-get install gramps`, with sudo when not root). ged_io is a
# crate, built with the harness. The results table goes to standard output, progress to
# standard error; see docs/benchmarks.md for what each column means.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[bench-gedcom] %s\n' "$*" >&2; }

peers=1
for arg in "$@"; do
  case "$arg" in
    --no-peers) peers=0 ;;
    -h | --help) peers=0 ;;
  esac
done

# Gramps: only what the benchmark needs (the CLI), not its recommended extras.
if [[ $peers == 1 ]] && ! command -v gramps >/dev/null; then
  SUDO=()
  if [[ $(id -u) != 0 ]]; then
    if command -v sudo >/dev/null; then
      SUDO=(sudo)
    else
      log "not root and no sudo: cannot install gramps; its row will say 'not installed'"
    fi
  fi
  if [[ $(id -u) == 0 || ${#SUDO[@]} -gt 0 ]]; then
    log "installing Debian package gramps (Gramps CLI, the import peer)"
    export DEBIAN_FRONTEND=noninteractive
    if "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends gramps >/dev/null; then
      log "gramps installed: $(command -v gramps)"
    else
      log "could not install gramps; its row will say 'not installed'"
    fi
  fi
fi

command -v cargo >/dev/null || {
  log "cargo not found (install Rust via rustup; add ~/.cargo/bin to PATH)"
  exit 1
}
cd "$ROOT"
log "building gedcom-bench (release)"
cargo build --release --locked -p kinvault-bench --bin gedcom-bench >&2
exec cargo run --release --locked -q -p kinvault-bench --bin gedcom-bench -- "$@"
