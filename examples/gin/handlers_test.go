package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVisitsCount(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	for want := 1; want <= 3; want++ {
		assert.Equal(t, strconv.Itoa(want), find(t, s.page("/"), visitsField))
	}
	assert.Equal(t, "1", find(t, s.browser().page("/"), visitsField), "another browser counts its own")
}

func TestLoginRegeneratesTheID(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	home := s.page("/")
	before := find(t, home, fingerprintField)
	oldCookie := sessionCookie(t, s)

	page := s.submit(home, "/login", url.Values{"name": {"Ada"}})
	after := find(t, page, fingerprintField)
	assert.NotEqual(t, before, after, "a new id on login")
	assert.Equal(t, "Ada", find(t, page, userField))
	assert.Contains(t, page, "Welcome, Ada! Logging in gave your session a new id: "+before+" → "+after)

	// The id from before the login ends with it: a browser that still has
	// it gets a new, empty session.
	other := s.browser()
	u, _ := url.Parse(s.srv.URL)
	other.client.Jar.SetCookies(u, []*http.Cookie{oldCookie})
	page = other.page("/")
	assert.NotRegexp(t, userField, page)
	assert.Equal(t, "1", find(t, page, visitsField))
}

func TestLoginWantsAName(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	page := s.submit(s.page("/"), "/login", url.Values{"name": {"   "}})
	assert.Contains(t, page, "Please enter a name of 1 to 40 characters.")
	assert.NotRegexp(t, userField, page)
}

func TestLogoutEndsTheSession(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	page := s.login("Ada")
	loggedIn := sessionCookie(t, s)

	page = s.submit(page, "/logout", nil)
	assert.Contains(t, page, "You are logged out")
	assert.NotRegexp(t, userField, page)
	assert.Equal(t, "1", find(t, page, visitsField), "the new session counts from 1")

	other := s.browser()
	u, _ := url.Parse(s.srv.URL)
	other.client.Jar.SetCookies(u, []*http.Cookie{loggedIn})
	assert.NotRegexp(t, userField, other.page("/"), "the logged-in id is gone from the server")
}

func TestFlashShowsOnce(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	page := s.submit(s.page("/"), "/flash", url.Values{"message": {"Saved at noon"}})
	assert.Contains(t, page, `id="notice">Saved at noon</p>`)
	assert.NotContains(t, page, `id="kept"`)
	assert.NotContains(t, s.page("/"), "Saved at noon")
}

func TestKeepFlashdata(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	page := s.submit(s.page("/"), "/flash", url.Values{"message": {"Saved at noon"}, "keep": {"1"}})
	assert.Contains(t, page, "Saved at noon")
	assert.Contains(t, page, `id="kept"`)

	page = s.page("/")
	assert.Contains(t, page, "Saved at noon", "kept for one more page view")
	assert.NotContains(t, page, `id="kept"`, "kept once, not again")

	assert.NotContains(t, s.page("/"), "Saved at noon")
}

func TestFlashWantsAMessage(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	page := s.submit(s.page("/"), "/flash", url.Values{"message": {""}})
	assert.Contains(t, page, "Please write a message of 1 to 120 characters.")
}

var offerCode = regexp.MustCompile(`id="offer-code">([A-Z2-7]{8})<`)

func TestTempdataExpires(t *testing.T) {
	st, clk := testSettings(t)
	s := start(t, st, nil)
	page := s.page("/")
	assert.Contains(t, page, `id="no-offer"`)
	assert.Contains(t, page, "Get a code for 30 seconds")

	page = s.submit(page, "/offer", nil)
	code := find(t, page, offerCode)
	assert.Contains(t, page, `data-seconds="30"`)
	assert.Contains(t, page, ">30 s</span>")

	clk.Add(12 * time.Second)
	page = s.page("/")
	assert.Equal(t, code, find(t, page, offerCode), "the same code over page views")
	assert.Contains(t, page, `data-seconds="18"`)

	clk.Add(18 * time.Second)
	page = s.page("/")
	assert.NotContains(t, page, code)
	assert.Contains(t, page, `id="no-offer"`)
}

