package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// Where sessions live is chosen by the environment:
//
//	SESSION_STORE=cookie   the data in a signed cookie (default)
//	SESSION_STORE=memory   in memory: lost when the app stops
//
// The cookie key is kept in session.key beside this file, created on the
// first run, so that sessions survive a restart.
func newManager() (*core.Manager, func(), error) {
	cfg := core.DefaultConfig()
	switch store() {
	case "cookie":
		key, err := loadKey(filepath.Join(dataDir(), "session.key"))
		if err != nil {
			return nil, nil, err
		}
		cfg.EncryptionKey = key
	case "memory":
		cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	default:
		return nil, nil, fmt.Errorf("SESSION_STORE=%q: use cookie or memory", store())
	}
	m, err := core.New(cfg)
	return m, func() {}, err
}

func store() string {
	if s := os.Getenv("SESSION_STORE"); s != "" {
		return s
	}
	return "cookie"
}

func describeStore() string {
	switch store() {
	case "cookie":
		return "in a signed cookie"
	default:
		return store()
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
