#!/usr/bin/env bash
# Installs the real AI clients that tests/realclients uses as test oracles (Codex, Copilot CLI,
# Gemini CLI, Claude Code, opencode and the MCP "everything" server) into
# tests/realclients/node_modules, at the exact versions of tests/realclients/package-lock.json.
#
# It does nothing when the installed tree matches the lockfile (a stamp holds the lockfile's
# hash and the Node version), so `make test` pays for the ~1 GB install once. It works offline
# when npm's cache already holds the packages (--prefer-offline).
#
# Install scripts are not run (--ignore-scripts): they would build native modules that the
# `mcp list` commands never load (node-pty, keytar) and need a compiler and Node headers.
# The only two that matter just copy the platform binary next to the wrapper; they are run
# explicitly below and touch nothing outside node_modules.
#
# Afterwards: AISYNC_REALCLIENTS_DIR=$PWD/tests/realclients/node_modules/.bin go test ./tests/realclients/
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/tests/realclients
nm=$dir/node_modules
bin=$nm/.bin
stamp=$nm/.aisync-realclients.stamp
clis=(codex copilot gemini claude opencode mcp-server-everything)

now() { date +%s%N; }
ms() { echo $((($(now) - $1) / 1000000)); }
t0=$(now)

command -v node >/dev/null || { echo "realclients: node is not installed (need Node 20+)" >&2; exit 1; }
command -v npm >/dev/null || { echo "realclients: npm is not installed" >&2; exit 1; }
[ -f "$dir/package-lock.json" ] || { echo "realclients: $dir/package-lock.json is missing" >&2; exit 1; }

want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node-$(node --version)"

complete() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
	local c
	for c in "${clis[@]}"; do
		[ -x "$bin/$c" ] || return 1
	done
}

if complete; then
	echo "realclients: up to date in $nm ($(ms "$t0") ms)"
	exit 0
fi

echo "realclients: installing into $nm (npm ci; several hundred MB, 1-3 min cold)"
rm -f "$stamp"
t=$(now)
npmflags=(--ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
log=$(mktemp)
if (cd "$dir" && npm ci "${npmflags[@]}") 2>"$log"; then
	echo "realclients: npm ci took $(ms "$t") ms"
elif grep -q 'EUSAGE' "$log"; then
	# npm ci refuses a lockfile that lacks an optional dependency. opencode-ai names 12
	# platform packages, and a registry (or mirror) that does not serve some of them leaves
	# them out of the lockfile. npm install --no-save installs the same locked tree and
	# never rewrites package.json or package-lock.json.
	echo "realclients: npm ci refused the lockfile ($(grep -m1 -o 'Missing: .*' "$log" || echo 'out of sync')); using npm install --no-save"
	(cd "$dir" && npm install --no-save "${npmflags[@]}")
	echo "realclients: npm install took $(ms "$t") ms"
else
	cat "$log" >&2
	rm -f "$log"
	exit 1
fi
rm -f "$log"

# The postinstall steps that matter: put the native binary where the bin link points.
t=$(now)
(cd "$nm/@anthropic-ai/claude-code" && node install.cjs)
(cd "$nm/opencode-ai" && node postinstall.mjs)
echo "realclients: native binaries linked in $(ms "$t") ms"

# The Copilot CLI unpacks ~235 MB on its first run into its package cache; do it once here
# (the tests point COPILOT_PKG_CACHE_HOME at the same directory).
t=$(now)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
HOME=$scratch XDG_CACHE_HOME=$scratch/.cache COPILOT_AUTO_UPDATE=false \
	COPILOT_PKG_CACHE_HOME=$nm/.cache/copilot-pkg \
	timeout 120 "$bin/copilot" --version >/dev/null
echo "realclients: copilot package cache ready in $(ms "$t") ms"

missing=0
for c in "${clis[@]}"; do
	if [ ! -x "$bin/$c" ]; then
		echo "realclients: $bin/$c is missing after install" >&2
		missing=1
	fi
done
[ "$missing" = 0 ] || exit 1

echo "$want" >"$stamp"
echo "realclients: ready in $(ms "$t0") ms"
