//go:build stores

package main

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// TestSiteOnServers follows the README: the site on PostgreSQL, MySQL or
// MariaDB, SQLite and Redis, through SESSION_STORE and SESSION_DSN.
func TestSiteOnServers(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		srv := testenv.Postgres(t)
		st, _ := testSettings(t)
		st.Store, st.DSN, st.Table = "postgres", srv.DSN, testenv.Name("example")
		t.Cleanup(func() { dropTables(t, st) })
		restartKeepsTheSession(t, st)
	})
	t.Run("mysql", func(t *testing.T) {
		srv := testenv.MySQL(t)
		st, _ := testSettings(t)
		st.Store, st.DSN, st.Table = "mysql", srv.DSN, testenv.Name("example")
		t.Cleanup(func() { dropTables(t, st) })
		restartKeepsTheSession(t, st)
	})
	t.Run("sqlite", func(t *testing.T) {
		st, _ := testSettings(t)
		st.Store = "sqlite"
		restartKeepsTheSession(t, st)
	})
	t.Run("redis", func(t *testing.T) {
		srv := testenv.Redis(t)
		st, _ := testSettings(t)
		st.Store, st.DSN, st.Prefix = "redis", srv.Addr, testenv.Name("example")+":"
		t.Cleanup(func() { deleteKeys(t, srv.Addr, st.Prefix) })
		restartKeepsTheSession(t, st)
	})
}

func dropTables(t *testing.T, st settings) {
	db, err := openDB(st)
	if err != nil {
		t.Error(err)
		return
	}
	for _, table := range []string{st.Table, st.Table + "_locks"} {
		if err := db.Migrator().DropTable(table); err != nil {
			t.Error(err)
		}
	}
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

func deleteKeys(t *testing.T, addr, prefix string) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err == nil && len(keys) > 0 {
		err = c.Del(ctx, keys...).Err()
	}
	if err != nil {
		t.Error(err)
	}
}
