package main

import (
	"cmp"
	"slices"
	"strconv"
)

// scaleStores orders the stores of the scale table.
var scaleStores = []string{"memory", "file", "postgres", "mariadb", "sqlite", "redis"}

// scaleRow is one store loaded with one count of sessions.
type scaleRow struct {
	store  string
	size   int
	rw, gc *result // nil when not measured
}

// scaleRows gathers the scale results by store and size, in order.
func scaleRows(results []*result) []*scaleRow {
	byKey := map[string]*scaleRow{}
	var rows []*scaleRow
	for _, r := range results {
		if r.kind != kindScale {
			continue
		}
		k := r.store + "/" + strconv.Itoa(r.size)
		sr := byKey[k]
		if sr == nil {
			sr = &scaleRow{store: r.store, size: r.size}
			byKey[k] = sr
			rows = append(rows, sr)
		}
		switch r.work {
		case "rw":
			sr.rw = r
		case "gc":
			sr.gc = r
		}
	}
	slices.SortFunc(rows, func(a, b *scaleRow) int {
		return cmp.Or(rank(scaleStores, a.store)-rank(scaleStores, b.store), a.size-b.size)
	})
	return rows
}

// scaleTable renders, per store and count of sessions loaded: the cost of
// rw and its ratio to the same store with the fewest sessions, rw's I/O, a
// garbage collection pass (time, sessions deleted, Collect calls, the
// longest call), and the latency of rw requests during the pass and just
// before it.
func scaleTable(results []*result) string {
	rows := scaleRows(results)
	if len(rows) == 0 {
		return ""
	}
	head := []string{"store", "sessions", "rw", "× fewest", "rw I/O", "GC pass", "deleted",
		"batches", "longest batch", "rw during GC: p50 / p99 / max", "rw before: p50 / p99"}
	right := []bool{false, true, true, true, true, true, true, true, true, true, true}
	cells := [][]string{head}
	fewest := map[string]float64{}
	for _, sr := range rows {
		c := make([]string, len(head))
		c[0], c[1] = sr.store, fmtCount(sr.size)
		if r := sr.rw; r != nil {
			c[2], c[4] = fmtNs(r.ns), fmtIO(r)
			if f, ok := fewest[sr.store]; ok && f > 0 {
				c[3] = fmtRatio(r.ns / f)
			} else {
				fewest[sr.store] = r.ns
			}
		}
		switch r := sr.gc; {
		case r != nil:
			c[5] = fmtNs(r.ns)
			c[6] = fmtMetric(r, "deleted/op", fmtCountF)
			c[7] = fmtMetric(r, "batches/op", fmtNum)
			c[8] = fmtMetric(r, "longest-batch-ns", fmtNs)
			c[9] = fmtMetric(r, "p50-ns", fmtNs) + " / " + fmtMetric(r, "p99-ns", fmtNs) + " / " + fmtMetric(r, "max-ns", fmtNs)
			c[10] = fmtMetric(r, "base-p50-ns", fmtNs) + " / " + fmtMetric(r, "base-p99-ns", fmtNs)
		case sr.store == "redis":
			c[5] = "none (Redis expires keys)"
		}
		cells = append(cells, c)
	}
	return grid(right, cells)
}

// fmtMetric formats r's metric unit with f, or "?" when r lacks it.
func fmtMetric(r *result, unit string, f func(float64) string) string {
	v, ok := r.metric(unit)
	if !ok {
		return "?"
	}
	return f(v)
}

// fmtCount formats a count of sessions: 1k, 20k, 1M.
func fmtCount(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1_000 && n%1_000 == 0:
		return strconv.Itoa(n/1_000) + "k"
	}
	return strconv.Itoa(n)
}

func fmtCountF(v float64) string {
	if v == float64(int(v)) {
		return fmtCount(int(v))
	}
	return fmtNum(v)
}
