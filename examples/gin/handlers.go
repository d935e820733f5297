package main

import (
	"crypto/rand"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

// home counts this browser's visits and shows the page.
func (a *app) home(c *gin.Context) {
	s := ginsession.From(c)
	s.SetUserdata("visits", core.GetOr(s, "visits", 0)+1)
	a.render(c, http.StatusOK, a.page(c))
}

// login gives the session a new id before it gains a user: an id a visitor
// was handed before logging in (session fixation) leads nowhere after it.
func (a *app) login(c *gin.Context) {
	s := ginsession.From(c)
	name := strings.TrimSpace(c.PostForm("name"))
	if name == "" || utf8.RuneCountInString(name) > 40 {
		s.SetFlashdata("error", "Please enter a name of 1 to 40 characters.")
		back(c)
		return
	}
	before := fingerprint(s.ID())
	s.Regenerate(core.DestroyOld) // the old id ends now
	s.SetUser(name)               // lists the session among the user's devices
	s.SetUserdata("user", name)
	s.SetFlashdata("notice", "Welcome, "+name+"! Logging in gave your session a new id: "+
		before+" → "+fingerprint(s.ID())+". The old one no longer works.")
	back(c)
}

// logout ends the session; the flash message starts a new, empty one.
func (a *app) logout(c *gin.Context) {
	s := ginsession.From(c)
	s.Destroy()
	s.SetFlashdata("notice", "You are logged out: that session is gone from the server, and this is a new one.")
	back(c)
}

// flash leaves a message for the next page view, or for the next two.
func (a *app) flash(c *gin.Context) {
	s := ginsession.From(c)
	msg := strings.TrimSpace(c.PostForm("message"))
	if msg == "" || utf8.RuneCountInString(msg) > 120 {
		s.SetFlashdata("error", "Please write a message of 1 to 120 characters.")
		back(c)
		return
	}
	s.SetFlashdata("notice", msg)
	if c.PostForm("keep") != "" {
		s.SetFlashdata("keep", true) // the page keeps the notice one view longer
	}
	back(c)
}

// offer makes a code that is valid for TempdataTTL: tempdata.
func (a *app) offer(c *gin.Context) {
	s := ginsession.From(c)
	code := rand.Text()[:8] // 8 random base32 letters and digits
	s.SetTempdata("offer", offer{Code: code, Until: a.now().Add(a.st.TempdataTTL)}, a.st.TempdataTTL)
	back(c)
}

// confirmReset asks before resetting the visit counter. The confirmation
// carries a one-time token: it works once.
func (a *app) confirmReset(c *gin.Context) {
	p := a.page(c)
	p.Confirm = ginsession.From(c).GenerateOneTimeToken()
	a.render(c, http.StatusOK, p)
}

func (a *app) reset(c *gin.Context) {
	s := ginsession.From(c)
	token := c.PostForm("once")
	if !s.ValidateOneTimeToken(token) {
		s.SetFlashdata("error", "That confirmation was already used (a one-time token works once) "+
			"or is not one of this session's. Nothing was reset.")
		back(c)
		return
	}
	s.SetUserdata("visits", 0)
	s.SetFlashdata("notice", "The visit counter is reset. Its confirmation token is spent now.")
	s.SetFlashdata("spent", token) // lets the page offer to send it again
	back(c)
}

// theme keeps the visitor's choice in the cookie driver: data of its own,
// in a signed cookie of its own.
func (a *app) theme(c *gin.Context) {
	prefs, err := ginsession.From(c).Driver(core.DriverCookie)
	if err != nil {
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	switch t := c.PostForm("theme"); t {
	case "light", "dark":
		prefs.SetUserdata("theme", t)
	default:
		prefs.UnsetUserdata("theme") // follow the system's setting
	}
	back(c)
}
