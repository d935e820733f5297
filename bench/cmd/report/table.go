package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// table renders rows as one Markdown table, padded so that it also reads
// as plain text.
func table(rows []*row) string {
	head := []string{"case", "ns/op", "±", "B/op", "allocs/op", "cookies/op", "store I/O/op",
		"× floor", "× best peer", "best peer", "speed target", "floor + 2 µs", "allocs ≤ 1/8"}
	right := []bool{false, true, true, true, true, true, true, true, true, false, false, false, false}
	cells := [][]string{head}
	for _, r := range rows {
		c := []string{
			r.name(),
			fmtNs(r.ns),
			r.ci,
			fmtNum(r.bytes),
			fmtNum(r.allocs),
			fmtNum(r.cookies),
			"",
			"",
			"",
			"",
			"",
			"",
			"",
		}
		c[6] = fmtIO(r.result)
		if r.floor > 0 && r.lib != "floor" {
			c[7] = fmtRatio(r.ns / r.floor)
		}
		if r.best != nil && r.best != r.result {
			c[8] = fmtRatio(r.ns / r.best.ns)
			c[9] = r.best.lib
		}
		if r.isOurs() {
			if r.speed != na {
				c[10] = fmt.Sprintf("%s (≤ %s)", r.speed, fmtGoal(r.speedGoal))
			} else {
				c[10] = r.speed.String()
			}
			c[11] = r.near.String()
			c[12] = r.allocsV.String()
		}
		cells = append(cells, c)
	}
	return grid(right, cells)
}

// grid renders cells, the first row the heading, as a Markdown table
// padded so that it also reads as plain text; right marks the columns
// aligned right.
func grid(right []bool, cells [][]string) string {
	head := cells[0]
	width := make([]int, len(head))
	for i := range width {
		width[i] = 3 // a delimiter row needs a dash besides its colon
	}
	for _, c := range cells {
		for i, s := range c {
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(c []string) {
		b.WriteString("|")
		for i, s := range c {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(s))
			if right[i] {
				b.WriteString(" " + pad + s + " |")
			} else {
				b.WriteString(" " + s + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for i := range head {
		dash := strings.Repeat("-", width[i])
		if right[i] {
			b.WriteString(" " + dash[:len(dash)-1] + ": |")
		} else {
			b.WriteString(" " + dash + " |")
		}
	}
	b.WriteString("\n")
	for _, c := range cells[1:] {
		line(c)
	}
	return b.String()
}

// fmtNs formats a duration in nanoseconds with three significant digits.
func fmtNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return sig3(ns/1e9) + " s"
	case ns >= 1e6:
		return sig3(ns/1e6) + " ms"
	case ns >= 1e3:
		return sig3(ns/1e3) + " µs"
	}
	return sig3(ns) + " ns"
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// fmtNum formats a count: whole numbers as such, others with two decimals.
func fmtNum(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func fmtRatio(v float64) string {
	if v >= 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + "×"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "×"
}

func fmtGoal(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) + "×" }

// fmtIO formats a case's store I/O per request with its unit, abbreviated:
// "2 rt" (round trips), "1 st" (statements), "6 sc" (system calls).
func fmtIO(r *result) string {
	abbr := map[string]string{"roundtrips": "rt", "statements": "st", "syscalls": "sc"}[r.ioUnit]
	if abbr == "" {
		return ""
	}
	return fmtNum(r.io) + " " + abbr
}
