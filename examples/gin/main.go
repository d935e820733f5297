// Command gin is a small Gin site on ignitego/session: a login form with a
// CSRF token, a flash message after the redirect, and a visit counter.
//
//	go run ./examples/gin
//
// then open http://127.0.0.1:8080. See store.go for where sessions live and
// how to point the app at another store.
package main

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

//go:embed templates/*.html
var templates embed.FS

func main() {
	m, closeStore, err := newManager()
	if err != nil {
		log.Fatal(err)
	}
	defer closeStore()
	defer m.Close()

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	srv := &http.Server{Addr: addr, Handler: router(m), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		log.Printf("listening on http://%s (sessions: %s)", addr, describeStore())
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

func router(m *core.Manager) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Logger(), gin.Recovery(), ginsession.New(m))
	r.SetHTMLTemplate(template.Must(template.ParseFS(templates, "templates/*.html")))
	r.GET("/", home)
	r.POST("/login", login)
	r.POST("/logout", logout)
	return r
}

// home counts the visits of this browser and shows who is logged in.
func home(c *gin.Context) {
	s := ginsession.From(c)
	visits := core.GetOr(s, "visits", 0) + 1
	s.SetUserdata("visits", visits)
	c.HTML(http.StatusOK, "index.html", gin.H{
		"User":   core.GetOr(s, "user", ""),
		"Visits": visits,
		"Notice": s.Flashdata("notice"),
		"Error":  s.Flashdata("error"),
		"Token":  s.Token(),
		"Store":  describeStore(),
	})
}

func login(c *gin.Context) {
	s := ginsession.From(c)
	if !s.ValidateToken(c.PostForm("token")) {
		s.SetFlashdata("error", "The form expired, please try again.")
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	name := strings.TrimSpace(c.PostForm("name"))
	if name == "" || len(name) > 40 {
		s.SetFlashdata("error", "Please enter a name of 1 to 40 characters.")
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	s.Regenerate(core.DestroyOld) // a new id at every change of privilege
	s.SetUserdata("user", name)
	s.SetFlashdata("notice", "Welcome, "+name+"!")
	c.Redirect(http.StatusSeeOther, "/")
}

func logout(c *gin.Context) {
	s := ginsession.From(c)
	if !s.ValidateToken(c.PostForm("token")) {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	s.Destroy()
	s.SetFlashdata("notice", "You are logged out.") // starts a new, anonymous session
	c.Redirect(http.StatusSeeOther, "/")
}
