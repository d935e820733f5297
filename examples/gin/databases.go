//go:build stores

package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/libtnb/sqlite"
	"github.com/redis/go-redis/v9"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ignitego/session/core"
	gormstore "github.com/ignitego/session/stores/gorm"
	redisstore "github.com/ignitego/session/stores/redis"
)

// The database stores, compiled in by -tags stores:
//
//	SESSION_STORE=postgres  SESSION_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable"
//	SESSION_STORE=mysql     SESSION_DSN="root@tcp(127.0.0.1:3306)/test?parseTime=true"  (MySQL or MariaDB)
//	SESSION_STORE=sqlite    data/sessions.db (pure Go, no cgo)
//	SESSION_STORE=redis     SESSION_DSN="127.0.0.1:6379"
const databaseStores = "postgres, mysql, sqlite, redis"

func openDatabase(st settings) (store core.Store, where string, closeStore func(), err error) {
	switch st.Store {
	case "postgres", "mysql", "sqlite":
		db, err := openDB(st)
		if err != nil {
			return nil, "", nil, err
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, "", nil, err
		}
		var opts []gormstore.Option
		if st.Table != "" {
			opts = append(opts, gormstore.WithTable(st.Table))
		}
		gs, err := gormstore.New(db, opts...) // creates the table if missing
		if err != nil {
			_ = sqlDB.Close()
			return nil, "", nil, err
		}
		return gs, st.Store, func() { _ = sqlDB.Close() }, nil
	case "redis":
		addr := or(st.DSN, "127.0.0.1:6379")
		client := redis.NewClient(&redis.Options{Addr: addr})
		if err := client.Ping(context.Background()).Err(); err != nil {
			_ = client.Close()
			return nil, "", nil, fmt.Errorf("redis at %s: %w", addr, err)
		}
		var opts []redisstore.Option
		if st.Prefix != "" {
			opts = append(opts, redisstore.WithPrefix(st.Prefix))
		}
		return redisstore.New(client, opts...), "redis at " + addr, func() { _ = client.Close() }, nil
	}
	return nil, "", nil, unknownStore(st.Store)
}

// openDB opens the SQL database st names.
func openDB(st settings) (*gorm.DB, error) {
	var d gorm.Dialector
	switch st.Store {
	case "sqlite":
		path := filepath.Join(st.DataDir, "sessions.db")
		d = sqlite.Open(path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	case "postgres":
		d = postgres.Open(or(st.DSN, "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"))
	case "mysql":
		d = mysql.Open(or(st.DSN, "root@tcp(127.0.0.1:3306)/test?parseTime=true"))
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", st.Store, err)
	}
	return db, nil
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
