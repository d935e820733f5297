package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

// page is what the template shows: one field or group per panel.
type page struct {
	Token string // the CSRF token every form carries

	// Account
	User   string
	Visits int

	// Flashdata: messages for the next page view.
	Notice string
	Kept   bool // the notice shows once more (KeepFlashdata)
	Error  string

	// Tempdata: an offer that lives TempdataTTL.
	Offer       *offerView
	TempdataTTL time.Duration

	// One-time tokens: the confirmation of a reset, and a token just spent.
	Confirm string
	Spent   string

	// The session id, never shown itself.
	ID identity

	// Signed-in devices: the logged-in user's sessions, or a note saying
	// why they cannot be listed.
	Devices     []device
	DevicesNote string

	// Drivers: the theme lives in the cookie driver.
	Theme       string // "", "light" or "dark"
	ThemeCookie string
	MainCookie  string
	Where       string
}

// offer is the tempdata item: a struct, read back with core.Get.
type offer struct {
	Code  string
	Until time.Time
}

type offerView struct {
	Code string
	Left int // seconds
}

// identity shows the id by a fingerprint: enough to see it change, useless
// to anyone who would steal it.
type identity struct {
	Fingerprint string
	Previous    string // the fingerprint at the last page view, when it has changed since
	RotatesIn   int    // seconds until the id rotates, on the first request after that
	Every       time.Duration
}

// page reads the session into a page. Handlers change what they need and
// render it.
func (a *app) page(c *gin.Context) page {
	s := ginsession.From(c)
	p := page{
		Token:       s.Token(),
		User:        core.GetOr(s, "user", ""),
		Visits:      core.GetOr(s, "visits", 0),
		TempdataTTL: a.st.TempdataTTL,
		Theme:       theme(s),
		ThemeCookie: a.m.CookieName(core.DriverCookie),
		MainCookie:  a.m.CookieName(a.m.Config().Driver),
		Where:       a.where,
	}
	p.Notice, _ = s.Flashdata("notice").(string)
	p.Error, _ = s.Flashdata("error").(string)
	p.Spent, _ = s.Flashdata("spent").(string)
	if p.Notice != "" && s.Flashdata("keep") == true {
		s.KeepFlashdata("notice") // "keep" itself is not kept: the notice shows twice, then never
		p.Kept = true
	}
	if o, ok := core.Get[offer](s, "offer"); ok { // nil once its time to live has passed
		p.Offer = &offerView{Code: o.Code, Left: ceilSeconds(o.Until.Sub(a.now()))}
	}
	p.ID = a.identity(s)
	a.devices(c, &p)
	return p
}

func (a *app) identity(s *core.Session) identity {
	id := identity{Fingerprint: fingerprint(s.ID()), Every: a.st.TimeToUpdate}
	if prev := core.GetOr(s, "fingerprint", ""); prev != id.Fingerprint {
		id.Previous = prev
		s.SetUserdata("fingerprint", id.Fingerprint)
	}
	// last_activity is when the id was last given (created, regenerated or
	// rotated); it rotates TimeToUpdate later.
	last, _ := core.Get[int64](s, core.KeyLastActivity)
	id.RotatesIn = max(0, ceilSeconds(time.Unix(last, 0).Add(a.st.TimeToUpdate).Sub(a.now())))
	return id
}

// fingerprint is the first 8 hex digits of the id's SHA-256.
func fingerprint(id string) string {
	if id == "" {
		return "none yet"
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}

// theme is the page's theme, kept in the cookie driver: its own signed
// cookie, apart from the server-side session.
func theme(s *core.Session) string {
	prefs, err := s.Driver(core.DriverCookie)
	if err != nil {
		return ""
	}
	return core.GetOr(prefs, "theme", "")
}

func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// seconds writes a count of seconds as "42 s" or "4 min 05 s", as
// static/countdown.js does while it ticks.
func seconds(n int) string {
	if n < 60 {
		return fmt.Sprintf("%d s", n)
	}
	return fmt.Sprintf("%d min %02d s", n/60, n%60)
}

// inWords writes d as "30 seconds" or "1 minute", inGo as the Go
// expression "30 * time.Second" or "time.Minute".
func inWords(d time.Duration) string {
	n, unit := units(d)
	if n == 1 {
		return "1 " + strings.ToLower(unit)
	}
	return fmt.Sprintf("%d %ss", n, strings.ToLower(unit))
}

func inGo(d time.Duration) string {
	n, unit := units(d)
	if n == 1 {
		return "time." + unit
	}
	return fmt.Sprintf("%d * time.%s", n, unit)
}

func units(d time.Duration) (int64, string) {
	switch {
	case d%time.Hour == 0:
		return int64(d / time.Hour), "Hour"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "Minute"
	case d%time.Second == 0:
		return int64(d / time.Second), "Second"
	}
	return d.Milliseconds(), "Millisecond"
}
