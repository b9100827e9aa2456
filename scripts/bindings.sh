#!/usr/bin/env bash
# Regenerates frontend/wailsjs (the typed Wails bindings) with the Wails CLI pinned in
# tools/wails. The generator runs the app briefly, so it gets a display, a private D-Bus
# session and a throwaway HOME/data dir (but the real Go caches).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-tags=webkit2_41
mkdir -p build/bin
(cd tools/wails && go build -o ../../build/bin/wails github.com/wailsapp/wails/v2/cmd/wails)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/start"
# The generator's exit status is not reliable (the bindings build of the app exits 1 after
# writing the files), so success is judged by the files it writes.
GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) HOME=$tmp AISYNC_DATA_DIR=$tmp/data \
  AISYNC_ENV_FILE= AISYNC_SECRETS_BACKEND=file AISYNC_PORT=0 NO_AT_BRIDGE=1 \
  xvfb-run -a dbus-run-session -- build/bin/wails generate module -tags webkit2_41 >"$tmp/log" 2>&1 || true
if [ ! frontend/wailsjs/go/main/App.d.ts -nt "$tmp/start" ] || [ ! frontend/wailsjs/go/models.ts -nt "$tmp/start" ]; then
  sed 's/\x1b\[[0-9;]*m//g' "$tmp/log" | grep -v '^ *- ' | tail -40
  echo "bindings: generation failed" >&2; exit 1
fi
if grep -q 'Page\[' frontend/wailsjs/go/models.ts; then
  echo "bindings: a generic type reached the bindings; bind a named type instead" >&2; exit 1
fi
echo "bindings: frontend/wailsjs regenerated"
