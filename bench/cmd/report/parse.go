package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// result is one case's medians, as benchstat summarised its runs.
type result struct {
	fw, lib, store, work string

	ns, bytes, allocs, cookies, rtt float64
	hasRTT                          bool
	ci                              string // the 95% confidence interval of ns/op, e.g. "3%"
}

// name is framework/library/store/workload.
func (r *result) name() string { return r.fw + "/" + r.lib + "/" + r.store + "/" + r.work }

// results is benchstat's output: the configuration lines it copies from the
// benchmark output (goos, cpu…), and one result per case.
type results struct {
	header map[string]string
	rows   []*result
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
			parts := strings.Split(name, "/")
			if len(parts) != 4 {
				return nil, fmt.Errorf("line %d: benchmark %q is not Framework/library/store/workload", n, f[0])
			}
			row = &result{fw: strings.ToLower(parts[0]), lib: parts[1], store: parts[2], work: parts[3]}
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
		case "roundtrips/op":
			row.rtt, row.hasRTT = v, true
		}
	}
	return res, sc.Err()
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
