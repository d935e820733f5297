#!/usr/bin/env bash
# Runs the session benchmarks, summarises them with benchstat, prints the
# tables and regenerates docs/performance.md and docs/performance.svg.
#
# Two parts. The rounds: every in-process case (BenchmarkGin, Echo, Fiber,
# HTTP, ours and the peers on cookie, memory, Redis, SQL and files) and
# every case under load (BenchmarkLoad), one pass over all of them a round,
# COUNT rounds. Then the scale benchmarks (BenchmarkScale): each of ours'
# stores loaded with SCALE_SIZES sessions, one process a store, so that a
# store of a million sessions is loaded once and gone before the next.
#
#   COUNT        rounds (default 6; benchstat wants 6 or more)
#   BENCHTIME    go test -benchtime (default 1s)
#   BENCH        the rounds' -bench regexp (default: every benchmark but
#                BenchmarkScale); "none" skips the rounds. Subsets, e.g.:
#                  BENCH='^BenchmarkGin$/^ours$'           ours in Gin
#                  BENCH='^BenchmarkGin$/./(postgres|mariadb|sqlite)/'
#                  BENCH='^BenchmarkLoad$'                 the load only
#   SCALE        the stores BenchmarkScale runs, space-separated (default
#                "memory file postgres mariadb sqlite redis"); "none" skips it
#   SCALE_SIZES  sessions loaded, comma-separated (default 1000,1000000)
#   SCALE_COUNT  runs of each scale benchmark (default 1: a garbage
#                collection pass on a million sessions takes seconds to
#                minutes, and what the table compares, a thousand sessions
#                against a million, a pass against none, differs by far more
#                than the noise; 3 or more for medians)
#   RECOVERY     "none" skips the recovery tests: after the benchmarks, the
#                stores' TestLockRecovery (stores/redis, stores/gorm,
#                stores/codeigniter; cuts of 1s, 5s and 30s) and
#                TestFailover (stores/redis: a Sentinel group and a cluster
#                of its own), whose times go in the report; they need the
#                servers' variables below, and take about 4 minutes
#   TAGS         build tags (default: none)
#   OUT          where the raw output and benchstat's go (default out/), and
#                missed.txt: ours' cases that miss a target, which profile.sh
#                then profiles
#   NODOCS=1     print the tables without touching docs/
#   NOTE         a remark on the run for the report (the machine's load…)
#
# The servers: SESSION_TEST_REDIS_ADDR (default 127.0.0.1:6379),
# SESSION_TEST_POSTGRES_DSN and SESSION_TEST_MYSQL_DSN (unset: those cases
# are skipped). At COUNT=6 and the defaults the whole run should take about
# 40 minutes on a quiet 2-core machine: 4 to 5 minutes a round, and some 12
# for the scale part, most of them the file store's million sessions
# (loading, a garbage collection pass of minutes, removing the files);
# SCALE="memory postgres mariadb sqlite redis" leaves it out.
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-'^Benchmark(Gin|Echo|Fiber|HTTP|Load)$'}
SCALE=${SCALE:-memory file postgres mariadb sqlite redis}
SCALE_SIZES=${SCALE_SIZES:-1000,1000000}
SCALE_COUNT=${SCALE_COUNT:-1}
RECOVERY=${RECOVERY:-on}
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
: >"$raw"
started=$SECONDS

# bench runs the benchmark binary, its output going to the raw file.
bench() {
	"$bin" -test.run '^$' -test.benchmem -test.benchtime "$BENCHTIME" -test.timeout 0 "$@" >>"$raw" 2>&1 || {
		tail -n 30 "$raw" >&2
		exit 1
	}
}

if [[ $BENCH != none ]]; then
	echo "running the rounds (count=$COUNT, benchtime=$BENCHTIME, tags=${TAGS:-none}); raw output in $raw" >&2
	# One pass over every case per round, rather than each case COUNT times
	# in a row: a change in the machine's load then touches every case
	# alike, and the medians keep the ratios between cases.
	for ((i = 1; i <= COUNT; i++)); do
		echo "round $i of $COUNT ($(((SECONDS - started) / 60)) min so far)" >&2
		bench -test.bench "$BENCH" -test.count 1
	done
fi

if [[ $SCALE != none ]]; then
	for store in $SCALE; do
		echo "scale: $store with $SCALE_SIZES sessions, count=$SCALE_COUNT ($(((SECONDS - started) / 60)) min so far)" >&2
		bench -test.bench "^BenchmarkScale\$/^$store\$/" -test.count "$SCALE_COUNT" -scale.sizes "$SCALE_SIZES"
	done
fi
echo "benchmarks done in $(((SECONDS - started) / 60)) min" >&2

recovery=$OUT/recovery.json
if [[ $RECOVERY != none ]]; then
	echo "recovery tests ($(((SECONDS - started) / 60)) min so far)" >&2
	: >"$recovery"
	for pkg in redis gorm codeigniter; do
		(cd "../stores/$pkg" && go test -json -count=1 -timeout 30m -run '^(TestLockRecovery|TestFailover)$' .) >>"$recovery" || {
			grep -h '"Output"' "$recovery" | tail -n 30 >&2
			exit 1
		}
	done
fi

"$benchstat" "$raw" >"$OUT/benchstat.txt" 2>/dev/null
"$benchstat" -format csv "$raw" >"$OUT/benchstat.csv" 2>/dev/null

args=(-csv "$OUT/benchstat.csv" -gomod go.mod -missed "$OUT/missed.txt")
if [[ $RECOVERY != none ]]; then
	args+=(-recovery "$recovery")
fi
if [[ -z ${NODOCS:-} ]]; then
	mkdir -p ../docs
	args+=(-md ../docs/performance.md -svg ../docs/performance.svg)
fi
mem=$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)
go run ./cmd/report "${args[@]}" \
	-machine "$(uname -srm), $(nproc) cores${mem:+, $mem}" \
	-go "$(go version | awk '{print $3}')" \
	-run "rounds: count=$COUNT, benchtime=$BENCHTIME; scale: count=$SCALE_COUNT, sizes=$SCALE_SIZES; tags=${TAGS:-none}, GOMAXPROCS=$(nproc)" \
	-note "${NOTE:-}"
