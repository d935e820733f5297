package memstore_test

import (
	"testing"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	memstore "github.com/ignitego/session/stores/memory"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) core.Store { return memstore.New() })
}
