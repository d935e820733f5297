package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ignitego/session/core/storetest"
	memstore "github.com/ignitego/session/stores/memory"
)

// filled returns a store holding n sessions, and some of their ids.
func filled(b *testing.B, n int) (*memstore.Store, []string) {
	b.Helper()
	st := memstore.New()
	ctx := context.Background()
	data := make([]byte, 200)
	exp := time.Now().Add(time.Hour)
	ids := make([]string, 0, 1024)
	for i := range n {
		id := storetest.NewID()
		if err := st.Save(ctx, id, data, exp); err != nil {
			b.Fatal(err)
		}
		if i < cap(ids) {
			ids = append(ids, id)
		}
	}
	return st, ids
}

var sizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"1M", 1_000_000}}

// BenchmarkLoad loads existing sessions from a store holding 1k or 1M.
func BenchmarkLoad(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st, ids := filled(b, sz.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, found, err := st.Load(ctx, ids[i%len(ids)]); err != nil || !found {
					b.Fatal(fmt.Sprint(found, err))
				}
			}
		})
	}
}

// BenchmarkSave overwrites existing sessions in a store holding 1k or 1M.
func BenchmarkSave(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st, ids := filled(b, sz.n)
			ctx := context.Background()
			data := make([]byte, 200)
			exp := time.Now().Add(time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := st.Save(ctx, ids[i%len(ids)], data, exp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
