package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"runtime"

	"github.com/libtnb/sqlite"
	"github.com/redis/go-redis/v9"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ignitego/session/core"
	gormstore "github.com/ignitego/session/stores/gorm"
	memstore "github.com/ignitego/session/stores/memory"
	redisstore "github.com/ignitego/session/stores/redis"
)

// Where sessions live is chosen by the environment. The default keeps them
// in SQLite (pure Go, no cgo) in sessions.db beside this file, with the
// native driver: the id in the cookie, the data in the database.
//
//	SESSION_STORE=sqlite     sessions.db beside this file (default)
//	SESSION_STORE=postgres   SESSION_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable"
//	SESSION_STORE=mysql      SESSION_DSN="root@tcp(127.0.0.1:3306)/test?parseTime=true"  (MySQL or MariaDB)
//	SESSION_STORE=redis      SESSION_DSN="127.0.0.1:6379"
//	SESSION_STORE=memory     in memory: lost when the app stops
//	SESSION_STORE=cookie     the data in a signed cookie (the key in session.key beside this file)
//
// SESSION_TABLE names the SQL table (default ci_sessions), SESSION_PREFIX the
// Redis key prefix (default "session:"), and SESSION_DATA_DIR moves the
// files this example keeps beside its source.
func newManager() (*core.Manager, func(), error) {
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	closeStore := func() {}
	switch kind := storeKind(); kind {
	case "sqlite", "postgres", "mysql":
		db, err := openDB(kind)
		if err != nil {
			return nil, nil, err
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, nil, err
		}
		closeStore = func() { _ = sqlDB.Close() }
		var opts []gormstore.Option
		if table := os.Getenv("SESSION_TABLE"); table != "" {
			opts = append(opts, gormstore.WithTable(table))
		}
		st, err := gormstore.New(db, opts...) // creates the table if missing
		if err != nil {
			closeStore()
			return nil, nil, err
		}
		cfg.Store = st
	case "redis":
		client := redis.NewClient(&redis.Options{Addr: dsn("127.0.0.1:6379")})
		if err := client.Ping(context.Background()).Err(); err != nil {
			return nil, nil, fmt.Errorf("redis at %s: %w", dsn("127.0.0.1:6379"), err)
		}
		closeStore = func() { _ = client.Close() }
		var opts []redisstore.Option
		if prefix := os.Getenv("SESSION_PREFIX"); prefix != "" {
			opts = append(opts, redisstore.WithPrefix(prefix))
		}
		cfg.Store = redisstore.New(client, opts...)
	case "memory":
		cfg.Store = memstore.New()
	case "cookie":
		key, err := loadKey(filepath.Join(dataDir(), "session.key"))
		if err != nil {
			return nil, nil, err
		}
		cfg.Driver, cfg.EncryptionKey = core.DriverCookie, key
	default:
		return nil, nil, fmt.Errorf("SESSION_STORE=%q: use sqlite, postgres, mysql, redis, memory or cookie", kind)
	}
	m, err := core.New(cfg)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	return m, closeStore, nil
}

// openDB opens the SQL database the environment names.
func openDB(kind string) (*gorm.DB, error) {
	var d gorm.Dialector
	switch kind {
	case "sqlite":
		path := filepath.Join(dataDir(), "sessions.db")
		d = sqlite.Open(path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	case "postgres":
		d = postgres.Open(dsn("host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"))
	case "mysql":
		d = mysql.Open(dsn("root@tcp(127.0.0.1:3306)/test?parseTime=true"))
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	return db, nil
}

func storeKind() string {
	if s := os.Getenv("SESSION_STORE"); s != "" {
		return s
	}
	return "sqlite"
}

func dsn(fallback string) string {
	if s := os.Getenv("SESSION_DSN"); s != "" {
		return s
	}
	return fallback
}

func describeStore() string {
	switch storeKind() {
	case "sqlite":
		return "SQLite, in " + filepath.Join(dataDir(), "sessions.db")
	case "cookie":
		return "in a signed cookie"
	case "memory":
		return "in memory"
	default:
		return storeKind()
	}
}

// dataDir is where the example keeps its files: SESSION_DATA_DIR, else the
// directory of its source, else the working directory.
func dataDir() string {
	if d := os.Getenv("SESSION_DATA_DIR"); d != "" {
		return d
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if dir := filepath.Dir(file); isDir(dir) {
			return dir
		}
	}
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	log.Print("using the current directory for the example's files")
	return "."
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// loadKey reads the key in path, creating it on first use.
func loadKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil && len(key) >= core.MinKeyLength {
		return key, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key = make([]byte, 32)
	_, _ = rand.Read(key)
	return key, os.WriteFile(path, key, 0o600)
}
