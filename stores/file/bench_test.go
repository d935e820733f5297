//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/internal/testkit/scratch"
	filestore "github.com/ignitego/session/stores/file"
)

// The benchmarks load and save sessions in stores holding a thousand and a
// million sessions: the cost per operation must not grow with the count.
var sizes = []struct {
	name string
	n    int
}{
	{"1k", 1_000},
	{"1M", 1_000_000},
}

// fixture is a populated store, shared by the benchmarks of one size and
// removed by TestMain, or by scratch's watcher when the test binary is cut
// short (a -timeout, Ctrl-C): a million session files must not outlive the
// run.
type fixture struct {
	st     *filestore.Store
	sample []string // ids of stored sessions, to load and save
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[int]*fixture{}
	fixtureDir string
)

// benchValue is a session of a typical size.
var benchValue = make([]byte, 256)

// getFixture returns the store holding n sessions, writing their files
// directly (no fsync, many at once) the first time.
func getFixture(b *testing.B, n int) *fixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[n]; f != nil {
		return f
	}
	if fixtureDir == "" {
		d, err := scratch.Dir("filestore-bench-")
		if err != nil {
			b.Fatal(err)
		}
		fixtureDir = d
	}
	dir := filepath.Join(fixtureDir, hex.EncodeToString([]byte{byte(n >> 16), byte(n >> 8), byte(n)}))
	st, err := filestore.New(dir)
	if err != nil {
		b.Fatal(err)
	}
	content := filestore.FileContent(benchValue, time.Now().Add(24*time.Hour))
	ids := benchIDs(n)
	var wg sync.WaitGroup
	workers := 2 * runtime.GOMAXPROCS(0)
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				p := filepath.Join(dir, filestore.RelPath(ids[i]))
				err := os.WriteFile(p, content, 0o600)
				if os.IsNotExist(err) {
					if err = os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
						err = os.WriteFile(p, content, 0o600)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	f := &fixture{st: st, sample: sample(ids)}
	fixtures[n] = f
	return f
}

// benchIDs returns n distinct session ids, 40 hex digits like the engine's,
// from a fixed seed.
func benchIDs(n int) []string {
	r := rand.New(rand.NewChaCha8([32]byte{1}))
	ids := make([]string, n)
	var raw [20]byte
	for i := range ids {
		for j := 0; j < len(raw); j += 8 {
			v := r.Uint64()
			for k := 0; k < 8 && j+k < len(raw); k++ {
				raw[j+k] = byte(v >> (8 * k))
			}
		}
		ids[i] = hex.EncodeToString(raw[:])
	}
	return ids
}

// sample picks 1024 ids spread over all of them.
func sample(ids []string) []string {
	out := make([]string, 0, 1024)
	for i := 0; i < 1024; i++ {
		out = append(out, ids[i*len(ids)/1024])
	}
	return out
}

func removeFixtures() {
	if fixtureDir != "" {
		_ = scratch.RemoveAll(fixtureDir)
	}
}

func BenchmarkLoad(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			f := getFixture(b, sz.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, found, err := f.st.Load(ctx, f.sample[i%len(f.sample)]); err != nil || !found {
					b.Fatalf("Load: got found=%v, err=%v", found, err)
				}
			}
		})
	}
}

func BenchmarkSave(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			f := getFixture(b, sz.n)
			ctx := context.Background()
			exp := time.Now().Add(24 * time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := f.st.Save(ctx, f.sample[i%len(f.sample)], benchValue, exp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
