package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// recovery is one measured recovery: after a cut of a store
// (TestLockRecovery) or the kill of a Redis master (TestFailover).
type recovery struct {
	store   string // "redis", "postgres", "ci3/redis", "sentinel", "cluster"…
	event   string // "cut 1s", "master killed"
	lock    bool
	first   string // the first client served again (failovers)
	every   string // every client served again
	slowest string // the slowest request (failovers)
	answers string // "186 answered 200, 6 answered 503"
}

// testEvent is a line of go test -json.
type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
}

var (
	cutLine      = regexp.MustCompile(`cut (\S+), (with|without) Lock: every client served (\S+) after the store returned \(([^)]*)\)`)
	failoverLine = regexp.MustCompile(`recovery: first client served again (\S+) after the kill, every client (\S+) after; slowest request ([^;]+);`)
)

// parseRecovery reads the go test -json output of TestLockRecovery and
// TestFailover, and returns what they measured, in a stable order. It
// fails when a test failed: a failed run's figures are not the library's.
func parseRecovery(r io.Reader) ([]recovery, error) {
	var out []recovery
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e testEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if e.Action == "fail" && e.Test != "" {
			return nil, fmt.Errorf("%s %s failed", e.Package, e.Test)
		}
		if e.Action != "output" {
			continue
		}
		switch {
		case strings.HasPrefix(e.Test, "TestLockRecovery"):
			m := cutLine.FindStringSubmatch(e.Output)
			if m == nil {
				continue
			}
			out = append(out, recovery{store: recoveryStore(e.Package, e.Test), event: "cut " + m[1], lock: m[2] == "with", every: m[3], answers: m[4]})
		case strings.HasPrefix(e.Test, "TestFailover/"):
			m := failoverLine.FindStringSubmatch(e.Output)
			if m == nil {
				continue
			}
			name := strings.TrimPrefix(e.Test, "TestFailover/")
			topo, lock := strings.CutSuffix(name, "/lock")
			out = append(out, recovery{store: topo, event: "master killed", lock: lock, first: m[1], every: m[2], slowest: m[3]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.store != b.store {
			return a.store < b.store
		}
		if a.event != b.event {
			return cutSeconds(a.event) < cutSeconds(b.event)
		}
		return a.lock && !b.lock
	})
	return out, nil
}

// recoveryStore names the store of a TestLockRecovery run from its package
// and subtest.
func recoveryStore(pkg, test string) string {
	base := pkg[strings.LastIndex(pkg, "/")+1:]
	sub, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(test, "TestLockRecovery"), "/"), "/")
	switch {
	case base == "codeigniter":
		return "codeigniter (CI3 Redis layout)"
	case sub != "":
		return sub
	}
	return base
}

// cutSeconds orders cuts by length: "cut 5s" before "cut 30s".
func cutSeconds(event string) int {
	var n int
	fmt.Sscanf(strings.TrimPrefix(event, "cut "), "%d", &n)
	return n
}

// recoveryTables renders the measured recoveries: the cuts, then the
// failovers.
func recoveryTables(rs []recovery) string {
	var cuts, failovers strings.Builder
	for _, r := range rs {
		lock := "no"
		if r.lock {
			lock = "yes"
		}
		if r.event == "master killed" {
			fmt.Fprintf(&failovers, "| %s | %s | %s | %s | %s |\n", r.store, lock, r.first, r.every, r.slowest)
			continue
		}
		fmt.Fprintf(&cuts, "| %s | %s | %s | %s | %s |\n", r.store, strings.TrimPrefix(r.event, "cut "), lock, r.every, r.answers)
	}
	var b strings.Builder
	if cuts.Len() > 0 {
		b.WriteString("| store | cut | Lock | every client served again, after the store returned | answers |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
		b.WriteString(cuts.String())
	}
	if failovers.Len() > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("| topology | Lock | first client served again, after the kill | every client | slowest request |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
		b.WriteString(failovers.String())
	}
	return b.String()
}
