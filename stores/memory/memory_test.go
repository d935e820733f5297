package memstore_test

import (
	"testing"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/flowtest"
	memstore "github.com/ignitego/session/stores/memory"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) core.Store { return memstore.New() })
}

// TestUsers: a signed-in devices page served by two application instances
// on one store.
func TestUsers(t *testing.T) {
	flowtest.Users(t, memstore.New())
}
