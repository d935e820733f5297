package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestartKeepsTheSession stops the app and starts it again on the same
// data directory: the browser is still logged in, its theme and its
// counter kept.
func TestRestartKeepsTheSession(t *testing.T) {
	for _, store := range []string{"file", "cookie"} {
		t.Run(store, func(t *testing.T) {
			st, _ := testSettings(t)
			st.Store = store
			restartKeepsTheSession(t, st)
		})
	}
}

func restartKeepsTheSession(t *testing.T, st settings) {
	t.Helper()
	jar := newJar(t)
	s := start(t, st, jar)
	page := s.login("Ada")
	page = s.submit(page, "/theme", url.Values{"theme": {"dark"}})
	visits, err := strconv.Atoi(find(t, page, visitsField))
	require.NoError(t, err)
	s.srv.Close()

	s = start(t, st, jar)
	page = s.page("/")
	assert.Equal(t, "Ada", find(t, page, userField))
	assert.Contains(t, page, `data-theme="dark"`)
	assert.Equal(t, strconv.Itoa(visits+1), find(t, page, visitsField))
}

func TestMemoryForgetsOnRestart(t *testing.T) {
	st, _ := testSettings(t)
	st.Store = "memory"
	jar := newJar(t)
	s := start(t, st, jar)
	assert.Contains(t, s.page("/"), "in memory")
	s.login("Ada")
	s.srv.Close()

	s = start(t, st, jar)
	assert.NotRegexp(t, userField, s.page("/"))
}

func TestDataDirHoldsTheKeyAndTheSessions(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	s.login("Ada")

	key, err := os.ReadFile(filepath.Join(st.DataDir, "session.key"))
	require.NoError(t, err)
	assert.Len(t, key, 32)
	fi, err := os.Stat(filepath.Join(st.DataDir, "session.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	files, err := os.ReadDir(filepath.Join(st.DataDir, "sessions"))
	require.NoError(t, err)
	assert.NotEmpty(t, files, "the session's file")

	again, err := loadKey(filepath.Join(st.DataDir, "session.key"))
	require.NoError(t, err)
	assert.Equal(t, key, again, "the key is made once")
}

func TestUnknownStore(t *testing.T) {
	st, _ := testSettings(t)
	st.Store = "mongodb"
	_, _, _, err := newManager(st)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `SESSION_STORE="mongodb": not a store this app knows (file, memory, cookie`)
}

func TestSettingsFromEnv(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		for _, name := range []string{"ADDR", "SESSION_STORE", "SESSION_DATA_DIR", "SESSION_TIME_TO_UPDATE", "TEMPDATA_TTL"} {
			t.Setenv(name, "")
		}
		st, err := settingsFromEnv()
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1:8080", st.Addr)
		assert.Equal(t, "file", st.Store)
		assert.Equal(t, "1m0s", st.TimeToUpdate.String())
		assert.Equal(t, "30s", st.TempdataTTL.String())
		assert.Equal(t, "data", filepath.Base(st.DataDir))
		assert.True(t, filepath.IsAbs(st.DataDir), "beside the source: %s", st.DataDir)
	})
	t.Run("set", func(t *testing.T) {
		t.Setenv("SESSION_TIME_TO_UPDATE", "5m")
		t.Setenv("TEMPDATA_TTL", "3s")
		st, err := settingsFromEnv()
		require.NoError(t, err)
		assert.Equal(t, "5m0s", st.TimeToUpdate.String())
		assert.Equal(t, "3s", st.TempdataTTL.String())
	})
	for _, bad := range []string{"soon", "-3s", "0"} {
		t.Run("TEMPDATA_TTL="+bad, func(t *testing.T) {
			t.Setenv("TEMPDATA_TTL", bad)
			_, err := settingsFromEnv()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "want a positive duration")
		})
	}
}
