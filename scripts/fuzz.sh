#!/usr/bin/env bash
# Fuzzes the GEDCOM reader with cargo-fuzz (libFuzzer + AddressSanitizer) for a while.
#
#   scripts/fuzz.sh [SECONDS]      # default 60; CI runs it briefly, see docs/gedcom.md for long runs
#
# Installs cargo-fuzz when missing. Works on a stable toolchain (RUSTC_BOOTSTRAP=1 lets it use
# the nightly-only sanitizer flags). The corpus is seeded from the conformance files; a crash
# fails the script and leaves the input in crates/gedcom/fuzz/artifacts/reader/.
set -euo pipefail

SECONDS_TO_RUN="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFORMANCE="${KINVAULT_CONFORMANCE_DIR:-$ROOT/../shared/conformance/gedcom}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kinvault/target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz@0.13.2
fi

cd "$ROOT/crates/gedcom/fuzz"
CORPUS="$CARGO_TARGET_DIR/fuzz-corpus/reader"
mkdir -p "$CORPUS"
if [[ -d $CONFORMANCE ]]; then
  find "$CONFORMANCE" -type f \( -name '*.ged' -o -name '*.GED' \) -size -64k -exec cp -n {} "$CORPUS/" \;
else
  echo "conformance corpus not found at $CONFORMANCE; starting from an empty corpus" >&2
fi
echo "fuzzing the reader for ${SECONDS_TO_RUN}s (corpus: $(find "$CORPUS" -type f | wc -l) files)"
RUSTC_BOOTSTRAP=1 cargo fuzz run --target-dir "$CARGO_TARGET_DIR/fuzz" reader "$CORPUS" -- \
  -max_total_time="$SECONDS_TO_RUN" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
