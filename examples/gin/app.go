package main

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

var (
	//go:embed templates/*.html
	templates embed.FS
	//go:embed static
	static embed.FS
)

// app is the demo site: one page of panels, each showing one part of the
// session library, and the forms that drive them.
type app struct {
	m     *core.Manager
	st    settings
	where string // where sessions live, for the page's footer
	tmpl  *template.Template
}

func newApp(m *core.Manager, st settings, where string) *app {
	tmpl := template.Must(template.New("").Funcs(template.FuncMap{
		"seconds": seconds,
		"inWords": inWords,
		"inGo":    inGo,
	}).ParseFS(templates, "templates/*.html"))
	return &app{m: m, st: st, where: where, tmpl: tmpl}
}

func (a *app) now() time.Time {
	if a.st.Now != nil {
		return a.st.Now()
	}
	return time.Now()
}

func (a *app) router() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Logger(), gin.Recovery(), securityHeaders)
	r.SetHTMLTemplate(a.tmpl)

	// Static files need no session: they are served before it starts.
	files, _ := fs.Sub(static, "static")
	r.StaticFS("/static", http.FS(files))
	r.GET("/favicon.ico", func(c *gin.Context) { c.FileFromFS("favicon.svg", http.FS(files)) })

	pages := r.Group("/", ginsession.New(a.m))
	pages.GET("/", a.home)
	pages.GET("/reset", a.confirmReset)
	pages.POST("/reset", a.reset) // guarded by its one-time token

	forms := pages.Group("/", requireToken(a)) // every other form carries the CSRF token
	forms.POST("/login", a.login)
	forms.POST("/logout", a.logout)
	forms.POST("/flash", a.flash)
	forms.POST("/offer", a.offer)
	forms.POST("/theme", a.theme)
	forms.POST("/devices/revoke", a.revokeDevice)
	forms.POST("/devices/revoke-others", a.revokeOthers)
	return r
}

// securityHeaders lets the page load only its own files: no inline script
// or style, no framing.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// requireToken refuses a form whose CSRF token is not the session's: 403,
// and the page says why. A token from before a logout or from another
// browser is refused the same way as a forged one.
func requireToken(a *app) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ginsession.From(c).ValidateToken(c.PostForm("token")) {
			c.Next()
			return
		}
		p := a.page(c)
		p.Error = "This form's security token is forged or out of date, so nothing was changed. " +
			"The form below carries a fresh one."
		a.render(c, http.StatusForbidden, p)
		c.Abort()
	}
}

func (a *app) render(c *gin.Context, status int, p page) {
	c.Header("Cache-Control", "no-store")
	c.HTML(status, "index.html", p)
}

// back answers a form with a redirect to the page (Post/Redirect/Get): the
// flash messages set by the form show there.
func back(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/") }
