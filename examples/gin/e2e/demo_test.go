package e2e

import (
	"net/http"
	"os"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/internal/testkit/testenv"
)

var fingerprint = regexp.MustCompile(`^[0-9a-f]{8}$`)

func TestDemoInChromium(t *testing.T) {
	testenv.Chromium(t)
	shots := screenshotDir(t)
	app := startDemo(t, "SESSION_STORE=file", "SESSION_DATA_DIR="+t.TempDir(), "TEMPDATA_TTL=3s")
	b := newBrowser(t, shots)
	laptop, phone := b.tab("laptop"), b.tab("phone")

	// First visit: a new session, not logged in.
	laptop.open(app, "/")
	require.Equal(t, "1", laptop.text("#visits"))
	anonymous := laptop.text("#fingerprint")
	require.Regexp(t, fingerprint, anonymous)
	laptop.shot("first-visit")

	// Login: a new id, and a flash message that shows once.
	laptop.do(chromedp.SendKeys(chromedp.ID("name"), "Ada"))
	require.EqualValues(t, http.StatusOK, laptop.click("#account button[type=submit]"))
	require.Equal(t, "Ada", laptop.text("#user"))
	loggedIn := laptop.text("#fingerprint")
	assert.NotEqual(t, anonymous, loggedIn, "a new id on login")
	assert.Contains(t, laptop.text("#notice"), "Welcome, Ada! Logging in gave your session a new id: "+anonymous+" → "+loggedIn)
	laptop.shot("logged-in")
	laptop.band("demo-login", "header.top, #account, #identity, #flash")
	laptop.open(app, "/")
	assert.False(t, laptop.has("#notice"), "a flash message shows once")

	// A second device logs in as the same user, with a session of its own.
	phone.open(app, "/")
	phone.do(chromedp.SendKeys(chromedp.ID("name"), "Ada"))
	require.EqualValues(t, http.StatusOK, phone.click("#account button[type=submit]"))
	require.Equal(t, "Ada", phone.text("#user"))
	assert.NotEqual(t, loggedIn, phone.text("#fingerprint"), "each device has its own session")
	phone.shot("second-device")

	// The laptop lists both devices, and signs the phone out.
	laptop.open(app, "/")
	require.Equal(t, 2, laptop.count("#devices .device"), "two devices")
	assert.True(t, laptop.has("#devices #this-device"))
	assert.Contains(t, laptop.text("#this-device"), "this device")
	assert.Contains(t, laptop.text("#devices .device:not(#this-device)"), "Headless Chrome")
	laptop.band("devices", "#devices")
	require.EqualValues(t, http.StatusOK, laptop.click("#devices .revoke"))
	assert.Contains(t, laptop.text("#notice"), "Signed out 1 device")
	assert.Equal(t, 1, laptop.count("#devices .device"))
	phone.open(app, "/")
	assert.False(t, phone.has("#user"), "the phone is logged out")
	assert.False(t, phone.has("#devices"))

	// The phone logs in again; the laptop signs out everywhere else.
	phone.do(chromedp.SendKeys(chromedp.ID("name"), "Ada"))
	require.EqualValues(t, http.StatusOK, phone.click("#account button[type=submit]"))
	laptop.open(app, "/")
	require.Equal(t, 2, laptop.count("#devices .device"))
	require.EqualValues(t, http.StatusOK, laptop.click("#revoke-others"))
	assert.Contains(t, laptop.text("#notice"), "Signed out 1 other device")
	phone.open(app, "/")
	assert.False(t, phone.has("#user"), "the phone is logged out again")
	phone.do(chromedp.SendKeys(chromedp.ID("name"), "Ada"))
	require.EqualValues(t, http.StatusOK, phone.click("#account button[type=submit]"))
	require.Equal(t, "Ada", phone.text("#user"))

	// A kept flash message shows on two page views, then never.
	laptop.do(
		chromedp.SetValue(chromedp.ID("message"), "Kept for two page views"),
		chromedp.Click(chromedp.ID("keep")),
	)
	laptop.click("#flash button[type=submit]")
	assert.Contains(t, laptop.text("#notice"), "Kept for two page views")
	assert.True(t, laptop.has("#kept"))
	laptop.shot("flash-kept")
	laptop.open(app, "/")
	assert.Contains(t, laptop.text("#notice"), "Kept for two page views")
	assert.False(t, laptop.has("#kept"))
	laptop.open(app, "/")
	assert.False(t, laptop.has("#notice"))

	// Tempdata: a code with a countdown, gone when it has run out.
	laptop.click("#tempdata button[type=submit]")
	code := laptop.text("#offer-code")
	require.Regexp(t, `^[A-Z2-7]{8}$`, code)
	assert.Equal(t, "3 s", laptop.text("#offer-left"))
	laptop.shot("tempdata")
	laptop.band("demo-tempdata", "#tempdata, #onetime, #csrf")
	laptop.do(chromedp.WaitVisible(chromedp.CSS("#offer-left.done")))
	assert.Equal(t, "0 s: it has expired, and a reload shows it gone", laptop.text("#offer-left"))
	laptop.open(app, "/")
	assert.False(t, laptop.has("#offer-code"), "the server has dropped the code")
	assert.True(t, laptop.has("#no-offer"))

	// A one-time token: the confirmation works once.
	visits := laptop.text("#visits")
	require.NotEqual(t, "1", visits)
	laptop.click("#ask-reset")
	laptop.do(chromedp.WaitVisible(chromedp.ID("confirm-reset")))
	laptop.shot("confirm")
	laptop.click("#confirm-reset")
	assert.Contains(t, laptop.text("#notice"), "The visit counter is reset.")
	assert.Equal(t, "1", laptop.text("#visits"))
	laptop.click("#replay")
	assert.Contains(t, laptop.text("#error"), "That confirmation was already used")
	assert.Equal(t, "2", laptop.text("#visits"), "nothing was reset")
	laptop.shot("one-time-token-spent")

	// The theme lives in the cookie driver.
	laptop.click(`#drivers button[value="dark"]`)
	assert.Equal(t, "dark", attr(laptop, "html", "data-theme"))
	assert.Equal(t, "true", attr(laptop, `#drivers button[value="dark"]`, "aria-pressed"))
	laptop.shot("dark-theme")

	// A forged CSRF token: 403, and the page says why.
	assert.EqualValues(t, http.StatusForbidden, laptop.click("#forge"))
	assert.Contains(t, laptop.text("#error"), "This form's security token is forged or out of date, so nothing was changed.")
	assert.False(t, laptop.has("#notice"))
	laptop.shot("forged-token")
	laptop.band("demo-forged", "header.top, #account, #identity, #flash")

	// A restart keeps both devices logged in, and the theme.
	app.restart()
	laptop.open(app, "/")
	assert.Equal(t, "Ada", laptop.text("#user"))
	assert.Equal(t, "dark", attr(laptop, "html", "data-theme"))
	laptop.shot("after-restart")
	phone.open(app, "/")
	assert.Equal(t, "Ada", phone.text("#user"))

	for _, tb := range []*tab{laptop, phone} {
		assert.Empty(t, tb.consoleErrors(forbidden), "the console of the %s", tb.name)
	}
	t.Logf("screenshots: %s", shots)
}

func attr(tb *tab, sel, name string) string {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(tb.t, err)
	require.True(tb.t, v.Exists, "%s has no attribute %s", sel, name)
	return v.Value
}

// screenshotDir is SESSION_TEST_SCREENSHOTS, else a new directory that
// outlives the test.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("SESSION_TEST_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	dir, err := os.MkdirTemp("", "session-demo-screenshots-")
	require.NoError(t, err)
	return dir
}
