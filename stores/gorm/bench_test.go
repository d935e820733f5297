package gormstore_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ignitego/session/internal/testkit/scratch"
	"github.com/ignitego/session/internal/testkit/testenv"
	gormstore "github.com/ignitego/session/stores/gorm"
)

// The benchmarks load and save sessions in tables holding a thousand and a
// million sessions: the cost per operation must not grow with the count.
var sizes = []struct {
	name string
	n    int
}{
	{"1k", 1_000},
	{"1M", 1_000_000},
}

// fixture is a populated table, shared by the benchmarks of one backend
// and size, and dropped by TestMain. SQLite's files live in a scratch
// directory, which its watcher removes when the test binary is cut short
// (a -timeout, Ctrl-C) and TestMain does not run.
type fixture struct {
	db     *gorm.DB
	st     *gormstore.Store
	sample []string // ids of stored sessions, to load and save
	close  func()
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
	fixtureDir string
)

// benchValue is a session of a typical size.
var benchValue = make([]byte, 256)

// benchID is the i-th session id of a fixture: 40 hex digits like the
// engine's.
func benchID(i int) string {
	sum := sha1.Sum([]byte(strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

// getFixture returns the store on b's table of n sessions, inserting them
// the first time in multi-row INSERTs inside transactions.
func getFixture(tb testing.TB, b backend, n int) *fixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	key := fmt.Sprintf("%s/%d", b.name, n)
	if f := fixtures[key]; f != nil {
		return f
	}
	var dsn string
	if b.server == nil {
		if fixtureDir == "" {
			d, err := scratch.Dir("gormstore-bench-")
			if err != nil {
				tb.Fatal(err)
			}
			fixtureDir = d
		}
		dsn = fixtureDir + "/" + strconv.Itoa(n)
		if err := os.MkdirAll(dsn, 0o700); err != nil {
			tb.Fatal(err)
		}
	} else {
		dsn = b.server(tb).DSN
	}
	db, err := gorm.Open(b.dialector(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		tb.Fatal(err)
	}
	table := testenv.Name("bench_sessions")
	st, err := gormstore.New(db, gormstore.WithTable(table))
	if err != nil {
		_ = sqlDB.Close()
		tb.Fatal(err)
	}
	f := &fixture{db: db, st: st, close: func() {
		for _, t := range []string{table, table + "_locks"} {
			_ = db.Migrator().DropTable(t)
		}
		_ = sqlDB.Close()
	}}
	fixtures[key] = f // dropped by TestMain even if populating fails
	if err := populate(db, b.name, table, n); err != nil {
		tb.Fatalf("populate %s: %v", key, err)
	}
	for i := 0; i < 1024; i++ {
		f.sample = append(f.sample, benchID(i*n/1024))
	}
	return f
}

// populate inserts sessions 0 to n-1, 500 rows a statement, 100 statements
// a transaction, in the order of their ids: appending to the primary key
// index is far faster than inserting at random places in it (on MariaDB a
// million rows took 15s sorted, against minutes in random order).
func populate(db *gorm.DB, dialect, table string, n int) error {
	const rows, perTx = 500, 100
	ids := make([]string, n)
	for i := range ids {
		ids[i] = benchID(i)
	}
	slices.Sort(ids)
	q := `"` + table + `"`
	if dialect == "mariadb" {
		q = "`" + table + "`"
	}
	exp := time.Now().Add(24 * time.Hour).UnixMilli()
	for start := 0; start < n; start += rows * perTx {
		err := db.Transaction(func(tx *gorm.DB) error {
			for s := start; s < min(n, start+rows*perTx); s += rows {
				end := min(n, s+rows)
				var sb strings.Builder
				sb.WriteString("INSERT INTO " + q + " (id, data, expires_at) VALUES ")
				args := make([]any, 0, 3*(end-s))
				for i := s; i < end; i++ {
					if i > s {
						sb.WriteString(",")
					}
					sb.WriteString("(?, ?, ?)")
					args = append(args, ids[i], benchValue, exp)
				}
				if err := tx.Exec(sb.String(), args...).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func removeFixtures() {
	for _, f := range fixtures {
		f.close()
	}
	if fixtureDir != "" {
		_ = scratch.RemoveAll(fixtureDir)
	}
}

func BenchmarkLoad(b *testing.B) {
	for _, be := range backends {
		for _, sz := range sizes {
			b.Run(be.name+"/"+sz.name, func(b *testing.B) {
				f := getFixture(b, be, sz.n)
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
}

func BenchmarkSave(b *testing.B) {
	for _, be := range backends {
		for _, sz := range sizes {
			b.Run(be.name+"/"+sz.name, func(b *testing.B) {
				f := getFixture(b, be, sz.n)
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
}
