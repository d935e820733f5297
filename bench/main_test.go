package bench

import (
	"os"
	"testing"
)

// TestMain closes the fixtures the benchmarks share once they have all run.
func TestMain(m *testing.M) {
	code := m.Run()
	if !closeFixtures() && code == 0 {
		code = 1
	}
	os.Exit(code)
}
