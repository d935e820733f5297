package fibersession_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	fibersession "github.com/ignitego/session/adapters/fiber"
	"github.com/ignitego/session/core"
)

// browserHeaders are the headers a desktop browser sends with a
// navigation, besides Host and Cookie: about 700 bytes.
var browserHeaders = map[string]string{
	"User-Agent":                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Accept":                    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
	"Accept-Language":           "en-US,en;q=0.9,de;q=0.8",
	"Accept-Encoding":           "gzip, deflate, br, zstd",
	"Sec-Ch-Ua":                 `"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`,
	"Sec-Ch-Ua-Mobile":          "?0",
	"Sec-Ch-Ua-Platform":        `"Windows"`,
	"Sec-Fetch-Site":            "same-origin",
	"Sec-Fetch-Mode":            "navigate",
	"Sec-Fetch-User":            "?1",
	"Sec-Fetch-Dest":            "document",
	"Upgrade-Insecure-Requests": "1",
	"Referer":                   "https://shop.example.com/account/orders?page=2",
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A cookie-driver cookie that the engine accepts (at most 4096 bytes) but
// that Fiber's default 4 KiB read buffer cannot take back with a browser's
// other headers would make every later request a 431, so that the server
// could never replace it. The middleware refuses it as too large, and the
// session the client held keeps working; with a larger ReadBufferSize the
// same cookie is sent and read back.
func TestCookieFitsTheReadBuffer(t *testing.T) {
	const big = 2700 // a blob that makes a cookie of about 3.9 KB
	tests := []struct {
		name           string
		readBufferSize int // 0: Fiber's default
		wantRefused    bool
	}{
		{"default read buffer", 0, true},
		{"16 KiB read buffer", 16 << 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			cfg := core.DefaultConfig()
			cfg.EncryptionKey = []byte("fiber-test-key-0123456789-abcdefghij")
			cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
			m, err := core.New(cfg)
			require.NoError(t, err)
			defer m.Close()

			app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: tt.readBufferSize})
			app.Use(fibersession.New(m))
			app.Get("/set", func(c *fiber.Ctx) error {
				n, _ := strconv.Atoi(c.Query("n"))
				fibersession.From(c).SetUserdata("blob", strings.Repeat("x", n))
				return c.SendString("set")
			})
			app.Get("/get", func(c *fiber.Ctx) error {
				s, _ := core.Get[string](fibersession.From(c), "blob")
				return c.SendString(strconv.Itoa(len(s)))
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			go func() { _ = app.Listener(ln) }()
			defer func() { _ = app.ShutdownWithTimeout(5 * time.Second) }()

			base := "http://" + ln.Addr().String()
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
			get := func(path string) (int, string) {
				t.Helper()
				req, err := http.NewRequest(http.MethodGet, base+path, nil)
				require.NoError(t, err)
				for k, v := range browserHeaders {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, string(b)
			}
			cookie := func() string {
				u, _ := url.Parse(base)
				for _, c := range jar.Cookies(u) {
					if c.Name == "ci_session" {
						return c.Value
					}
				}
				return ""
			}

			status, _ := get("/set?n=10")
			require.Equal(t, http.StatusOK, status)
			small := cookie()
			require.NotEmpty(t, small)

			status, _ = get("/set?n=" + strconv.Itoa(big))
			if tt.wantRefused {
				require.Equal(t, http.StatusInternalServerError, status)
				require.Equal(t, small, cookie(), "the refused cookie must not replace the one the client holds")
				require.Contains(t, logs.String(), "fiber.Config.ReadBufferSize", "the log names the setting to raise")
				status, body := get("/get")
				require.Equal(t, http.StatusOK, status, "the next request must reach the app")
				require.Equal(t, "10", body, "the old session still works")
				return
			}
			require.Equal(t, http.StatusOK, status)
			size := len("ci_session=") + len(cookie())
			require.Greater(t, size, 3800, "the cookie must be as large as the refused one")
			require.LessOrEqual(t, size, core.MaxCookieSize)
			status, body := get("/get")
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, strconv.Itoa(big), body)
			require.Empty(t, logs.String())
		})
	}
}

// The refusal reaches the error handler as an error that wraps
// core.ErrCookieTooLarge and names the setting to raise; a later, smaller
// save of the same cookie in the request is sent.
func TestCookieTooLargeReachesTheErrorHandler(t *testing.T) {
	tests := []struct {
		name       string
		then       int // the size of a second save in the same request; 0: none
		wantStatus int
	}{
		{"refused", 0, http.StatusInternalServerError},
		{"replaced by a smaller save", 10, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manager(t, core.DriverCookie)
			defer m.Close()
			var got error
			app := fiber.New()
			app.Use(fibersession.NewWithConfig(m, fibersession.Config{ErrorHandler: func(c *fiber.Ctx, status int, err error) error {
				got = err
				return c.SendStatus(status)
			}}))
			app.Get("/", func(c *fiber.Ctx) error {
				s := fibersession.From(c)
				s.SetUserdata("blob", strings.Repeat("x", 2900))
				if err := s.Save(c.UserContext()); err != nil {
					return err
				}
				if tt.then > 0 {
					s.SetUserdata("blob", strings.Repeat("x", tt.then))
				}
				return c.SendString("ok")
			})
			resp, err := app.Test(httptestRequest(t))
			require.NoError(t, err)
			require.Equal(t, tt.wantStatus, resp.StatusCode)
			if tt.wantStatus == http.StatusOK {
				require.NoError(t, got)
				require.Len(t, resp.Cookies(), 1)
				return
			}
			require.True(t, errors.Is(got, core.ErrCookieTooLarge), "got %v, want an error wrapping core.ErrCookieTooLarge", got)
			var tooLarge *fibersession.CookieTooLargeError
			require.True(t, errors.As(got, &tooLarge), "got %T", got)
			require.Equal(t, fiber.DefaultReadBufferSize, tooLarge.ReadBufferSize)
			require.Contains(t, got.Error(), "raise fiber.Config.ReadBufferSize")
			require.Empty(t, resp.Cookies(), "nothing is sent")
		})
	}
}

func httptestRequest(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	require.NoError(t, err)
	return req
}
