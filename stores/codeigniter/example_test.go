package codeigniter_test

import (
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/stores/codeigniter"
)

// A CodeIgniter 3 application with the files handler: the Go side writes
// the session file PHP reads.
func ExampleConfig() {
	dir, err := os.MkdirTemp("", "sessions")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	cfg, err := codeigniter.Config(codeigniter.App{Version: 3, Handler: codeigniter.Files(dir)})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Now = func() time.Time { return time.Unix(1700000000, 0) } // for a fixed __ci_last_regenerate
	m, err := core.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		s.SetUserdata("user_id", 42)        // $this->session->set_userdata('user_id', 42)
		s.SetFlashdata("notice", "Welcome") // $this->session->set_flashdata('notice', 'Welcome')
		fmt.Fprintln(w, "hello")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

	c := rec.Result().Cookies()[0]
	data, err := os.ReadFile(filepath.Join(dir, c.Name+c.Value))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Name, len(c.Value), c.HttpOnly)
	fmt.Println(string(data))
	// Output:
	// ci_session 40 true
	// __ci_last_regenerate|i:1700000000;user_id|i:42;notice|s:7:"Welcome";__ci_vars|a:1:{s:6:"notice";s:3:"new";}
}

// A CodeIgniter 4 application with the database handler on MariaDB, table
// ci_sessions, cookie ci_session: nothing else to write.
func ExampleConfig_database() {
	db, err := sql.Open("mysql", "app:secret@tcp(db:3306)/app") // or gormDB.DB()
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := codeigniter.Config(codeigniter.App{
		Version:    4,
		Handler:    codeigniter.Database(db, codeigniter.MySQL),
		Table:      "ci_sessions",
		CookieName: "ci_session",
	})
	if err != nil {
		log.Fatal(err)
	}
	m, err := core.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	log.Fatal(http.ListenAndServe(":8080", m.Middleware(http.DefaultServeMux)))
}
