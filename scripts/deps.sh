#!/usr/bin/env bash
# Installs what a build or test needs on Debian/Ubuntu, only what is missing.
# Usage: scripts/deps.sh build|test|bench
set -euo pipefail
want=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev)
case "${1:-build}" in
  test|bench) want+=(xvfb xauth x11-utils xdotool imagemagick gnome-keyring libsecret-tools chromium dbus) ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v go >/dev/null; then
  echo "deps: Go is not installed (need Go 1.26: https://go.dev/dl/)" >&2; exit 1
fi
if ! command -v npm >/dev/null; then
  echo "deps: Node.js/npm is not installed (need Node 20+)" >&2; exit 1
fi
