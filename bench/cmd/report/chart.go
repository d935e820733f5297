package main

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Chart geometry, in pixels.
const (
	chartWidth = 980
	labelWidth = 250 // case names, right-aligned against the bars
	valueWidth = 90  // the ns/op figure after each bar
	rowHeight  = 15
	barHeight  = 10
	topMargin  = 62 // title, legend and axis labels
	groupGap   = 22 // heading above each framework's cases
)

// Bar colours.
const (
	colorFloor = "#8c8c8c"
	colorOurs  = "#1f6feb"
	colorPeer  = "#e8793a"
	colorMiss  = "#c62828"
)

// chart draws one horizontal bar of ns/op per case, on a log scale,
// grouped by framework. An ours figure in red misses a target.
func chart(rows []*row) string {
	lo, hi := math.Inf(1), 0.0
	for _, r := range rows {
		if r.ns > 0 {
			lo, hi = math.Min(lo, r.ns), math.Max(hi, r.ns)
		}
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))
	x0 := float64(labelWidth + 10)
	x1 := float64(chartWidth - valueWidth)
	xOf := func(ns float64) float64 {
		return x0 + (x1-x0)*(math.Log10(ns)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}

	var body strings.Builder
	y := float64(topMargin)
	fw := ""
	for _, r := range rows {
		if r.fw != fw {
			fw = r.fw
			y += groupGap
			fmt.Fprintf(&body, `<text x="10" y="%.0f" font-weight="bold" font-size="13">%s</text>`+"\n", y-6, esc(title(fw)))
		}
		color := colorPeer
		switch r.lib {
		case "floor":
			color = colorFloor
		case "ours":
			color = colorOurs
		}
		valueColor := "#333"
		if r.isOurs() && (r.speed == missed || r.near == missed || r.allocsV == missed) {
			valueColor = colorMiss
		}
		w := math.Max(1, xOf(math.Max(r.ns, lo))-x0)
		label := r.lib + " · " + r.store + " · " + r.work
		if r.lib == "floor" {
			label = "floor (no session)"
		}
		fmt.Fprintf(&body, `<text x="%d" y="%.0f" text-anchor="end">%s</text>`+"\n", labelWidth, y+barHeight-1, esc(label))
		fmt.Fprintf(&body, `<rect x="%.1f" y="%.0f" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`+"\n",
			x0, y, w, barHeight, color, esc(r.name()), esc(fmtNs(r.ns)))
		fmt.Fprintf(&body, `<text x="%.1f" y="%.0f" fill="%s">%s</text>`+"\n", x0+w+4, y+barHeight-1, valueColor, esc(fmtNs(r.ns)))
		y += rowHeight
	}
	height := y + 16

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" font-family="sans-serif" font-size="11">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="18" font-size="14" font-weight="bold">ns/op per request, median (log scale)</text>`+"\n")
	legend := []struct{ color, text string }{{colorFloor, "floor: no session"}, {colorOurs, "ours"}, {colorPeer, "peers"}, {colorMiss, "red figure: ours misses a target"}}
	lx := 10.0
	for _, l := range legend {
		fmt.Fprintf(&b, `<rect x="%.0f" y="28" width="10" height="10" fill="%s"/><text x="%.0f" y="37">%s</text>`+"\n", lx, l.color, lx+14, esc(l.text))
		lx += 24 + 6.2*float64(len(l.text))
	}
	for t := lo; t <= hi*1.0001; t *= 10 {
		x := xOf(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", x, topMargin-4, x, height-10)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", x, topMargin-8, esc(tickLabel(t)))
	}
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

// tickLabel names a power of ten of nanoseconds: "100 ns", "1 µs"…
func tickLabel(ns float64) string {
	unit := "ns"
	for _, u := range []string{"µs", "ms", "s"} {
		if ns < 1000 {
			break
		}
		ns, unit = ns/1000, u
	}
	return strconv.FormatFloat(ns, 'f', -1, 64) + " " + unit
}

func title(fw string) string {
	switch fw {
	case "gin":
		return "Gin"
	case "echo":
		return "Echo v4"
	case "fiber":
		return "Fiber v2"
	case "http":
		return "net/http"
	}
	return fw
}

func esc(s string) string { return html.EscapeString(s) }
