package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// ChromiumVar names the Chromium (or Chrome) binary of the browser tests.
const ChromiumVar = "SESSION_TEST_CHROMIUM"

// Chromium returns the browser SESSION_TEST_CHROMIUM names (a path, or a
// name looked up in PATH), after checking once that it runs.
func Chromium(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(ChromiumVar)
	if bin == "" {
		Missing(t, ChromiumVar, "the browser tests")
	}
	chromiumOnce.Do(func() { chromiumPath, chromiumErr = checkChromium(bin) })
	if chromiumErr != nil {
		t.Fatalf("testenv: %s=%q is set, but it does not run as Chromium: %v", ChromiumVar, bin, chromiumErr)
	}
	return chromiumPath
}

var (
	chromiumOnce sync.Once
	chromiumPath string
	chromiumErr  error
)

func checkChromium(bin string) (string, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	if v := string(out); !strings.Contains(v, "Chromium") && !strings.Contains(v, "Chrome") {
		return "", fmt.Errorf("--version printed %q", strings.TrimSpace(v))
	}
	return path, nil
}