func TestOneTimeTokenWorksOnce(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	s.page("/")
	s.page("/")
	confirm := s.page("/reset")
	assert.Equal(t, "2", find(t, confirm, visitsField), "asking does not count as a visit")
	once := find(t, confirm, onceField)

	status, page := s.post("/reset", url.Values{"once": {once}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "The visit counter is reset.")
	assert.Equal(t, "1", find(t, page, visitsField))
	assert.Equal(t, once, find(t, page, onceField), "the page offers to send the spent token again")

	s.page("/")
	status, page = s.post("/reset", url.Values{"once": {once}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "That confirmation was already used")
	assert.Equal(t, "3", find(t, page, visitsField), "nothing was reset")
}

func TestOneTimeTokenOfAnotherSession(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	once := find(t, s.page("/reset"), onceField)
	other := s.browser()
	other.page("/")
	_, page := other.post("/reset", url.Values{"once": {once}})
	assert.Contains(t, page, "That confirmation was already used")
	assert.Equal(t, "2", find(t, page, visitsField))
}

func TestForgedTokenIsRefused(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	home := s.page("/")
	for _, path := range []string{"/login", "/logout", "/flash", "/offer", "/theme"} {
		t.Run(path, func(t *testing.T) {
			status, page := s.post(path, url.Values{
				"token": {"forged"}, "name": {"Mallory"}, "message": {"A forged message"}, "theme": {"dark"},
			})
			assert.Equal(t, http.StatusForbidden, status)
			assert.Contains(t, page, `id="error"`)
			assert.Contains(t, page, "forged or out of date, so nothing was changed")
			assert.Equal(t, find(t, home, tokenField), find(t, page, tokenField), "the page carries the real token")
		})
	}
	page := s.page("/")
	assert.NotContains(t, page, "Mallory")
	assert.NotContains(t, page, "A forged message")
	assert.NotContains(t, page, `data-theme=`)
	assert.NotContains(t, page, `id="offer-code"`)
}

func TestTokenFromBeforeLogoutIsRefused(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	loggedIn := s.login("Ada")
	s.submit(loggedIn, "/logout", nil)
	status, page := s.post("/login", url.Values{"name": {"Eve"}, "token": {find(t, loggedIn, tokenField)}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, page, "forged or out of date")
	assert.NotRegexp(t, userField, page)
}

func TestIDRotates(t *testing.T) {
	st, clk := testSettings(t)
	s := start(t, st, nil)
	page := s.login("Ada")
	first := find(t, page, fingerprintField)
	assert.Contains(t, page, `data-seconds="60"`)
	assert.Contains(t, page, ">1 min 00 s</span>")

	clk.Add(45 * time.Second)
	page = s.page("/")
	assert.Equal(t, first, find(t, page, fingerprintField))
	assert.Contains(t, page, `data-seconds="15"`)
	assert.NotContains(t, page, `id="rotated"`)

	clk.Add(15 * time.Second)
	page = s.page("/")
	second := find(t, page, fingerprintField)
	assert.NotEqual(t, first, second, "a new id after TimeToUpdate")
	assert.Contains(t, page, `id="rotated">new since your last page view: was <code>`+first+`</code>`)
	assert.Equal(t, "Ada", find(t, page, userField), "data kept")
	assert.Contains(t, page, `data-seconds="60"`)

	page = s.page("/")
	assert.Equal(t, second, find(t, page, fingerprintField))
	assert.NotContains(t, page, `id="rotated"`)
}

func TestThemeLivesInTheCookieDriver(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	page := s.submit(s.page("/"), "/theme", url.Values{"theme": {"dark"}})
	assert.Contains(t, page, `<html lang="en" data-theme="dark">`)
	assert.Contains(t, page, `value="dark" aria-pressed="true"`)
	assert.NotEmpty(t, cookie(t, s, "ci_session_cookie"), "the theme's own cookie")

	page = s.submit(page, "/theme", url.Values{"theme": {""}})
	assert.Contains(t, page, `<html lang="en">`)
	assert.Contains(t, page, `value="" aria-pressed="true"`)
}

func sessionCookie(t *testing.T, s *site) *http.Cookie {
	t.Helper()
	return &http.Cookie{Name: "ci_session", Value: cookie(t, s, "ci_session")}
}

func cookie(t *testing.T, s *site, name string) string {
	t.Helper()
	u, err := url.Parse(s.srv.URL)
	require.NoError(t, err)
	for _, c := range s.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	t.Fatalf("no cookie %s in the jar", name)
	return ""
}
