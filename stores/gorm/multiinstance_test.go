package gormstore_test

import (
	"testing"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/instances"
	gormstore "github.com/ignitego/session/stores/gorm"
)

// TestMultiInstance runs three processes of one application on one table,
// each collecting garbage, while users go round them, ids rotate and the
// cookie key rolls over (see instances.Run).
func TestMultiInstance(t *testing.T) {
	for _, b := range networked() {
		t.Run(b.name, func(t *testing.T) {
			instances.Run(t, instances.Backend{
				Open: func(t testing.TB, table string) core.Store {
					st, err := gormstore.New(b.open(t, ""), gormstore.WithTable(table))
					if err != nil {
						t.Fatalf("New: %v", err)
					}
					return st
				},
				Kept: func(t testing.TB, table, id string) bool {
					return count(t, b.open(t, ""), table, id) > 0
				},
				Clean: func(t testing.TB, table string) { dropTables(t, b.open(t, ""), table) },
			})
		})
	}
}
