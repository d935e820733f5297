// Package e2e drives the example site in headless Chromium: two browsers
// log in as one user, flash messages show once or twice, a tempdata code
// expires, a one-time token works once, a forged CSRF token is refused, and
// a restart of the app keeps the session. No page may log an error to its
// console.
//
// The test runs when SESSION_TEST_CHROMIUM names the browser:
//
//	SESSION_TEST_CHROMIUM=/usr/bin/chromium go test -v ./examples/gin/e2e
//
// and skips otherwise (SESSION_TEST_STRICT turns the skip into a failure).
// It writes a screenshot of each step to SESSION_TEST_SCREENSHOTS, or to a
// new directory under the system's temporary directory, and logs where.
package e2e
