#!/usr/bin/env bash
# Build and launch the Kinvault desktop app (debug build, bundled UI).
# Extra arguments are passed to the app. A first run lands on "create a vault".
# Set KINVAULT_DATA_DIR to keep this run's config and default vault location
# away from your real ones.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Same default as test-all.sh, so the app built by either is reused by the other.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kinvault/target}"

bash scripts/deps.sh
npm --prefix ui run build
# custom-protocol serves the built ui/ from inside the binary instead of
# expecting a dev server on localhost.
exec cargo run -p kinvault-desktop --features custom-protocol -- "$@"
