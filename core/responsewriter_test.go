package core_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// downStore is a store whose writes fail.
type downStore struct{ *memstore.Store }

var errDown = errors.New("store down")

func (downStore) Insert(context.Context, string, []byte, time.Time) (bool, error) {
	return false, errDown
}

// answerer is a core.Answerer that answers with the status and a body.
type answerer struct {
	w       *core.ResponseWriter
	answers []int
}

func (a *answerer) Context() context.Context { return context.Background() }
func (a *answerer) Answer(status int, err error) {
	a.answers = append(a.answers, status)
	a.w.WriteHeader(status) // the answer's own writes go through
	_, _ = io.WriteString(a.w, "answer: "+err.Error())
}

// startWriter starts a request's session on the native driver over st,
// with a ResponseWriter over a recorder.
func startWriter(t *testing.T, st core.Store) (*core.Session, *core.ResponseWriter, *answerer, *httptest.ResponseRecorder) {
	t.Helper()
	m := newManager(t, core.DriverNative, st, nil)
	rec := httptest.NewRecorder()
	s, err := m.Start(context.Background(), &core.HTTPTransport{Writer: rec, Request: httptest.NewRequest("GET", "/", nil)})
	require.NoError(t, err)
	a := &answerer{}
	w := &core.ResponseWriter{ResponseWriter: rec, Session: s, Request: a}
	a.w = w
	return s, w, a, rec
}

// When the commit fails, however the handler's headers would have gone out,
// the answer is the response: the handler's headers that described its
// body are gone, and its writes are dropped.
func TestResponseWriterAnswersInPlaceOfTheHandler(t *testing.T) {
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated); _, _ = io.WriteString(w, "handler") }},
		{"Write", func(w http.ResponseWriter) { _, _ = io.WriteString(w, "handler") }},
		{"ReadFrom", func(w http.ResponseWriter) { _, _ = io.Copy(w, strings.NewReader("handler")) }},
		{"Flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush(); _, _ = io.WriteString(w, "handler") }},
		{"nothing written", func(http.ResponseWriter) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, w, a, rec := startWriter(t, downStore{memstore.New()})

			s.SetUserdata("k", "v")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", "/next")
			w.Header().Set("Content-Encoding", "gzip")
			tt.write(w)
			w.Finish()
			w.Release()

			require.Equal(t, []int{http.StatusServiceUnavailable}, a.answers, "one answer")
			require.True(t, w.Failed())
			require.Equal(t, http.StatusServiceUnavailable, rec.Code)
			require.True(t, strings.HasPrefix(rec.Body.String(), "answer: "), "got body %q, want the answer alone", rec.Body.String())
			require.Contains(t, rec.Body.String(), errDown.Error())
			require.Empty(t, rec.Header().Get("Location"), "the handler's redirect is gone")
			require.Empty(t, rec.Header().Get("Content-Type"), "the handler's content type is gone")
			require.Empty(t, rec.Header().Get("Content-Encoding"), "the answer is not compressed")
		})
	}
}

// A writer that commits successfully lets the handler's response through,
// commits once, and after Release lets writes through without a commit.
func TestResponseWriterCommitsOnce(t *testing.T) {
	st := memstore.New()
	s, w, a, rec := startWriter(t, st)

	s.SetUserdata("k", "v")
	_, _ = io.WriteString(w, "one ")
	require.Len(t, rec.Header().Values("Set-Cookie"), 1, "the commit set the cookie before the body")
	require.Equal(t, 1, st.Len())
	_, _ = io.WriteString(w, "two ")
	w.Finish()
	w.Release()
	_, _ = io.WriteString(w, "three") // a recovery middleware's, say
	require.Empty(t, a.answers)
	require.False(t, w.Failed())
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "one two three", rec.Body.String())
	require.Len(t, rec.Header().Values("Set-Cookie"), 1, "one commit, one cookie")
}
