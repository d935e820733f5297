package redisstore_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/internal/testkit/testenv"
	redisstore "github.com/ignitego/session/stores/redis"
)

// The benchmarks load and save sessions in a server holding a thousand and
// a million of the store's sessions: the cost per operation must not grow
// with the count.
var sizes = []struct {
	name string
	n    int
}{
	{"1k", 1_000},
	{"1M", 1_000_000},
}

// fixture is a populated key prefix, shared by the benchmarks of one size,
// and deleted by TestMain.
type fixture struct {
	st     *redisstore.Store
	sample []string
	close  func()
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[int]*fixture{}
)

// benchValue is a session of a typical size.
var benchValue = make([]byte, 256)

// benchID is the i-th session id of a fixture: 40 hex digits like the
// engine's.
func benchID(i int) string {
	sum := sha1.Sum([]byte(strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

// getFixture returns a store whose prefix holds n sessions, set the first
// time through pipelines of 10,000 commands.
func getFixture(b *testing.B, n int) *fixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[n]; f != nil {
		return f
	}
	addr := testenv.Redis(b).Addr
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, ContextTimeoutEnabled: true})
	prefix := testenv.Name("sessionbench") + ":"
	f := &fixture{st: redisstore.New(c, redisstore.WithPrefix(prefix)), close: func() {
		if err := deleteKeys(c, prefix); err != nil {
			fmt.Fprintln(os.Stderr, "clean up:", err)
		}
		_ = c.Close()
	}}
	fixtures[n] = f // deleted by TestMain even if populating fails
	ctx := context.Background()
	for start := 0; start < n; start += 10_000 {
		pipe := c.Pipeline()
		for i := start; i < min(n, start+10_000); i++ {
			pipe.Set(ctx, prefix+benchID(i), benchValue, 24*time.Hour)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatalf("populate: %v", err)
		}
	}
	if got, err := c.Exists(ctx, prefix+benchID(n-1)).Result(); err != nil || got != 1 {
		b.Fatalf("populate: the last session is missing (%d, %v)", got, err)
	}
	for i := 0; i < 1024; i++ {
		f.sample = append(f.sample, benchID(i*n/1024))
	}
	return f
}

func removeFixtures() {
	for n, f := range fixtures {
		f.close()
		delete(fixtures, n)
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
