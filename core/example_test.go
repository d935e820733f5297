package core_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"time"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// browse sends GET requests for paths in order with one cookie jar and
// prints each response body.
func browse(h http.Handler, paths ...string) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for _, p := range paths {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			fmt.Println(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
}

func ExampleManager_Middleware() {
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.Store = memstore.New()
	m, err := core.New(cfg)
	if err != nil {
		panic(err)
	}
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		visits := core.GetOr(s, "visits", 0) + 1
		s.SetUserdata("visits", visits)
		fmt.Fprintf(w, "visit %d", visits)
	})
	browse(m.Middleware(mux), "/", "/", "/")
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

func ExampleSession_SetFlashdata() {
	cfg := core.DefaultConfig()
	cfg.EncryptionKey = []byte("an-example-key-of-at-least-32-bytes!") // the cookie driver
	m, _ := core.New(cfg)
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/save", func(w http.ResponseWriter, r *http.Request) {
		core.FromContext(r.Context()).SetFlashdata("notice", "Profile saved")
		http.Redirect(w, r, "/profile", http.StatusSeeOther)
	})
	mux.HandleFunc("/profile", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "notice: ", core.FromContext(r.Context()).Flashdata("notice"))
	})
	browse(m.Middleware(mux), "/save", "/profile")
	// Output:
	// notice: Profile saved
	// notice: <nil>
}

type Cart struct {
	Items []string
	Total float64
}

func ExampleGet() {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	m, _ := core.New(cfg)
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/add", func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		cart, _ := core.Get[Cart](s, "cart")
		cart.Items = append(cart.Items, "book")
		cart.Total += 12.5
		s.SetUserdata("cart", cart)
		fmt.Fprintf(w, "%d items, %.2f", len(cart.Items), cart.Total)
	})
	browse(m.Middleware(mux), "/add", "/add")
	// Output:
	// 1 items, 12.50
	// 2 items, 25.00
}

func ExampleSession_SetTempdata() {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	cfg.Now = func() time.Time { return now } // a fake clock
	m, _ := core.New(cfg)
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/send", func(w http.ResponseWriter, r *http.Request) {
		core.FromContext(r.Context()).SetTempdata("otp", "481516", 10*time.Minute)
	})
	mux.HandleFunc("/check", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "otp: ", core.FromContext(r.Context()).Tempdata("otp"))
		now = now.Add(11 * time.Minute)
	})
	browse(m.Middleware(mux), "/send", "/check", "/check")
	// Output:
	//
	// otp: 481516
	// otp: <nil>
}

func ExampleSession_ValidateOneTimeToken() {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	m, _ := core.New(cfg)
	defer m.Close()

	var token string
	mux := http.NewServeMux()
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) {
		token = core.FromContext(r.Context()).GenerateOneTimeToken()
	})
	mux.HandleFunc("/submit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "accepted: ", core.FromContext(r.Context()).ValidateOneTimeToken(token))
	})
	browse(m.Middleware(mux), "/form", "/submit", "/submit")
	// Output:
	//
	// accepted: true
	// accepted: false
}
