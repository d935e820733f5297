package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// settings is what the environment chooses:
//
//	ADDR                    where to listen (default 127.0.0.1:8080)
//	SESSION_STORE           file (default), memory, cookie; with -tags stores
//	                        also postgres, mysql, sqlite, redis (databases.go)
//	SESSION_DSN             the database's DSN or Redis's host:port
//	SESSION_TABLE           the SQL table (default ci_sessions)
//	SESSION_PREFIX          the Redis key prefix (default "session:")
//	SESSION_DATA_DIR        the example's files: the session files, the
//	                        SQLite database and the cookie key (default:
//	                        data/ beside this file)
//	SESSION_TIME_TO_UPDATE  how often the session id rotates (default 1m)
//	TEMPDATA_TTL            how long the tempdata offer lives (default 30s)
type settings struct {
	Addr         string
	Store        string
	DSN          string
	Table        string
	Prefix       string
	DataDir      string
	TimeToUpdate time.Duration
	TempdataTTL  time.Duration

	// Now is the clock of the sessions and the page; nil means time.Now.
	Now func() time.Time
}

func settingsFromEnv() (settings, error) {
	st := settings{
		Addr:         env("ADDR", "127.0.0.1:8080"),
		Store:        env("SESSION_STORE", "file"),
		DSN:          os.Getenv("SESSION_DSN"),
		Table:        os.Getenv("SESSION_TABLE"),
		Prefix:       os.Getenv("SESSION_PREFIX"),
		DataDir:      env("SESSION_DATA_DIR", sourceDir()),
		TimeToUpdate: time.Minute,
		TempdataTTL:  30 * time.Second,
	}
	for name, d := range map[string]*time.Duration{
		"SESSION_TIME_TO_UPDATE": &st.TimeToUpdate,
		"TEMPDATA_TTL":           &st.TempdataTTL,
	} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		parsed, err := time.ParseDuration(v)
		if err != nil || parsed <= 0 {
			return st, fmt.Errorf("%s=%q: want a positive duration such as 30s", name, v)
		}
		*d = parsed
	}
	return st, nil
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// sourceDir is data/ beside this file when the source is at hand (go run),
// else data/ in the working directory.
func sourceDir() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		if fi, err := os.Stat(filepath.Dir(file)); err == nil && fi.IsDir() {
			return filepath.Join(filepath.Dir(file), "data")
		}
	}
	log.Print("keeping the example's files in ./data")
	return "data"
}
