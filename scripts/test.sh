#!/usr/bin/env bash
# Runs every test suite: frontend unit tests, Go tests with -race (under a private D-Bus
# session with an unlocked gnome-keyring, and Xvfb), and the desktop smoke test.
# Usage: scripts/test.sh [all|go|soak]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
export GOFLAGS=-tags=webkit2_41
export NO_AT_BRIDGE=1

step() { printf '\n== %s\n' "$*"; }

if [ "$what" = all ]; then
  step "frontend: type check and unit tests"
  (cd frontend && npm run check && npm test)
fi

step "go vet"
go vet ./...

step "go vet + go test of the headless build (-tags headless, no cgo; only the root package differs)"
CGO_ENABLED=0 GOFLAGS=-tags=headless go vet .
CGO_ENABLED=0 GOFLAGS=-tags=headless go test -count=1 .

if [ "$what" != soak ]; then
  step "go test of the store and the API without the race detector (their volume tests at full size)"
  go test -count=1 ./backend/store/ ./backend/httpapi/
fi

step "go test -race (private D-Bus session, unlocked gnome-keyring, Xvfb)"
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
gotest_flags=(-race -count=1 -timeout 20m)
[ "$what" = soak ] && gotest_flags+=(-run 'Soak|Crash|Load' -timeout 60m)
XDG_DATA_HOME="$keyring_home" AISYNC_BIN="$PWD/build/bin/aisync" AISYNC_REQUIRE_KEYRING=1 \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- bash -c '
    echo -n ci-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    go test "$@" ./...' _ "${gotest_flags[@]}"

if [ "$what" = all ]; then
  step "browser end-to-end tests (playwright-core + Debian Chromium against aisync serve)"
  (cd frontend && AISYNC_BIN="$PWD/../build/bin/aisync" npm run e2e)
  step "desktop smoke test under Xvfb"
  scripts/smoke-desktop.sh build/bin/aisync
fi
echo
echo "all tests passed"
