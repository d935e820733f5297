package instances

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

// spec is what the parent tells an instance, through ChildVar.
type spec struct {
	Name     string   `json:"name"` // the backend's table or key prefix
	Key      []byte   `json:"key"`  // Config.EncryptionKey
	Previous [][]byte `json:"previous"`
}

// linePrefix starts each line an instance writes for the parent on its
// standard output; the parent ignores other lines.
const linePrefix = "instances: "

// report is what an instance tells the parent: its address once it
// listens, then, after it stopped, what it did.
type report struct {
	Addr string `json:"addr,omitempty"`

	Stopped     bool          `json:"stopped,omitempty"`
	Uptime      time.Duration `json:"uptime,omitempty"`
	Requests    int64         `json:"requests,omitempty"`
	GCCounted   bool          `json:"gc_counted,omitempty"` // the store has the Collector ability, counted below
	GCCalls     int64         `json:"gc_calls,omitempty"`
	GCDeleted   int64         `json:"gc_deleted,omitempty"`
	GCCancelled int64         `json:"gc_cancelled,omitempty"` // by Manager.Close
	GCErrors    []string      `json:"gc_errors,omitempty"`
	Logged      []string      `json:"logged,omitempty"` // warnings and errors the Managers logged
}

// childLifetime bounds an instance whose parent never stops it.
const childLifetime = 3 * time.Minute

// serve runs the instance raw describes until its standard input closes,
// then writes its report and exits the process.
func serve(t *testing.T, b Backend, raw string) {
	var sp spec
	if err := json.Unmarshal([]byte(raw), &sp); err != nil {
		fail("%s: %v", ChildVar, err)
	}
	began := time.Now()
	st := b.Open(t, sp.Name)
	gc, counted := countCollections(st)
	if counted {
		st = gc
	}
	logs := newRecorder()
	var managers []*core.Manager
	mux := http.NewServeMux()
	for _, mode := range modes {
		m, err := core.New(config(mode, st, sp, slog.New(logs)))
		if err != nil {
			fail("core.New(%s): %v", mode, err)
		}
		managers = append(managers, m)
		mux.Handle("/"+mode+"/", http.StripPrefix("/"+mode, m.Middleware(routes())))
	}
	var requests atomic.Int64
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			mux.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	go func() { _ = srv.Serve(ln) }()
	tell(report{Addr: ln.Addr().String()})

	quit := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(quit)
	}()
	select {
	case <-quit:
	case <-time.After(childLifetime):
		fail("not stopped after %s", childLifetime)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fail("shutdown: %v", err)
	}
	for _, m := range managers {
		_ = m.Close()
	}
	r := report{Stopped: true, Uptime: time.Since(began), Requests: requests.Load(), Logged: logs.all()}
	if counted {
		r.GCCounted, r.GCCalls, r.GCDeleted, r.GCCancelled, r.GCErrors = true, gc.calls.Load(), gc.deleted.Load(), gc.cancelled.Load(), gc.failures()
	}
	tell(r)
	os.Exit(0)
}

// config is an instance's configuration for mode.
func config(mode string, st core.Store, sp spec, logger *slog.Logger) core.Config {
	cfg := core.DefaultConfig()
	cfg.CookieName = "multi_" + mode
	cfg.Store = st
	cfg.EncryptionKey, cfg.PreviousEncryptionKeys = sp.Key, sp.Previous
	if mode == modeNative {
		cfg.Driver = core.DriverNative
	} else {
		cfg.UseDatabase = true
	}
	cfg.Expiration = expiration
	cfg.TimeToUpdate = timeToUpdate
	cfg.RotationGrace = rotationGrace
	cfg.GCInterval = gcInterval
	cfg.Lock = true
	cfg.Logger = logger
	return cfg
}

// routes are the application's:
//
//	POST /incr?who=U  increments the counter "n"; a new session also keeps U as "who"
//	GET  /count       reads them
//
// Both answer "n who id".
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		n := core.GetOr(s, "n", 0) + 1
		s.SetUserdata("n", n)
		if !s.HasUserdata("who") {
			s.SetUserdata("who", r.URL.Query().Get("who"))
		}
		respond(w, s, n)
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		respond(w, s, core.GetOr(s, "n", 0))
	})
	return mux
}

func respond(w http.ResponseWriter, s *core.Session, n int) {
	_, _ = fmt.Fprintf(w, "%d %s %s", n, core.GetOr(s, "who", "-"), s.ID())
}

// tell writes r for the parent.
func tell(r report) {
	b, err := json.Marshal(r)
	if err != nil {
		fail("report: %v", err)
	}
	_, _ = fmt.Fprintf(os.Stdout, "%s%s\n", linePrefix, b)
}

// fail ends the instance with exit code 3, the reason on standard error.
func fail(format string, args ...any) {
	_, _ = fmt.Fprintf(os.Stderr, "instance: "+format+"\n", args...)
	os.Exit(3)
}
