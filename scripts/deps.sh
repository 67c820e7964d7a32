#!/usr/bin/env bash
# Install what building (and, with --e2e, end-to-end testing) Kinvault needs on a
# fresh Debian 12 / Ubuntu machine. Idempotent: every step checks first and does
# nothing when already satisfied, so test-all.sh and run-app.sh call it each time.
#
#   scripts/deps.sh          system libraries for Tauri/WebKitGTK + ui/ node_modules
#   scripts/deps.sh --e2e    also webkit2gtk-driver, xvfb, tauri-driver, tests/e2e node_modules
set -euo pipefail

E2E=0
for arg in "$@"; do
  case "$arg" in
    --e2e) E2E=1 ;;
    -h | --help)
      sed -n '2,8p' "$0"
      exit 0
      ;;
    *)
      echo "deps.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Pinned so a fresh machine gets the driver these tests were written against.
TAURI_DRIVER_VERSION=2.1.0

log() { printf '[deps] %s\n' "$*"; }
die() {
  printf '[deps] ERROR: %s\n' "$*" >&2
  exit 1
}

# --- Debian packages ---------------------------------------------------------
# Build: WebKitGTK 4.1 and friends that the tauri/wry crates link against.
APT_PACKAGES=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev file
  # Clinical interop tests: plink2 reads our PED/.fam exports; a Python venv for the FHIR
  # validator (scripts/fhir-validate.sh installs fhir.resources from PyPI into it).
  plink2 python3 python3-venv
  # Clinician report tests: pdftotext/pdftoppm read and render the PDFs we write; fonts for the
  # pedigree's text when it is embedded in a PDF; rsvg-convert renders the pedigree SVG to PNG.
  poppler-utils fonts-dejavu-core librsvg2-bin
  # Clinician share tests: the age CLI decrypts our shares and makes files we open.
  age)
# Sync server tests (crates/server) run throwaway PostgreSQL clusters with initdb/pg_ctl.
# Debian keeps those off PATH (/usr/lib/postgresql/N/bin), so look there too, and install the
# server only when no version provides them.
have_postgres_server() {
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null && return 0
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] && return 0
  done
  return 1
}
if ! have_postgres_server; then
  APT_PACKAGES+=(postgresql)
fi
# E2E: WebKitWebDriver (which tauri-driver spawns), a virtual X server, and curl
# for waiting on the driver's port.
if [[ $E2E == 1 ]]; then
  APT_PACKAGES+=(webkit2gtk-driver xvfb curl)
fi

SUDO=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || die "not root and sudo is not installed; cannot install packages"
  SUDO=(sudo)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  # dpkg-query rather than plain `dpkg -s`: a removed package whose config files
  # remain still "exists" for dpkg -s, but its status is not "install ok installed".
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  # Recommends are kept on purpose: the suite was verified with them (fonts etc.).
  "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# --- Toolchains that only the machine image can provide ----------------------
command -v cargo >/dev/null || die "cargo not found (install Rust via rustup; add ~/.cargo/bin to PATH)"
command -v npm >/dev/null || die "npm not found (Node.js 20+ with npm is required)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || die "Node.js $(node --version) is too old; 20 or newer is required"

# --- tauri-driver ------------------------------------------------------------
if [[ $E2E == 1 ]]; then
  if command -v tauri-driver >/dev/null; then
    log "tauri-driver present: $(command -v tauri-driver)"
  else
    # Compiles from crates.io (about a minute on 2 cores); done once per machine.
    log "installing tauri-driver $TAURI_DRIVER_VERSION (cargo install)"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION" --quiet
    command -v tauri-driver >/dev/null ||
      die "tauri-driver installed but not on PATH (add \$HOME/.cargo/bin to PATH)"
  fi
fi

# --- node_modules ------------------------------------------------------------
# `npm ci` only when node_modules is missing or package-lock.json changed since
# the last install: a stamp inside node_modules holds the lockfile's hash, so
# deleting node_modules also invalidates it.
npm_ci_if_stale() {
  local dir="$1"
  local lock="$dir/package-lock.json" stamp="$dir/node_modules/.kinvault-lock.sha256"
  [[ -f "$dir/package.json" ]] || die "$dir/package.json not found"
  [[ -f "$lock" ]] || die "$lock not found: commit the lockfile (npm install writes it)"
  local want
  want="$(sha256sum "$lock" | cut -d' ' -f1) node-$(node --version)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "${dir#"$ROOT"/}: node_modules up to date"
    return
  fi
  log "${dir#"$ROOT"/}: npm ci"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  mkdir -p "$dir/node_modules" # npm ci makes none for a package without dependencies
  printf '%s\n' "$want" >"$stamp"
}

npm_ci_if_stale "$ROOT/ui"
if [[ $E2E == 1 ]]; then
  npm_ci_if_stale "$ROOT/tests/e2e"
fi
