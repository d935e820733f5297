package fibersession

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ignitego/session/core"
)

// HeaderMargin is what the middleware keeps free, out of
// fiber.Config.ReadBufferSize, for the rest of a request's headers when it
// sizes a session cookie: the request line, Host, a browser's User-Agent,
// Accept, Accept-Language, Referer and Sec-Fetch-* headers, what a reverse
// proxy adds, and the app's other cookies. A browser's navigation carries
// 700 to 1200 bytes of them.
const HeaderMargin = 1536

// CookieTooLargeError reports a session cookie the middleware did not send
// because the app could not read it back: it exceeds
// fiber.Config.ReadBufferSize less HeaderMargin. It wraps
// core.ErrCookieTooLarge, and like it leaves the cookie the client holds
// valid.
type CookieTooLargeError struct {
	Name           string // the cookie's name
	Size           int    // len(name=value)
	ReadBufferSize int    // the app's fiber.Config.ReadBufferSize
}

func (e *CookieTooLargeError) Error() string {
	return fmt.Sprintf("session: cookie %q needs %d bytes, more than the %d this Fiber app can read back "+
		"(fiber.Config.ReadBufferSize %d less %d for the other request headers): raise fiber.Config.ReadBufferSize",
		e.Name, e.Size, e.ReadBufferSize-HeaderMargin, e.ReadBufferSize, HeaderMargin)
}

// Unwrap returns core.ErrCookieTooLarge.
func (e *CookieTooLargeError) Unwrap() error { return core.ErrCookieTooLarge }

// fits reports whether the app can read ck back in a request, and keeps
// track of the cookies it refused.
func (t *transport) fits(ck *http.Cookie) bool {
	size := len(ck.Name) + 1 + len(ck.Value)
	limit := t.c.App().Config().ReadBufferSize
	for i, r := range t.refused {
		if r.Name == ck.Name {
			t.refused = append(t.refused[:i], t.refused[i+1:]...) // sent again: only the last one counts
			break
		}
	}
	if size <= limit-HeaderMargin {
		return true
	}
	t.refused = append(t.refused, &CookieTooLargeError{Name: ck.Name, Size: size, ReadBufferSize: limit})
	return false
}

// refusals joins to err, what Commit returned, the cookies SetCookie
// refused.
func (t *transport) refusals(err error) error {
	for _, r := range t.refused {
		if err == nil {
			err = r
		} else {
			err = errors.Join(err, r)
		}
	}
	return err
}
