#!/usr/bin/env bash
# Runs the session benchmarks, summarises them with benchstat, prints one
# table and regenerates docs/performance.md and docs/performance.svg.
#
#   COUNT      runs of each benchmark (default 6; benchstat wants 6 or more)
#   BENCHTIME  go test -benchtime (default 1s)
#   BENCH      go test -bench regexp (default ".": every case)
#   TAGS       build tags (default: none)
#   OUT        where the raw output and benchstat's go (default out/), and
#              missed.txt: ours' cases that miss a target, which profile.sh
#              then profiles
#   NODOCS=1   print the table without touching docs/
#   NOTE       a remark on the run for the report (the machine's load…)
#
# Cases on Redis use SESSION_TEST_REDIS_ADDR (default 127.0.0.1:6379).
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-.}
OUT=${OUT:-out}
TAGS=${TAGS:-}

benchstat=$(command -v benchstat || true)
if [[ -z $benchstat ]]; then
	gobin=$(go env GOBIN)
	gobin=${gobin:-$(go env GOPATH)/bin}
	benchstat=$gobin/benchstat
	if [[ ! -x $benchstat ]]; then
		echo "installing benchstat" >&2
		go install golang.org/x/perf/cmd/benchstat@latest
	fi
fi

mkdir -p "$OUT"
raw=$OUT/raw.txt
bin=$OUT/bench.test
go test -c -o "$bin" ${TAGS:+-tags "$TAGS"} .
echo "running the benchmarks (count=$COUNT, benchtime=$BENCHTIME, tags=${TAGS:-none}); raw output in $raw" >&2
: >"$raw"
# One pass over every case per round, rather than each case COUNT times in
# a row: a change in the machine's load then touches every case alike, and
# the medians keep the ratios between cases.
for ((i = 1; i <= COUNT; i++)); do
	echo "round $i of $COUNT" >&2
	"$bin" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1 \
		-test.benchtime "$BENCHTIME" -test.timeout 0 >>"$raw" 2>&1 || {
		tail -n 30 "$raw" >&2
		exit 1
	}
done

"$benchstat" "$raw" >"$OUT/benchstat.txt" 2>/dev/null
"$benchstat" -format csv "$raw" >"$OUT/benchstat.csv" 2>/dev/null

args=(-csv "$OUT/benchstat.csv" -gomod go.mod -missed "$OUT/missed.txt")
if [[ -z ${NODOCS:-} ]]; then
	mkdir -p ../docs
	args+=(-md ../docs/performance.md -svg ../docs/performance.svg)
fi
mem=$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)
go run ./cmd/report "${args[@]}" \
	-machine "$(uname -srm), $(nproc) cores${mem:+, $mem}" \
	-go "$(go version | awk '{print $3}')" \
	-run "count=$COUNT, benchtime=$BENCHTIME, tags=${TAGS:-none}, GOMAXPROCS=$(nproc)" \
	-note "${NOTE:-}"
