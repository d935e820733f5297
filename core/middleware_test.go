package core_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// serve runs h behind m.Middleware and returns a client with a cookie jar.
func serve(t *testing.T, m *core.Manager, h http.HandlerFunc) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewUnstartedServer(m.Middleware(h))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return srv, &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func TestMiddlewareSavesBeforeTheHeadersGoOut(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter){
		"Flush": func(w http.ResponseWriter) { w.(http.Flusher).Flush(); _, _ = io.WriteString(w, "body") },
		"ReadFrom": func(w http.ResponseWriter) {
			_, _ = io.Copy(w, strings.NewReader("body"))
		},
		"Write": func(w http.ResponseWriter) { _, _ = w.Write([]byte("body")) },
		"WriteHeader": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "body")
		},
		"ResponseController": func(w http.ResponseWriter) {
			rc := http.NewResponseController(w)
			if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
				panic(err)
			}
			if err := rc.Flush(); err != nil {
				panic(err)
			}
			_, _ = io.WriteString(w, "body")
		},
		"informational first": func(w http.ResponseWriter) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			_, _ = io.WriteString(w, "body")
		},
		"nothing written": func(w http.ResponseWriter) {},
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			m := newManager(t, "native", memstore.New(), nil)
			srv, client := serve(t, m, func(w http.ResponseWriter, r *http.Request) {
				s := core.FromContext(r.Context())
				if r.URL.Path == "/get" {
					fmt.Fprint(w, s.Userdata("k"))
					return
				}
				s.SetUserdata("k", name)
				write(w)
			})
			resp, err := client.Get(srv.URL + "/set")
			require.NoError(t, err)
			resp.Body.Close()
			require.NotEmpty(t, resp.Header.Values("Set-Cookie"), "the cookie went out with the headers")
			resp, err = client.Get(srv.URL + "/get")
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, name, string(b))
		})
	}
}

func TestMiddlewareSavesBeforeHijack(t *testing.T) {
	st := memstore.New()
	m := newManager(t, "native", st, nil)
	srv, client := serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		core.FromContext(r.Context()).SetUserdata("k", "hijacked")
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nSet-Cookie: %s\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", w.Header().Get("Set-Cookie"))
		_ = buf.Flush()
	})
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 1, st.Len(), "the session was saved before the connection was handed over")
}

func TestFromContextOutsideTheMiddleware(t *testing.T) {
	require.Nil(t, core.FromContext(context.Background()))
}

func TestLockIsReleasedWhenAHandlerPanics(t *testing.T) {
	m := newManager(t, "native", memstore.New(), nil, func(c *core.Config) {
		c.Lock, c.LockTimeout = true, 500*time.Millisecond
	})
	srv, client := serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		switch r.URL.Path {
		case "/set":
			s.SetUserdata("k", "v")
		case "/panic":
			_ = s.Userdata("k") // takes the lock
			panic("handler failure")
		default:
			fmt.Fprint(w, s.Userdata("k"))
		}
	})
	get := func(path string) (*http.Response, string, error) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}
	_, _, err := get("/set")
	require.NoError(t, err)
	_, _, err = get("/panic")
	require.Error(t, err, "the server drops the connection of a panicking handler")
	resp, body, err := get("/get")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "not a lock timeout: the panic released the lock (%s)", body)
	require.Equal(t, "v", body)
}

func TestLockMakesReadModifyWriteExact(t *testing.T) {
	{
		m := newManager(t, "native", memstore.New(), nil, func(c *core.Config) { c.Lock = true })
		b := newBrowser()
		b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 0) })
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x := b.exchange()
				s, _ := m.Start(context.Background(), x)
				defer s.Release()
				s.SetUserdata("n", core.GetOr(s, "n", 0)+1)
				if err := s.Save(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		b.do(t, m, func(s *core.Session) { require.Equal(t, 50, s.Userdata("n")) })
	}
}

func TestLockTimeout(t *testing.T) {
	m := newManager(t, "native", memstore.New(), nil, func(c *core.Config) {
		c.Lock, c.LockTimeout = true, 50*time.Millisecond
	})
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 0) })
	holder := b.start(t, m)
	_ = holder.Userdata("n")
	waiter := b.start(t, m)
	require.Nil(t, waiter.Userdata("n"))
	err := waiter.Err()
	require.ErrorIs(t, err, core.ErrLockTimeout)
	require.Equal(t, http.StatusServiceUnavailable, core.ErrorStatus(err))
	holder.finish(t)
	after := b.start(t, m)
	require.Equal(t, 0, after.Userdata("n"))
	after.finish(t)
	waiter.Release()
}
