#!/usr/bin/env bash
# Validates FHIR JSON files with Python's fhir.resources (R4B models; see tests/fhir/validate.py).
#
#   scripts/fhir-validate.sh FILE...
#
# Creates (once) a virtualenv at $CARGO_TARGET_DIR/py-venv (default: target/py-venv) with a
# pinned fhir.resources from PyPI. Exit codes: 0 all valid, 1 some file invalid, 2 usage,
# 3 the validator could not be set up (no python3, no venv module, PyPI unreachable) — the Rust
# tests treat 3 as "tool missing": a skip on a developer machine, a failure in CI.
set -euo pipefail

FHIR_RESOURCES_VERSION=8.3.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET/py-venv"

if (($# == 0)); then
  echo "usage: scripts/fhir-validate.sh FILE..." >&2
  exit 2
fi
setup_failed() {
  echo "fhir-validate: $*" >&2
  exit 3
}
command -v python3 >/dev/null || setup_failed "python3 not found (Debian: python3 python3-venv)"

mkdir -p "$TARGET"
# Tests run in parallel: one of them sets the venv up, the others wait.
exec 9>"$VENV.lock"
flock 9
if ! "$VENV/bin/python" -c "import fhir.resources as f, sys; sys.exit(f.__version__ != '$FHIR_RESOURCES_VERSION')" \
  2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || setup_failed "python3 -m venv failed (Debian: python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "fhir.resources==$FHIR_RESOURCES_VERSION" >&2 ||
    setup_failed "pip could not install fhir.resources==$FHIR_RESOURCES_VERSION"
fi
flock -u 9

exec "$VENV/bin/python" "$ROOT/tests/fhir/validate.py" "$@"
