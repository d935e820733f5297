#!/usr/bin/env bash
# Profiles ours where the engine's time goes: CPU and allocations of
# Gin + cookie driver rw and Gin + memstore rw (CASES overrides, as
# Framework/library/store/workload), printing the top entries of each.
#
#   CASES      default "Gin/ours/cookie/rw Gin/ours/memory/rw"
#   BENCHTIME  default 3s
#   TOP        entries to print (default 15)
#   OUT        where the profiles go (default out/profiles)
set -euo pipefail
cd "$(dirname "$0")"

CASES=${CASES:-"Gin/ours/cookie/rw Gin/ours/memory/rw"}
BENCHTIME=${BENCHTIME:-3s}
TOP=${TOP:-15}
OUT=${OUT:-out/profiles}
TAGS=${TAGS:-}
mkdir -p "$OUT"
bin=$OUT/bench.test
go test -c -o "$bin" ${TAGS:+-tags "$TAGS"} .

for c in $CASES; do
	IFS=/ read -r fw lib store work <<<"$c"
	pattern="^Benchmark$fw\$/^$lib\$/^$store\$/^$work\$"
	name=${c//\//_}
	# Separate runs: recording every allocation would distort the CPU profile.
	"$bin" -test.run '^$' -test.bench "$pattern" -test.benchmem -test.benchtime "$BENCHTIME" \
		-test.cpuprofile "$OUT/$name.cpu" | grep '^Benchmark'
	"$bin" -test.run '^$' -test.bench "$pattern" -test.benchtime "$BENCHTIME" \
		-test.memprofile "$OUT/$name.mem" -test.memprofilerate 1 >/dev/null
	echo
	echo "== $c: CPU, by own time"
	go tool pprof -top -nodecount "$TOP" "$bin" "$OUT/$name.cpu" 2>/dev/null | sed -n '/flat%/,$p'
	echo
	echo "== $c: CPU, cumulative, engine, adapters and stores only (callees elsewhere count as flat)"
	go tool pprof -top -cum -show 'ignitego/session/(core|adapters|stores)' -nodecount "$TOP" \
		"$bin" "$OUT/$name.cpu" 2>/dev/null | sed -n '/flat%/,$p'
	echo
	echo "== $c: allocations (objects)"
	go tool pprof -top -sample_index alloc_objects -nodecount "$TOP" "$bin" "$OUT/$name.mem" 2>/dev/null | sed -n '/flat%/,$p'
	echo
	echo "== $c: allocations (bytes)"
	go tool pprof -top -sample_index alloc_space -nodecount "$TOP" "$bin" "$OUT/$name.mem" 2>/dev/null | sed -n '/flat%/,$p'
	echo
done
echo "profiles in $OUT (go tool pprof -http=: $bin $OUT/<case>.cpu)"
