package php

import (
	"os"
	"testing"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// TestMain lists the checks against PHP that skipped for want of
// SESSION_TEST_PHP.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
