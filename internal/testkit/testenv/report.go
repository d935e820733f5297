package testenv

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// examples are a value of each variable, for the messages.
var examples = map[string]string{
	PostgresVar: `"host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"`,
	MySQLVar:    `"root@tcp(127.0.0.1:3306)/test?parseTime=true"`,
	RedisVar:    "127.0.0.1:6379",
	PHPVar:      "php",
}

var (
	skipsMu sync.Mutex
	skips   = map[string][]string{} // variable → the tests that skipped for want of it
)

func recordSkip(name, test string) {
	skipsMu.Lock()
	defer skipsMu.Unlock()
	top, _, _ := strings.Cut(test, "/")
	if !slices.Contains(skips[name], top) {
		skips[name] = append(skips[name], top)
	}
}

// Main runs a package's tests, as a TestMain calls it:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
//
// Then, when tests skipped because a variable is unset, it says which, and
// how to run them, on standard error and on the terminal (/dev/tty):
// go test shows a passing package's output only with -v, and a skip that
// nobody sees passes for a test that ran.
func Main(m *testing.M) int {
	code := m.Run()
	if msg := skipReport(packageName()); msg != "" {
		_, _ = io.WriteString(os.Stderr, msg)
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			_, _ = io.WriteString(tty, msg)
			_ = tty.Close()
		}
	}
	return code
}

// skipReport describes the recorded skips of package pkg; "" when none.
func skipReport(pkg string) string {
	skipsMu.Lock()
	defer skipsMu.Unlock()
	if len(skips) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "NOTE %s: tests skipped for want of a server or a program:\n", pkg)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range skips {
			if !yield(k) {
				return
			}
		}
	}) {
		tests := skips[name]
		list := strings.Join(tests[:min(len(tests), 6)], ", ")
		if len(tests) > 6 {
			list += fmt.Sprintf(" and %d more", len(tests)-6)
		}
		fmt.Fprintf(&b, "  %s is not set (e.g. %s=%s): skipped %s\n", name, name, examples[name], list)
	}
	fmt.Fprintf(&b, "  (set %s=1 to make such a skip fail, as CI does)\n", StrictVar)
	return b.String()
}

// packageName names the package under test by the last two elements of
// the folder go test runs its binary in ("stores/redis").
func packageName() string {
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Base(os.Args[0])
	}
	return filepath.Base(filepath.Dir(wd)) + "/" + filepath.Base(wd)
}
