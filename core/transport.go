package core

import (
	"encoding/binary"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Transport is what the engine needs of one request and its response. Each
// adapter translates its framework's request into one.
//
// Cookie's result must not change afterwards: a transport over a framework
// that reuses its buffers (fasthttp) returns a copy. ClientIP and UserAgent
// may return strings valid only during the request. SetCookie must not keep
// c after it returns: the engine reuses it.
//
// SetCookie must replace a cookie of the same name set earlier in the same
// response, and mark the response as varying by cookie and uncacheable by
// shared caches: "Vary: Cookie" and `Cache-Control: no-cache="Set-Cookie"`.
// HTTPTransport and the adapters do.
//
// A transport over a framework that reuses its buffers may also offer
// BorrowCookie(name string) string: Cookie without the copy, for the
// engine's reads that keep nothing of the value.
//
// A Transport whose SetCookie copies the cookie's value before it returns,
// keeping no reference to it, may say so with a method
// CopiesCookieValue() bool that returns true: the engine then seals the
// cookie driver's value into reused memory instead of a new string. The
// adapters' transports do.
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
// line is what c.String() writes.
func SetCookieHeader(h http.Header, c *http.Cookie) {
	line := cookieLine(c)
	if line == "" {
		return
	}
	const noCache = `no-cache="Set-Cookie"`
	setCookie, vary, cacheControl := h["Set-Cookie"], h["Vary"], h["Cache-Control"]
	if setCookie == nil && vary == nil && cacheControl == nil {
		// The usual case: one allocation for the three values.
		v := make([]string, 3)
		v[0], v[1], v[2] = line, "Cookie", noCache
		h["Set-Cookie"], h["Vary"], h["Cache-Control"] = v[0:1:1], v[1:2:2], v[2:3:3]
		return
	}
	prefix := c.Name + "="
	replaced := false
	for i, l := range setCookie {
		if strings.HasPrefix(l, prefix) {
			setCookie[i] = line
			replaced = true
			break
		}
	}
	if !replaced {
		h["Set-Cookie"] = append(setCookie, line)
	}
	if !headerHasToken(vary, "Cookie") {
		h["Vary"] = append(vary, "Cookie")
	}
	if !headerHasToken(cacheControl, noCache) {
		h["Cache-Control"] = append(cacheControl, noCache)
	}
}

// cookieLine returns the Set-Cookie header value for c, as c.String()
// writes it, with fewer allocations in the usual case.
func cookieLine(c *http.Cookie) string {
	if !fastCookie(c) {
		return c.String()
	}
	b := appendCookieLine(make([]byte, 0, len(c.Name)+len(c.Value)+len(c.Path)+110), c)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// AppendSetCookie appends the Set-Cookie header value for c to dst, as
// c.String() writes it; "" (nothing appended) when c is invalid. Transports
// over frameworks that take a raw header value use it.
func AppendSetCookie(dst []byte, c *http.Cookie) []byte {
	if !fastCookie(c) {
		return append(dst, c.String()...)
	}
	return appendCookieLine(dst, c)
}

// fastCookie reports whether appendCookieLine writes c as c.String() does:
// no attribute that needs sanitizing or quoting.
func fastCookie(c *http.Cookie) bool {
	return c.Domain == "" && c.Raw == "" && !c.Partitioned && !c.Quoted && len(c.Unparsed) == 0 &&
		validCookieName(c.Name) && plainCookieValue(c.Value) && plainCookiePath(c.Path) &&
		(c.Expires.IsZero() || c.Expires.Year() >= 1601)
}

func appendCookieLine(b []byte, c *http.Cookie) []byte {
	b = append(b, c.Name...)
	b = append(b, '=')
	b = append(b, c.Value...)
	if c.Path != "" {
		b = append(b, "; Path="...)
		b = append(b, c.Path...)
	}
	if !c.Expires.IsZero() {
		b = append(b, "; Expires="...)
		b = appendHTTPTime(b, c.Expires)
	}
	if c.MaxAge > 0 {
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(c.MaxAge), 10)
	} else if c.MaxAge < 0 {
		b = append(b, "; Max-Age=0"...)
	}
	if c.HttpOnly {
		b = append(b, "; HttpOnly"...)
	}
	if c.Secure {
		b = append(b, "; Secure"...)
	}
	switch c.SameSite {
	case http.SameSiteNoneMode:
		b = append(b, "; SameSite=None"...)
	case http.SameSiteLaxMode:
		b = append(b, "; SameSite=Lax"...)
	case http.SameSiteStrictMode:
		b = append(b, "; SameSite=Strict"...)
	}
	return b
}

// httpTime is one instant formatted as http.TimeFormat.
type httpTime struct {
	sec  int64
	text string
}

// lastHTTPTime caches the last second formatted: the cookies of every
// request within one second expire at the same second.
var lastHTTPTime atomic.Pointer[httpTime]

// appendHTTPTime appends t in http.TimeFormat.
func appendHTTPTime(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if f := lastHTTPTime.Load(); f != nil && f.sec == sec {
		return append(b, f.text...)
	}
	start := len(b)
	b = t.UTC().AppendFormat(b, http.TimeFormat)
	lastHTTPTime.Store(&httpTime{sec: sec, text: string(b[start:])})
	return b
}

// plainCookieValue reports whether v needs neither sanitizing nor quotes:
// every byte is in '!'..'~' and none is '"', ',', ';' or '\\'. It checks
// eight bytes at a time.
func plainCookieValue(v string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	hasZero := func(x uint64) bool { return (x-ones)&^x&highs != 0 }
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(v[i:]), 8))
		if (x-ones*0x21)&^x&highs != 0 || // a byte below '!'
			((x+ones)|x)&highs != 0 || // a byte above '~'
			hasZero(x^(ones*'"')) || hasZero(x^(ones*',')) ||
			hasZero(x^(ones*';')) || hasZero(x^(ones*'\\')) {
			return false
		}
	}
	for ; i < len(v); i++ {
		if !plainValueByte[v[i]] {
			return false
		}
	}
	return true
}

// plainValueByte marks the bytes a cookie value holds as they are.
var plainValueByte = func() (t [256]bool) {
	for c := '!'; c < 0x7f; c++ {
		t[c] = c != '"' && c != ';' && c != '\\' && c != ','
	}
	return t
}()

func plainCookiePath(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c >= 0x7f || c == ';' {
			return false
		}
	}
	return true
}

// headerHasToken reports whether one of the comma-separated values equals
// token, ignoring case.
func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for len(v) > 0 {
			var part string
			if i := indexByte(v, ','); i >= 0 {
				part, v = v[:i], v[i+1:]
			} else {
				part, v = v, ""
			}
			if strings.EqualFold(trimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
