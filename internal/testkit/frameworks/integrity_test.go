package frameworks_test

import (
	"testing"

	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// TestIntegrity runs the concurrency promises on memstore through every front
// end; the store packages run the same checks on their stores.
func TestIntegrity(t *testing.T) {
	for _, fe := range frontends.Names() {
		for _, driver := range []string{"native", "cookie+db"} {
			t.Run(fe+"/"+driver, func(t *testing.T) {
				frontends.Integrity(t, fe, memstore.New(), driver)
			})
		}
	}
}
