//go:build ignore

// Command advisories reports every module version in the build lists it is
// given that a Go vulnerability database entry (OSV JSON, as in
// golang.org/x/vulndb's data/osv) marks as affected. Usage:
//
//	go run .ci/advisories.go OSV_DIR [ACCEPTED_ID...] < "module version" lines
//
// It exits 1 when a version is affected by an entry not accepted on the
// command line. The standard library and the
// toolchain are left to the Go release in use.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type entry struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Withdrawn string   `json:"withdrawn"`
	Affected  []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string              `json:"type"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

func main() {
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "advisories: no OSV entries in", os.Args[1])
		os.Exit(2)
	}
	byModule := map[string][]entry{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			panic(fmt.Sprintf("%s: %v", f, err))
		}
		if e.Withdrawn != "" {
			continue
		}
		for _, a := range e.Affected {
			byModule[a.Package.Name] = append(byModule[a.Package.Name], e)
		}
	}
	accepted := map[string]bool{}
	for _, id := range os.Args[2:] {
		accepted[id] = true
	}
	seen := map[string]bool{}
	var hits []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || seen[f[0]+" "+f[1]] {
			continue
		}
		seen[f[0]+" "+f[1]] = true
		for _, e := range byModule[f[0]] {
			if !affected(e, f[0], f[1]) {
				continue
			}
			if accepted[e.ID] {
				fmt.Printf("accepted: %s %s: %s %v\n", f[0], f[1], e.ID, e.Aliases)
				continue
			}
			hits = append(hits, fmt.Sprintf("%s %s: %s %v", f[0], f[1], e.ID, e.Aliases))
		}
	}
	sort.Strings(hits)
	for _, h := range hits {
		fmt.Println(h)
	}
	fmt.Printf("advisories: %d module versions checked against %d entries, %d affected\n", len(seen), len(files), len(hits))
	if len(hits) > 0 {
		os.Exit(1)
	}
}

// affected reports whether version v of module mod falls in one of e's
// SEMVER ranges for mod.
func affected(e entry, mod, v string) bool {
	for _, a := range e.Affected {
		if a.Package.Name != mod {
			continue
		}
		for _, r := range a.Ranges {
			if r.Type != "SEMVER" {
				continue
			}
			in := false
			for _, ev := range r.Events {
				if x, ok := ev["introduced"]; ok && (x == "0" || compare(v, x) >= 0) {
					in = true
				}
				if x, ok := ev["fixed"]; ok && compare(v, x) >= 0 {
					in = false
				}
			}
			if in {
				return true
			}
		}
	}
	return false
}

// compare orders two semantic versions, with or without a leading "v"; a
// pre-release (or a pseudo-version) sorts before its release.
func compare(a, b string) int {
	a, b = strings.TrimPrefix(a, "v"), strings.TrimPrefix(b, "v")
	a, _, _ = strings.Cut(a, "+")
	b, _, _ = strings.Cut(b, "+")
	ac, apre, _ := strings.Cut(a, "-")
	bc, bpre, _ := strings.Cut(b, "-")
	as, bs := strings.Split(ac, "."), strings.Split(bc, ".")
	for i := 0; i < 3; i++ {
		x, y := num(as, i), num(bs, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case apre == bpre:
		return 0
	case apre == "":
		return 1
	case bpre == "":
		return -1
	case apre < bpre:
		return -1
	}
	return 1
}

func num(p []string, i int) int {
	if i >= len(p) {
		return 0
	}
	n, _ := strconv.Atoi(p[i])
	return n
}
