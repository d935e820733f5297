package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ignitego/session/core"
	filestore "github.com/ignitego/session/stores/file"
	memstore "github.com/ignitego/session/stores/memory"
)

// newManager builds the session manager for the store SESSION_STORE names.
// The default is CodeIgniter's own default, files: one file per session in
// data/sessions, with the native driver (the id in the cookie, the data on
// the server). The stores of this file need only the standard library; the
// database stores are compiled in with -tags stores (databases.go).
//
// A second driver, the cookie driver, keeps the page's theme in a signed
// cookie of its own; its key is data/session.key, made on the first run.
func newManager(st settings) (m *core.Manager, where string, closeStore func(), err error) {
	key, err := loadKey(filepath.Join(st.DataDir, "session.key"))
	if err != nil {
		return nil, "", nil, err
	}
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.ValidDrivers = []string{core.DriverCookie}
	cfg.EncryptionKey = key
	cfg.TimeToUpdate = st.TimeToUpdate
	cfg.Now = st.Now
	closeStore = func() {}
	switch st.Store {
	case "file":
		dir := filepath.Join(st.DataDir, "sessions")
		if cfg.Store, err = filestore.New(dir); err != nil {
			return nil, "", nil, err
		}
		where = "files in " + dir
	case "memory":
		cfg.Store, where = memstore.New(), "memory (gone when the app stops)"
	case "cookie":
		cfg.Driver, cfg.ValidDrivers = core.DriverCookie, nil
		where = "a signed cookie"
	default:
		if cfg.Store, where, closeStore, err = openDatabase(st); err != nil {
			return nil, "", nil, err
		}
	}
	// One request of a session at a time, as CodeIgniter 3 does: a one-time
	// token then validates once even when a form is sent twice at once.
	cfg.Lock = cfg.Store != nil
	if m, err = core.New(cfg); err != nil {
		closeStore()
		return nil, "", nil, err
	}
	return m, where, closeStore, nil
}

// loadKey reads the key in path, making it on first use.
func loadKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil && len(key) >= core.MinKeyLength {
		return key, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key = make([]byte, 32)
	_, _ = rand.Read(key)
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("write the session key: %w", err)
	}
	return key, nil
}

func unknownStore(name string) error {
	known := "file, memory, cookie"
	if databaseStores != "" {
		known += ", " + databaseStores
	}
	return fmt.Errorf("SESSION_STORE=%q: not a store this app knows (%s)", name, known)
}
