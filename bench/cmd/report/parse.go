package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The kinds of benchmark the bench module runs.
const (
	kindCase  = "case"  // Gin, Echo, Fiber, HTTP: one request in process
	kindLoad  = "load"  // Load: closed-loop HTTP load over loopback
	kindScale = "scale" // Scale: ours' stores with many sessions loaded
)

// result is one benchmark's medians, as benchstat summarised its runs.
type result struct {
	kind                 string
	fw, lib, store, work string
	size                 int // scale: the sessions loaded

	ns, bytes, allocs, cookies float64
	ci                         string // the 95% confidence interval of ns/op, e.g. "3%"

	io     float64 // the store's I/O per request, in ioUnit
	ioUnit string  // "roundtrips", "statements" or "syscalls"; "" when not counted

	// metrics holds every other unit: req/s, deleted/op…, and latencies in
	// ns (p50-ns, p99-ns…; benchstat reports them in seconds).
	metrics map[string]float64
}

// name is framework/library/store/workload for a case, with "load/" in
// front for a load; store/size/op for a scale result.
func (r *result) name() string {
	switch r.kind {
	case kindLoad:
		return "load/" + r.fw + "/" + r.lib + "/" + r.store + "/" + r.work
	case kindScale:
		return "scale/" + r.store + "/" + strconv.Itoa(r.size) + "/" + r.work
	}
	return r.fw + "/" + r.lib + "/" + r.store + "/" + r.work
}

// metric returns the median of unit, and whether the benchmark reported it.
func (r *result) metric(unit string) (float64, bool) {
	v, ok := r.metrics[unit]
	return v, ok
}

// results is benchstat's output: the configuration lines it copies from the
// benchmark output (goos, cpu…), and one result per benchmark.
type results struct {
	header map[string]string
	rows   []*result
}

// ioUnits are the units a store's I/O is reported in.
var ioUnits = map[string]string{
	"roundtrips/op": "roundtrips",
	"statements/op": "statements",
	"syscalls/op":   "syscalls",
}

// parse reads `benchstat -format csv`: configuration lines, then one
// section per unit, each opening with ",<file>," and ",<unit>,CI" and
// listing name,median,CI rows up to a geomean row.
func parse(r io.Reader) (*results, error) {
	res := &results{header: map[string]string{}}
	byName := map[string]*result{}
	unit := ""
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			unit = ""
			continue
		case !strings.Contains(line, ","):
			if k, v, ok := strings.Cut(line, ":"); ok {
				res.header[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		f := strings.Split(line, ",")
		if len(f) < 2 {
			continue
		}
		if f[0] == "" {
			if len(f) >= 3 && f[2] == "CI" {
				unit = f[1]
			}
			continue
		}
		if f[0] == "geomean" || unit == "" {
			continue
		}
		name := stripProcs(f[0])
		row := byName[name]
		if row == nil {
			var err error
			if row, err = newResult(name); err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			byName[name] = row
			res.rows = append(res.rows, row)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s %s: %v", n, name, unit, err)
		}
		switch unit {
		case "sec/op":
			row.ns = v * 1e9
			if len(f) >= 3 {
				row.ci = f[2]
			}
		case "B/op":
			row.bytes = v
		case "allocs/op":
			row.allocs = v
		case "cookies/op":
			row.cookies = v
		default:
			if u, ok := ioUnits[unit]; ok {
				row.io, row.ioUnit = v, u
				continue
			}
			key := unit
			if base, ok := strings.CutSuffix(unit, "-sec"); ok {
				key, v = base+"-ns", v*1e9
			}
			row.metrics[key] = v
		}
	}
	return res, sc.Err()
}

// newResult reads a benchmark's name: Framework/library/store/workload,
// Load/framework/library/store/workload or Scale/store/size/op.
func newResult(name string) (*result, error) {
	p := strings.Split(name, "/")
	r := &result{kind: kindCase, metrics: map[string]float64{}}
	switch {
	case p[0] == "Load" && len(p) == 5:
		r.kind, r.fw, r.lib, r.store, r.work = kindLoad, p[1], p[2], p[3], p[4]
	case p[0] == "Scale" && len(p) == 4:
		size, err := strconv.Atoi(p[2])
		if err != nil {
			return nil, fmt.Errorf("benchmark %q: the size %q is not a number", name, p[2])
		}
		r.kind, r.fw, r.lib, r.store, r.size, r.work = kindScale, "gin", "ours", p[1], size, p[3]
	case p[0] != "Load" && p[0] != "Scale" && len(p) == 4:
		r.fw, r.lib, r.store, r.work = strings.ToLower(p[0]), p[1], p[2], p[3]
	default:
		return nil, fmt.Errorf("benchmark %q is not Framework/library/store/workload, Load/framework/library/store/workload or Scale/store/size/op", name)
	}
	return r, nil
}

// stripProcs removes the "-GOMAXPROCS" suffix of a benchmark name.
func stripProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}
