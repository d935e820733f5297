package main

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// loadRow is one case under load with its comparisons.
type loadRow struct {
	*result
	rps   float64
	floor float64 // the framework's floor in req/s; 0 when not measured
	best  *loadRow
}

// loadRows orders the load results, per framework its floor, then by
// store, ours before its peers, and finds each one's floor and the best
// peer (the highest throughput) of the same framework and store.
func loadRows(results []*result) []*loadRow {
	var rows []*loadRow
	floors := map[string]float64{}
	best := map[string]*loadRow{}
	for _, r := range results {
		if r.kind != kindLoad {
			continue
		}
		rps, _ := r.metric("req/s")
		lr := &loadRow{result: r, rps: rps}
		rows = append(rows, lr)
		switch r.lib {
		case "floor":
			floors[r.fw] = rps
		case "ours":
		default:
			if b := best[r.fw+"/"+r.store]; b == nil || rps > b.rps {
				best[r.fw+"/"+r.store] = lr
			}
		}
	}
	for _, lr := range rows {
		lr.floor = floors[lr.fw]
		if lr.lib != "floor" {
			lr.best = best[lr.fw+"/"+lr.store]
		}
	}
	slices.SortStableFunc(rows, func(a, b *loadRow) int {
		return cmp.Or(
			rank(frameworks, a.fw)-rank(frameworks, b.fw),
			rank(stores, a.store)-rank(stores, b.store),
			rank(libraries, a.lib)-rank(libraries, b.lib),
			strings.Compare(a.lib, b.lib),
		)
	})
	return rows
}

// loadTable renders the load results: throughput, median and 99th
// percentile latency, and throughput as a share of the floor's and of the
// best peer's.
func loadTable(results []*result) string {
	rows := loadRows(results)
	if len(rows) == 0 {
		return ""
	}
	head := []string{"framework", "library", "store", "workload", "req/s", "p50", "p99",
		"req/s ÷ floor's", "req/s ÷ best peer's", "best peer"}
	right := []bool{false, false, false, false, true, true, true, true, true, false}
	cells := [][]string{head}
	for _, lr := range rows {
		c := []string{title(lr.fw), lr.lib, lr.store, lr.work,
			strconv.FormatFloat(lr.rps, 'f', 0, 64),
			fmtMetric(lr.result, "p50-ns", fmtNs), fmtMetric(lr.result, "p99-ns", fmtNs), "", "", ""}
		if lr.lib != "floor" && lr.floor > 0 {
			c[7] = fmtRatio(lr.rps / lr.floor)
		}
		if lr.best != nil && lr.best != lr && lr.best.rps > 0 {
			c[8] = fmtRatio(lr.rps / lr.best.rps)
			c[9] = lr.best.lib
		}
		cells = append(cells, c)
	}
	return grid(right, cells)
}
