package main

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	deviceHandle = regexp.MustCompile(`data-handle="(h_[0-9a-f]{32})"`)
	thisDevice   = regexp.MustCompile(`data-handle="(h_[0-9a-f]{32})" id="this-device"`)
)

// handles are the handles of the devices the page lists.
func handles(page string) []string {
	var hs []string
	for _, m := range deviceHandle.FindAllStringSubmatch(page, -1) {
		hs = append(hs, m[1])
	}
	return hs
}

// twoDevices logs two browsers in as one user.
func twoDevices(t *testing.T) (a, b *site) {
	st, _ := testSettings(t)
	a = start(t, st, nil)
	b = a.browser()
	a.login("Ada")
	b.login("Ada")
	return a, b
}

func TestDevicesListsEachSession(t *testing.T) {
	a, b := twoDevices(t)
	pageA, pageB := a.page("/"), b.page("/")
	for _, page := range []string{pageA, pageB} {
		hs := handles(page)
		require.Len(t, hs, 2, "two devices")
		assert.NotEqual(t, hs[0], hs[1], "each with a handle of its own")
		assert.Len(t, thisDevice.FindAllString(page, -1), 1, "one is this device")
		assert.Contains(t, page, "Go-http-client/1.1")
		assert.Contains(t, page, "127.0.0.1 · active just now")
		for _, s := range []*site{a, b} {
			assert.NotContains(t, page, cookie(t, s, "ci_session"), "no session id in the page")
		}
	}
	assert.NotEqual(t, find(t, pageA, thisDevice), find(t, pageB, thisDevice))
	assert.ElementsMatch(t, handles(pageA), handles(pageB), "the same two devices")
	assert.Contains(t, pageA, `id="revoke-others"`)
}

func TestDevicesAppearOnLogin(t *testing.T) {
	st, clk := testSettings(t)
	s := start(t, st, nil)
	page := s.page("/")
	assert.NotContains(t, page, `id="devices"`, "no panel before logging in")
	page = s.login("Ada")
	assert.Len(t, handles(page), 1)
	assert.NotContains(t, page, `id="revoke-others"`, "nothing else to sign out")
	clk.Add(3 * time.Minute)
	assert.Contains(t, s.page("/"), "active 3 minutes ago")
}

func TestSignOutADevice(t *testing.T) {
	a, b := twoDevices(t)
	pageA := a.page("/")
	handleB := find(t, b.page("/"), thisDevice)
	require.NotEqual(t, handleB, find(t, pageA, thisDevice))

	pageA = a.submit(pageA, "/devices/revoke", url.Values{"handle": {handleB}})
	assert.Contains(t, pageA, "Signed out 1 device: its next page view starts a new, empty session.")
	assert.Equal(t, "Ada", find(t, pageA, userField), "this device stays logged in")
	assert.Equal(t, []string{find(t, pageA, thisDevice)}, handles(pageA))

	pageB := b.page("/")
	assert.NotRegexp(t, userField, pageB, "the other device is logged out")
	assert.NotContains(t, pageB, `id="devices"`)

	pageA = a.submit(pageA, "/devices/revoke", url.Values{"handle": {handleB}})
	assert.Contains(t, pageA, "No device was signed out: that one had already ended.")
}

func TestSignOutThisDeviceIsRefused(t *testing.T) {
	a, _ := twoDevices(t)
	page := a.page("/")
	page = a.submit(page, "/devices/revoke", url.Values{"handle": {find(t, page, thisDevice)}})
	assert.Contains(t, page, "That is this device: use Log out.")
	assert.Equal(t, "Ada", find(t, page, userField))
}

func TestSignOutEverywhereElse(t *testing.T) {
	a, b := twoDevices(t)
	c := a.browser()
	c.login("Ada")
	pageA := a.page("/")
	require.Len(t, handles(pageA), 3)

	pageA = a.submit(pageA, "/devices/revoke-others", nil)
	assert.Contains(t, pageA, "Signed out 2 other devices: their next page view starts a new, empty session.")
	assert.Equal(t, "Ada", find(t, pageA, userField))
	assert.Len(t, handles(pageA), 1)
	assert.NotRegexp(t, userField, b.page("/"))
	assert.NotRegexp(t, userField, c.page("/"))

	pageA = a.submit(pageA, "/devices/revoke-others", nil)
	assert.Contains(t, pageA, "No device was signed out: this is the only one.")
}

func TestAnotherUsersDeviceIsNotSignedOut(t *testing.T) {
	st, _ := testSettings(t)
	ada := start(t, st, nil)
	eve := ada.browser()
	ada.login("Ada")
	handle := find(t, ada.page("/"), thisDevice)
	page := eve.submit(eve.login("Eve"), "/devices/revoke", url.Values{"handle": {handle}})
	assert.Contains(t, page, "No device was signed out")
	assert.Equal(t, "Ada", find(t, ada.page("/"), userField))
}

func TestDeviceFormsWantTheToken(t *testing.T) {
	a, b := twoDevices(t)
	handleB := find(t, b.page("/"), thisDevice)
	for _, path := range []string{"/devices/revoke", "/devices/revoke-others"} {
		status, page := a.post(path, url.Values{"token": {"forged"}, "handle": {handleB}})
		assert.Equal(t, http.StatusForbidden, status, path)
		assert.Contains(t, page, "forged or out of date")
	}
	assert.Equal(t, "Ada", find(t, b.page("/"), userField), "still logged in")
}

func TestDevicesOnTheCookieStore(t *testing.T) {
	st, _ := testSettings(t)
	st.Store = "cookie"
	s := start(t, st, nil)
	page := s.login("Ada")
	assert.Equal(t, "Ada", find(t, page, userField))
	assert.NotContains(t, page, `id="devices"`)
	assert.Contains(t, page, `id="devices-note">Your signed-in devices are not listed`)
	page = s.submit(page, "/devices/revoke-others", nil)
	assert.Contains(t, page, "the server cannot sign a device out")
}
