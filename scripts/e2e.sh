#!/usr/bin/env bash
# End-to-end suite: drive the real desktop binary through tauri-driver +
# WebKitWebDriver under a private Xvfb display, with a throwaway data dir.
#
#   KINVAULT_APP   path to the app binary (default: $CARGO_TARGET_DIR/debug/kinvault-desktop)
#   Extra arguments are passed to `wdio run` (e.g. --spec specs/app.e2e.mjs).
# Screenshots and logs land in tests/e2e/artifacts/ (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="$ROOT/tests/e2e"
ARTIFACTS="$E2E_DIR/artifacts"

log() { printf '[e2e] %s\n' "$*"; }
die() {
  printf '[e2e] ERROR: %s\n' "$*" >&2
  exit 1
}

# test-all.sh has already run it; standalone runs install what is missing.
if [[ ${KINVAULT_DEPS_DONE:-} != 1 ]]; then
  bash "$ROOT/scripts/deps.sh" --e2e
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kinvault/target}"
APP="${KINVAULT_APP:-$CARGO_TARGET_DIR/debug/kinvault-desktop}"
[[ -x $APP ]] || die "app binary not found: $APP
  build it: cargo build -p kinvault-desktop --features custom-protocol (or set KINVAULT_APP)"
APP="$(cd "$(dirname "$APP")" && pwd)/$(basename "$APP")"
command -v tauri-driver >/dev/null || die "tauri-driver not on PATH (scripts/deps.sh --e2e installs it)"
command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver not on PATH (Debian package webkit2gtk-driver)"
command -v Xvfb >/dev/null || die "Xvfb not found (Debian package xvfb)"

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS/logs"

# Everything the app writes goes under one temp dir, independent of $HOME:
# the vault and recent-vault config (KINVAULT_DATA_DIR) and WebKit's own
# storage and caches (XDG_*), so runs never see each other's state.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kinvault-e2e.XXXXXX")"
export KINVAULT_DATA_DIR="$WORK/data"
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_CACHE_HOME="$WORK/xdg/cache"
mkdir -p "$KINVAULT_DATA_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
# Native GTK file dialogs cannot be driven over WebDriver: debug builds of the app take the
# import dialog's answer from this variable (src-tauri e2e_answer). A real vendor file
# (Family Tree Maker, windows-1252) from the conformance corpus.
CONFORMANCE="${KINVAULT_CONFORMANCE_DIR:-$ROOT/../shared/conformance/gedcom}"
export KINVAULT_E2E_IMPORT_FILE="$CONFORMANCE/gedcom-go/encoding/ansi-cp1252-ftm17.ged"
[[ -f $KINVAULT_E2E_IMPORT_FILE ]] && KINVAULT_E2E_IMPORT_FILE="$(realpath "$KINVAULT_E2E_IMPORT_FILE")" || die "conformance file not found: $KINVAULT_E2E_IMPORT_FILE (set KINVAULT_CONFORMANCE_DIR)"
if [[ -z ${XDG_RUNTIME_DIR:-} ]]; then
  # WebKit warns and some GLib code misbehaves without one (CI runs as root without a login session).
  export XDG_RUNTIME_DIR="$WORK/xdg/runtime"
  mkdir -p "$XDG_RUNTIME_DIR"
  chmod 0700 "$XDG_RUNTIME_DIR"
fi
# Without a GPU, WebKit's compositing mode renders a blank window.
export WEBKIT_DISABLE_COMPOSITING_MODE=1

XVFB_PID=""
DRIVER_PID=""
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$?
  # tauri-driver runs in its own process group (setsid) so WebKitWebDriver and
  # the app it launched go down with it.
  if [[ -n $DRIVER_PID ]]; then
    kill -TERM -- "-$DRIVER_PID" 2>/dev/null || true
    wait "$DRIVER_PID" 2>/dev/null || true
  fi
  if [[ -n $XVFB_PID ]]; then
    kill -TERM "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  if [[ $rc != 0 ]]; then
    log "FAILED (exit $rc); artifacts in $ARTIFACTS"
    for f in "$ARTIFACTS"/logs/tauri-driver.log "$ARTIFACTS"/logs/xvfb.log; do
      if [[ -s $f ]]; then
        log "--- last lines of $(basename "$f") ---"
        tail -n 40 "$f" >&2
      fi
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Xvfb on a free display --------------------------------------------------
# -displayfd lets Xvfb pick a free display itself and write its number once it
# accepts connections: no guessing, no race with other X servers.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp \
  3>"$WORK/display" >"$ARTIFACTS/logs/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 1 100); do
  [[ -s $WORK/display ]] && break
  kill -0 "$XVFB_PID" 2>/dev/null || die "Xvfb exited at start"
  sleep 0.1
done
[[ -s $WORK/display ]] || die "Xvfb did not report a display within 10 s"
DISPLAY=":$(head -n1 "$WORK/display" | tr -d '[:space:]')"
export DISPLAY
log "Xvfb on DISPLAY=$DISPLAY"

# --- tauri-driver --------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# 4444 (and 4445 for WebKitWebDriver) unless taken, e.g. by a developer's own driver.
PORT=""
for p in $(seq 4444 2 4484); do
  if ! port_in_use "$p" && ! port_in_use $((p + 1)); then
    PORT=$p
    break
  fi
done
[[ -n $PORT ]] || die "no free port pair between 4444 and 4485 for tauri-driver"

setsid tauri-driver --port "$PORT" --native-port $((PORT + 1)) \
  >"$ARTIFACTS/logs/tauri-driver.log" 2>&1 &
DRIVER_PID=$!
# Ready once /status answers 200: tauri-driver proxies it to WebKitWebDriver,
# so that also proves the native driver is up.
ready=0
for _ in $(seq 1 60); do
  if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/status"; then
    ready=1
    break
  fi
  kill -0 "$DRIVER_PID" 2>/dev/null || die "tauri-driver exited at start"
  sleep 0.5
done
[[ $ready == 1 ]] || die "tauri-driver did not answer on port $PORT within 30 s"
log "tauri-driver on port $PORT; app: $APP"

# --- the suite -----------------------------------------------------------------
cd "$E2E_DIR"
rc=0
KINVAULT_APP="$APP" TAURI_DRIVER_PORT="$PORT" \
  E2E_SCREENSHOT_DIR="$ARTIFACTS" E2E_LOG_DIR="$ARTIFACTS/logs" \
  npx --no-install wdio run wdio.conf.mjs "$@" || rc=$?
exit "$rc"
