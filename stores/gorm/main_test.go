package gormstore_test

import (
	"os"
	"testing"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// TestMain removes the benchmarks' fixtures, and lists the tests that
// skipped for want of a database server.
func TestMain(m *testing.M) {
	code := testenv.Main(m)
	removeFixtures()
	os.Exit(code)
}
