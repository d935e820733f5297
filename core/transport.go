package core

import (
	"net"
	"net/http"
	"slices"
	"strings"
)

// Transport is what the engine needs of one request and its response. Each
// adapter translates its framework's request into one.
//
// The strings a Transport returns must stay valid and unchanged after the
// request: a transport over a framework that reuses its buffers (fasthttp)
// returns copies.
//
// SetCookie must replace a cookie of the same name set earlier in the same
// response, and mark the response as varying by cookie and uncacheable by
// shared caches: "Vary: Cookie" and `Cache-Control: no-cache="Set-Cookie"`.
// HTTPTransport and the adapters do (see SetCookieHeader).
type Transport interface {
	Cookie(name string) string // "" when absent
	SetCookie(c *http.Cookie)
	ClientIP() string
	UserAgent() string
}

// HTTPTransport is the Transport of a net/http request. ClientIP is the
// host of Request.RemoteAddr: put a trusted proxy-header middleware in front
// of it (or embed it and override ClientIP) when the app runs behind one.
type HTTPTransport struct {
	Writer  http.ResponseWriter
	Request *http.Request
}

// Cookie returns the named cookie's value from the request.
func (t *HTTPTransport) Cookie(name string) string { return CookieValue(t.Request.Header, name) }

// SetCookie sets c on the response; see SetCookieHeader.
func (t *HTTPTransport) SetCookie(c *http.Cookie) { SetCookieHeader(t.Writer.Header(), c) }

// ClientIP returns the host part of Request.RemoteAddr.
func (t *HTTPTransport) ClientIP() string {
	host, _, err := net.SplitHostPort(t.Request.RemoteAddr)
	if err != nil {
		return t.Request.RemoteAddr
	}
	return host
}

// UserAgent returns the request's User-Agent header.
func (t *HTTPTransport) UserAgent() string {
	if v := t.Request.Header["User-Agent"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// SetCookieHeader adds c to the Set-Cookie headers of h, replacing one of
// the same name, and adds "Vary: Cookie" and
// `Cache-Control: no-cache="Set-Cookie"` unless h has them already. The
// line is what c.String() writes; nothing is added for an invalid cookie.
func SetCookieHeader(h http.Header, c *http.Cookie) {
	line := c.String()
	if line == "" {
		return
	}
	prefix := c.Name + "="
	i := slices.IndexFunc(h["Set-Cookie"], func(l string) bool { return strings.HasPrefix(l, prefix) })
	if i >= 0 {
		h["Set-Cookie"][i] = line
	} else {
		h.Add("Set-Cookie", line)
	}
	const noCache = `no-cache="Set-Cookie"`
	if !hasToken(h.Values("Vary"), "Cookie") {
		h.Add("Vary", "Cookie")
	}
	if !hasToken(h.Values("Cache-Control"), noCache) {
		h.Add("Cache-Control", noCache)
	}
}

// hasToken reports whether one of the comma-separated values equals token,
// ignoring case and surrounding spaces.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
