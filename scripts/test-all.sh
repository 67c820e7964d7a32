#!/usr/bin/env bash
# Everything CI checks, in order, failing on the first error:
# formatting, UI build, clippy, Rust tests, a short fuzz run, bindings freshness, UI unit tests,
# the desktop binary, and the end-to-end suite against that real binary.
#
# KINVAULT_SKIP_E2E=1 skips the end-to-end suite for a quick local run (CI never sets it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Outside the clone so a second CI run on the same machine reuses the build;
# exported so every cargo command below, and e2e.sh, share it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kinvault/target}"
mkdir -p "$CARGO_TARGET_DIR"

START=$SECONDS
STEP_START=$SECONDS
STEP_NAME=""
SUMMARY=()

# Prints a header for each step and the previous step's duration, so a slow
# or failing step is easy to find in CI logs.
step() {
  finish_step
  STEP_NAME="$1"
  STEP_START=$SECONDS
  printf '\n==> %s\n' "$STEP_NAME"
}
finish_step() {
  if [[ -n $STEP_NAME ]]; then
    SUMMARY+=("$(printf '%4ds  %s' $((SECONDS - STEP_START)) "$STEP_NAME")")
  fi
  STEP_NAME=""
}
on_exit() {
  local rc=$?
  if [[ $rc != 0 && -n $STEP_NAME ]]; then
    printf '\n==> FAILED (exit %d) in step: %s\n' "$rc" "$STEP_NAME" >&2
  fi
}
trap on_exit EXIT

has_npm_script() {
  node -e 'process.exit(require(process.argv[1]).scripts?.[process.argv[2]] ? 0 : 1)' \
    "$ROOT/$1/package.json" "$2"
}

step "dependencies (scripts/deps.sh --e2e)"
bash scripts/deps.sh --e2e

step "cargo fmt --check"
cargo fmt --all -- --check

# Before clippy: tauri's generate_context! embeds the built UI at compile time.
step "UI: check and build"
if has_npm_script ui check; then
  npm --prefix ui run check
else
  echo "(ui has no 'check' script; skipped)"
fi
npm --prefix ui run build

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests"
if command -v cargo-nextest >/dev/null; then
  cargo nextest run --workspace --locked
  # nextest does not run doctests.
  cargo test --workspace --locked --doc
else
  # cargo test runs doctests as well.
  cargo test --workspace --locked
fi

step "fuzz the GEDCOM reader briefly (scripts/fuzz.sh 45)"
bash scripts/fuzz.sh 45

step "bindings are up to date (gen-bindings --check)"
cargo run -q --locked -p kinvault-api --bin gen-bindings -- --check

step "UI unit tests"
npm --prefix ui test

step "build desktop app (kinvault-desktop, custom-protocol)"
# --workspace: the same feature set as the test build above, so its artifacts are reused
# (building one package alone re-resolves features and recompiles the whole Tauri stack).
cargo build --locked --workspace

if [[ ${KINVAULT_SKIP_E2E:-} == 1 ]]; then
  finish_step
  printf '\n==> end-to-end suite SKIPPED (KINVAULT_SKIP_E2E=1)\n'
else
  step "end-to-end suite (scripts/e2e.sh)"
  KINVAULT_APP="$CARGO_TARGET_DIR/debug/kinvault-desktop" KINVAULT_DEPS_DONE=1 bash scripts/e2e.sh
  finish_step
fi

printf '\n==> step times\n'
printf '%s\n' "${SUMMARY[@]}"
printf '==> test-all: every step succeeded in %ds\n' $((SECONDS - START))
