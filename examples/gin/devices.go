package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

// device is one of the user's sessions, as the devices panel shows it: by
// its handle, never by its id.
type device struct {
	Handle  string
	Browser string // the User-Agent, shortened
	IP      string
	Active  string // the last activity, relative: "3 minutes ago"
	This    bool   // the session of this request
}

// devices lists the sessions of the logged-in user, most recently active
// first. With sessions in a cookie nothing on the server can list them: the
// page says so in a line instead.
func (a *app) devices(c *gin.Context, p *page) {
	s := ginsession.From(c)
	user := s.User()
	if user == "" {
		return
	}
	infos, err := a.m.UserSessions(c.Request.Context(), user)
	switch {
	case errors.Is(err, core.ErrUnsupported):
		p.DevicesNote = "Your signed-in devices are not listed: sessions live in a cookie, where the server can neither list nor end them."
		return
	case err != nil:
		log.Printf("listing the sessions of %q: %v", user, err)
		p.DevicesNote = "Your signed-in devices cannot be listed right now."
		return
	}
	this, now := s.Handle(), a.now()
	for _, in := range infos {
		p.Devices = append(p.Devices, device{
			Handle:  in.Handle,
			Browser: browser(in.UserAgent),
			IP:      in.IPAddress,
			Active:  ago(now.Sub(in.LastActivity)),
			This:    in.Handle == this,
		})
	}
}

// revokeDevice signs out one of the user's other devices, named by its
// handle. The user comes from the session, never from the form: a handle of
// someone else's session ends nothing.
func (a *app) revokeDevice(c *gin.Context) {
	s := ginsession.From(c)
	ctx, user, handle := c.Request.Context(), s.User(), c.PostForm("handle")
	if handle == s.Handle() {
		s.SetFlashdata("error", "That is this device: use Log out.")
		back(c)
		return
	}
	infos, err := a.m.UserSessions(ctx, user)
	if err != nil {
		a.devicesFailed(c, err)
		return
	}
	if !slices.ContainsFunc(infos, func(in core.SessionInfo) bool { return in.Handle == handle }) {
		s.SetFlashdata("notice", "No device was signed out: that one had already ended.")
		back(c)
		return
	}
	if err := a.m.RevokeSession(ctx, user, handle); err != nil {
		a.devicesFailed(c, err)
		return
	}
	s.SetFlashdata("notice", "Signed out 1 device: its next page view starts a new, empty session.")
	back(c)
}

// revokeOthers signs out every device of the user but this one.
func (a *app) revokeOthers(c *gin.Context) {
	s := ginsession.From(c)
	n, err := a.m.RevokeUser(c.Request.Context(), s.User(), s.Handle())
	if err != nil {
		a.devicesFailed(c, err)
		return
	}
	switch n {
	case 0:
		s.SetFlashdata("notice", "No device was signed out: this is the only one.")
	case 1:
		s.SetFlashdata("notice", "Signed out 1 other device: its next page view starts a new, empty session.")
	default:
		s.SetFlashdata("notice", fmt.Sprintf("Signed out %d other devices: their next page view starts a new, empty session.", n))
	}
	back(c)
}

func (a *app) devicesFailed(c *gin.Context, err error) {
	if errors.Is(err, core.ErrUnsupported) {
		ginsession.From(c).SetFlashdata("error", "Sessions live in a cookie here: the server cannot sign a device out.")
		back(c)
		return
	}
	_ = c.AbortWithError(http.StatusServiceUnavailable, err)
}

// browser shortens a User-Agent to the browser and its system, "Chrome 126
// on Linux"; one it does not know, to its first 40 characters.
func browser(ua string) string {
	if ua == "" {
		return "Unknown browser"
	}
	name := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"HeadlessChrome/", "Headless Chrome"}, {"Chrome/", "Chrome"}, {"Version/", "Safari"},
	} {
		if _, rest, ok := strings.Cut(ua, b.token); ok {
			version, _, _ := strings.Cut(rest, ".")
			name = strings.TrimSpace(b.name + " " + version)
			break
		}
	}
	if name == "" {
		if utf8.RuneCountInString(ua) > 40 {
			return string([]rune(ua)[:40]) + "…"
		}
		return ua
	}
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return name + " on " + o.name
		}
	}
	return name
}

// ago writes how long ago something was: "just now", "5 minutes ago".
func ago(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, unit)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}
