package core_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// A user signs in on a laptop and a phone, lists both, and signs out
// everywhere else from the laptop.
func ExampleManager_UserSessions() {
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.Store = memstore.New()
	m, err := core.New(cfg)
	if err != nil {
		panic(err)
	}
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		s.SetUser("ada") // on login, after Regenerate
		fmt.Fprint(w, "signed in")
	})
	mux.HandleFunc("/devices", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		devices, err := m.UserSessions(r.Context(), s.User())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		others := 0
		for _, d := range devices { // d.UserAgent, d.IPAddress, d.LastActivity…
			if d.Handle != s.Handle() {
				others++
			}
		}
		fmt.Fprintf(w, "this device and %d other(s)", others)
	})
	mux.HandleFunc("/others", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		n, err := m.RevokeUser(r.Context(), s.User(), s.Handle())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "signed out %d other device(s)", n)
	})
	h := m.Middleware(mux)

	browse(h, "/login")                                    // the phone
	browse(h, "/login", "/devices", "/others", "/devices") // the laptop
	infos, _ := m.UserSessions(context.Background(), "ada")
	fmt.Println(len(infos), "session left")
	// Output:
	// signed in
	// signed in
	// this device and 1 other(s)
	// signed out 1 other device(s)
	// this device and 0 other(s)
	// 1 session left
}
