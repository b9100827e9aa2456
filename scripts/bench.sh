#!/usr/bin/env bash
# scripts/bench.sh: aisync's performance benchmarks (`make bench`). See bench/README.md.
#
# 1. Go benchmarks of one engine pass over real adapters (backend/engine/bench_test.go),
#    with a CPU profile of the one-edit pass in build/bench/.
# 2. bench/cmd/aisyncbench drives the real binary against temporary HOME folders
#    (propagation latency, burst, scale, start-up), fills a million-row log, and times
#    rulesync and ruler next to `aisync sync --once`.
# Results: build/bench/results.md (also printed) and build/bench/results.json.
# Benchmarks report numbers and never fail on a slow machine; the script fails only when
# something could not run at all.
#
# Environment:
#   AISYNC_BIN=path         binary to measure (default build/bin/aisync)
#   AISYNC_HEADLESS_BIN=path  the headless build, whose serve RSS the scale phase measures
#                           next to AISYNC_BIN's (default build/bin/aisync-headless)
#   BENCH_QUICK=1           a few minutes instead of ~15: fewer edits, 10 s quiet period,
#                           200k log rows, peer sizes 10 and 100
#   BENCH_QUIET_SECONDS=N   idle-CPU measurement period (default 60; 10 when quick)
#   BENCH_ONLY=a,b          harness phases: latency,burst,scale,startup,logs,peers,compare
#                           (compare runs only with --compare-bin in BENCH_ARGS)
#   BENCH_SKIP_PEERS=1      do not install or run rulesync/ruler
#   BENCH_SKIP_GO=1         skip the Go benchmarks
#   BENCH_ARGS="..."        extra flags for aisyncbench (see build/bench/aisyncbench -h)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${AISYNC_BIN:-build/bin/aisync}
OUT=build/bench
mkdir -p "$OUT"
export GOFLAGS="${GOFLAGS:--tags=webkit2_41}"

if [[ ! -x $BIN ]]; then
	echo "bench: $BIN not found; run 'make build' first (or set AISYNC_BIN)" >&2
	exit 2
fi

args=(--bin "$BIN" --out "$OUT")
HEADLESS_BIN=${AISYNC_HEADLESS_BIN:-build/bin/aisync-headless}
if [[ -x $HEADLESS_BIN ]]; then
	args+=(--headless-bin "$HEADLESS_BIN")
else
	echo "bench: $HEADLESS_BIN not found ('make headless'); serve RSS is measured with $BIN only" >&2
fi
[[ -n ${BENCH_QUICK:-} ]] && args+=(--quick)
[[ -n ${BENCH_QUIET_SECONDS:-} ]] && args+=(--quiet-seconds "$BENCH_QUIET_SECONDS")
only=${BENCH_ONLY:-}
if [[ -n ${BENCH_SKIP_PEERS:-} && -z $only ]]; then
	only=latency,burst,scale,startup,logs
fi
[[ -n $only ]] && args+=(--only "$only")

# Peers: pinned rulesync and ruler (bench/peers/package.json + package-lock.json).
if [[ -z ${BENCH_SKIP_PEERS:-} && ( -z $only || $only == *peers* ) ]]; then
	if [[ ! -x bench/peers/node_modules/.bin/rulesync || ! -x bench/peers/node_modules/.bin/ruler ]]; then
		echo "bench: installing rulesync and ruler (pinned) into bench/peers/node_modules"
		(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error) ||
			echo "bench: npm ci failed; the side-by-side phase will say so and skip them" >&2
	fi
fi

echo "bench: building the harness"
go build -o "$OUT/aisyncbench" ./bench/cmd/aisyncbench

if [[ -z ${BENCH_SKIP_GO:-} ]]; then
	benchtime=5x
	[[ -n ${BENCH_QUICK:-} ]] && benchtime=2x
	filter='SyncPass'
	[[ -n ${BENCH_QUICK:-} ]] && filter='SyncPass/clients=10/'
	echo "bench: go test -bench $filter ./backend/engine (benchtime $benchtime)"
	if go test -run '^$' -bench "$filter" -benchtime "$benchtime" -timeout 30m \
		-cpuprofile "$OUT/engine-cpu.prof" -o "$OUT/engine.test" ./backend/engine/ >"$OUT/go-bench.txt" 2>&1; then
		args+=(--go-bench "$OUT/go-bench.txt")
	else
		echo "bench: the Go benchmarks failed (see $OUT/go-bench.txt); going on" >&2
		args+=(--go-bench "$OUT/go-bench.txt")
	fi
	cat "$OUT/go-bench.txt"
fi

# shellcheck disable=SC2086
"$OUT/aisyncbench" "${args[@]}" ${BENCH_ARGS:-}
