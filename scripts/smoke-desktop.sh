#!/usr/bin/env bash
# Starts the real desktop binary under Xvfb with a temporary HOME, finds its window,
# takes a screenshot and fails if the window is missing or blank.
set -euo pipefail
bin=$(realpath "${1:-build/bin/aisync}")
out=${2:-build/screenshots/desktop.png}
mkdir -p "$(dirname "$out")"
out=$(realpath "$out")
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/.cursor" "$home/.codex"
echo '{"mcpServers":{"fetch":{"command":"uvx","args":["mcp-server-fetch"]}}}' > "$home/.cursor/mcp.json"
export HOME="$home" XDG_CONFIG_HOME="$home/.config" AISYNC_DATA_DIR="$home/aisync-data" \
  AISYNC_PORT=0 AISYNC_ENV_FILE= AISYNC_SECRETS_BACKEND=file AISYNC_API_TOKEN=smoke-token NO_AT_BRIDGE=1
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  "$0" > "$HOME/app.log" 2>&1 & app=$!
  # One search at a time, retried: a window that goes away while xdotool looks at it (GTK
  # maps and drops transient ones at start-up) makes xdotool exit with BadWindow, and a
  # single --sync search then reports no window at all.
  win=
  for i in $(seq 1 60); do
    win=$(xdotool search --onlyvisible --name "^aisync" 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break
    sleep 0.5
  done
  if [ -z "$win" ]; then echo "smoke: no aisync window appeared"; cat "$HOME/app.log"; kill $app 2>/dev/null; exit 1; fi
  # WebKit paints the page a moment after the window maps (seconds on a busy machine):
  # take screenshots until one is not a single colour, for at most 30 s.
  for i in $(seq 1 30); do
    sleep 1
    timeout 15 import -window "$win" "$1" || continue
    sd=$(convert "$1" -format "%[fx:standard_deviation]" info:)
    awk -v s="$sd" "BEGIN { exit !(s > 0.02) }" && { echo "smoke: painted after ${i} s"; break; }
  done
  kill -TERM $app
  for i in $(seq 1 50); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
  if kill -0 $app 2>/dev/null; then echo "smoke: app did not exit on SIGTERM"; kill -9 $app; exit 1; fi
' "$bin" "$out"
mean=$(convert "$out" -format '%[fx:mean]' info:)
stddev=$(convert "$out" -format '%[fx:standard_deviation]' info:)
echo "smoke: screenshot $out mean=$mean stddev=$stddev"
awk -v s="$stddev" 'BEGIN { exit !(s > 0.02) }' || { echo "smoke: the window looks blank"; exit 1; }
echo "smoke: desktop window OK"
