package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// browser is one headless Chromium; each tab it opens has a browser context
// of its own (its own cookies), as two devices would.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string
	taken int // screenshots so far
}

func newBrowser(t *testing.T, shots string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(testenv.Chromium(t)),
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx), "starting Chromium") // no timeout: it would stop the browser
	return &browser{t: t, ctx: ctx, shots: shots}
}

// tab is one device: a tab in a browser context of its own, whose console
// messages are collected.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context
	b    *browser

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

func (b *browser) tab(name string) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	require.NoError(b.t, chromedp.Do(ctx), "opening the tab %s", name)
	tb := &tab{t: b.t, name: name, ctx: ctx, b: b}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.console = append(tb.console, m)
			tb.mu.Unlock()
		}
	}()
	return tb
}

// do runs the actions, each step within 30 seconds.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	require.NoError(tb.t, chromedp.Do(ctx, actions...), "in the tab %s", tb.name)
}

// open loads path and waits for the page.
func (tb *tab) open(d *demo, path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(d.url(path)), chromedp.WaitReady(chromedp.CSS("footer")))
}

// click clicks the button or link sel, waits for the page it leads to, and
// returns the status of that page's response.
func (tb *tab) click(sel string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	require.NoError(tb.t, err, "in the tab %s, clicking %s", tb.name, sel)
	tb.do(chromedp.WaitReady(chromedp.CSS("footer")))
	return resp.Status
}

// text is the text of the element sel, which must be visible.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(tb.t, err, "in the tab %s, the text of %s", tb.name, sel)
	return strings.Join(strings.Fields(s), " ")
}

// has reports whether the page has an element sel.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	require.NoError(tb.t, err)
	return ok
}

// count is the number of elements sel matches.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	require.NoError(tb.t, err)
	return n
}

// shot saves a screenshot of the whole page as NN-name.png.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(tb.t, err)
	tb.b.taken++
	file := filepath.Join(tb.b.shots, fmt.Sprintf("%02d-%s.png", tb.b.taken, name))
	require.NoError(tb.t, os.WriteFile(file, png, 0o644))
}

// band saves a screenshot of the page's full width, from above the first
// element sel matches to below the last one, as name.png: the pictures of
// the README.
func (tb *tab) band(name, sel string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	clip, err := chromedp.Run(ctx, chromedp.Evaluate[page.Viewport](fmt.Sprintf(`(() => {
		const boxes = [...document.querySelectorAll(%q)].map(e => e.getBoundingClientRect());
		const top = Math.max(0, Math.min(...boxes.map(b => b.top)) + window.scrollY - 16);
		const bottom = Math.max(...boxes.map(b => b.bottom)) + window.scrollY + 16;
		return {x: 0, y: top, width: document.documentElement.clientWidth, height: bottom - top, scale: 1};
	})()`, sel)))
	require.NoError(tb.t, err)
	png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		capture := true
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, Clip: &clip, CaptureBeyondViewport: &capture,
		})
		return res.Data, err
	})
	require.NoError(tb.t, err)
	require.NoError(tb.t, os.WriteFile(filepath.Join(tb.b.shots, name+".png"), png, 0o644))
}

// consoleErrors returns the errors and exceptions the tab's pages logged,
// but for those expected says are expected.
func (tb *tab) consoleErrors(expected func(chromedp.ConsoleMessage) bool) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var errs []string
	for _, m := range tb.console {
		if (m.Type == chromedp.ConsoleError || m.IsException()) && !expected(m) {
			errs = append(errs, fmt.Sprintf("%s (%s)", m, m.URL))
		}
	}
	return errs
}

// forbidden is the one error the demo makes Chromium log: the 403 of the
// form with a forged token.
func forbidden(m chromedp.ConsoleMessage) bool {
	return m.Source == "network" && strings.Contains(m.Text, "status of 403") && strings.HasSuffix(m.URL, "/flash")
}
