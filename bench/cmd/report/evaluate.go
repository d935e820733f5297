package main

import (
	"fmt"
	"slices"
	"strings"
)

// verdict is a target's outcome for one case.
type verdict int8

const (
	na     verdict = iota // the target does not apply, or there is nothing to compare with
	met                   // the case meets it
	missed                // the case misses it
)

func (v verdict) String() string {
	switch v {
	case met:
		return "met"
	case missed:
		return "MISSED"
	}
	return "–"
}

// The targets ours is held to.
const (
	speedLocal   = 0.2  // cookie and memory: at most 1/5 of the best peer's ns/op
	speedServer  = 0.9  // Redis, SQL and files: at most 0.9 of the best peer's ns/op
	floorMargin  = 2000 // cookie and memory: within 2 µs of the framework's floor
	allocsFactor = 8    // at most 1/8 of the best peer's allocs/op
)

// row is one case with its comparisons.
type row struct {
	*result
	floor float64 // the framework's floor in ns/op; 0 when not measured
	best  *result // the fastest peer on the same framework, store and workload

	speedGoal            float64 // the ratio to best that speed needs
	speed, near, allocsV verdict // ns/op against the best peer; against the floor; allocs/op
}

func (r *row) isOurs() bool { return r.lib == "ours" }

// evaluate orders the cases and compares ours with the floor and the best
// peer of the same framework, store kind and workload.
//
// Only in-process cases (kindCase) are evaluated; the others are returned
// as they are, after them.
//
// Targets: on cookie and memory, ours takes at most 1/5 of the best peer's
// time and at most 2 µs more than the floor; on Redis, SQL and files, at
// most 0.9 of the best peer's time; everywhere, at most 1/8 of the best
// peer's allocations.
// Untouched requests do no session work, so there the speed target is to
// be no slower than the best peer, and the allocation target does not
// apply (a peer's untouched allocations are mostly the framework's own).
func evaluate(all []*result) []*row {
	var results []*result
	for _, r := range all {
		if r.kind == kindCase {
			results = append(results, r)
		}
	}
	floors := map[string]float64{}
	for _, r := range results {
		if r.lib == "floor" {
			floors[r.fw] = r.ns
		}
	}
	best := map[string]*result{}
	for _, r := range results {
		if r.lib == "ours" || r.lib == "floor" {
			continue
		}
		k := r.fw + "/" + r.store + "/" + r.work
		if b := best[k]; b == nil || r.ns < b.ns {
			best[k] = r
		}
	}
	rows := make([]*row, 0, len(results))
	for _, res := range results {
		r := &row{result: res, floor: floors[res.fw]}
		if res.lib != "floor" {
			r.best = best[res.fw+"/"+res.store+"/"+res.work]
		}
		if r.isOurs() {
			judge(r)
		}
		rows = append(rows, r)
	}
	// Per framework: the floor, then by store and workload, ours before its
	// peers.
	slices.SortStableFunc(rows, func(a, b *row) int {
		for _, c := range []int{
			rank(frameworks, a.fw) - rank(frameworks, b.fw),
			rank(stores, a.store) - rank(stores, b.store),
			rank(workloads, a.work) - rank(workloads, b.work),
			rank(libraries, a.lib) - rank(libraries, b.lib),
		} {
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a.lib, b.lib)
	})
	return rows
}

func judge(r *row) {
	local := r.store == "cookie" || r.store == "memory"
	if r.best != nil && r.best.ns > 0 {
		switch {
		case r.work == "untouched":
			r.speedGoal = 1
		case local:
			r.speedGoal = speedLocal
		default:
			r.speedGoal = speedServer
		}
		r.speed = check(r.ns <= r.speedGoal*r.best.ns)
		if r.work != "untouched" {
			r.allocsV = check(r.allocs*allocsFactor <= r.best.allocs)
		}
	}
	if local && r.floor > 0 {
		r.near = check(r.ns-r.floor <= floorMargin)
	}
}

func check(ok bool) verdict {
	if ok {
		return met
	}
	return missed
}

var (
	frameworks = []string{"gin", "echo", "fiber", "http"}
	libraries  = []string{"floor", "ours"}
	stores     = []string{"none", "cookie", "memory", "redis", "postgres", "mariadb", "sqlite", "file", "file-fsync"}
	workloads  = []string{"ok", "rw", "ro", "untouched", "new"}

	// mainStores are the stores of the main table; the others are in the
	// table of stores on servers and files, measured in Gin only.
	mainStores = []string{"none", "cookie", "memory", "redis"}
)

// rank is v's place in order; unknown values go last.
func rank(order []string, v string) int {
	if i := slices.Index(order, v); i >= 0 {
		return i
	}
	return len(order)
}

// summary counts the verdicts and says what was not measured.
func summary(rows []*row) string {
	var n [3]int
	var missedBy []string
	oursRedis := false
	for _, r := range rows {
		if !r.isOurs() {
			continue
		}
		if r.store == "redis" {
			oursRedis = true
		}
		for _, v := range []verdict{r.speed, r.near, r.allocsV} {
			n[v]++
		}
		if r.speed == missed || r.near == missed || r.allocsV == missed {
			missedBy = append(missedBy, r.name())
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Targets: %d met, %d missed.", n[met], n[missed])
	if len(missedBy) > 0 {
		fmt.Fprintf(&b, " Cases missing one or more: %s.", strings.Join(missedBy, ", "))
	}
	if !oursRedis {
		b.WriteString(" Ours on Redis was not measured.")
	}
	return b.String()
}

// missedCases lists ours' cases that miss a target, one line each: the
// benchmark's name (Gin/ours/cookie/rw) and the targets it misses, for
// profile.sh.
func missedCases(rows []*row) string {
	var b strings.Builder
	for _, r := range rows {
		if !r.isOurs() {
			continue
		}
		var which []string
		if r.speed == missed {
			which = append(which, "speed")
		}
		if r.near == missed {
			which = append(which, "floor+2µs")
		}
		if r.allocsV == missed {
			which = append(which, "allocs")
		}
		if len(which) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s/%s/%s/%s %s\n", benchName(r.fw), r.lib, r.store, r.work, strings.Join(which, ","))
	}
	return b.String()
}

// split returns the rows of the main table (cookie, memory, Redis) and
// those of the table of stores on servers and files.
func split(rows []*row) (mainRows, storeRows []*row) {
	for _, r := range rows {
		if slices.Contains(mainStores, r.store) {
			mainRows = append(mainRows, r)
		} else {
			storeRows = append(storeRows, r)
		}
	}
	return mainRows, storeRows
}

// benchName is the name of framework fw's benchmark, less "Benchmark".
func benchName(fw string) string {
	if fw == "http" {
		return "HTTP"
	}
	if fw == "" {
		return fw
	}
	return strings.ToUpper(fw[:1]) + fw[1:]
}
