package gormstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/gorm"

	"github.com/ignitego/session/core"
	gormstore "github.com/ignitego/session/stores/gorm"
)

func Example() {
	dir, err := os.MkdirTemp("", "sessions-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// SQLite in pure Go; with a pool of connections, give it a busy timeout
	// and WAL mode (see the package documentation).
	dsn := filepath.Join(dir, "app.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	db, err := gorm.Open(sqlite.Open(dsn))
	if err != nil {
		panic(err)
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close() // the store never closes db

	st, err := gormstore.New(db) // creates ci_sessions and ci_sessions_locks
	if err != nil {
		panic(err)
	}
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, st
	m, err := core.New(cfg) // also deletes expired rows every minute
	if err != nil {
		panic(err)
	}
	defer m.Close()

	// What the engine does with the store:
	ctx := context.Background()
	_ = st.Save(ctx, "3f9a0c17d2b4e6f8091a2b3c4d5e6f708192a3b4", []byte("encoded session"), time.Now().Add(time.Hour))
	data, found, _ := st.Load(ctx, "3f9a0c17d2b4e6f8091a2b3c4d5e6f708192a3b4")
	fmt.Println(string(data), found)
	// Output: encoded session true
}
