// Command gin is a one-page Gin site that shows ignitego/session at work:
// login with a new session id, flash messages kept or not, tempdata with a
// countdown, CSRF and one-time tokens, the id's rotation, and a second
// driver.
//
//	go run -tags nomsgpack ./examples/gin
//
// then open http://127.0.0.1:8080. Sessions live in files beside this
// source (data/sessions); restart the app and you are still logged in.
// settings.go lists what the environment can change, store.go where
// sessions can live.
package main

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	st, err := settingsFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	m, where, closeStore, err := newManager(st)
	if err != nil {
		log.Fatal(err)
	}
	defer closeStore()
	defer m.Close()

	ln, err := net.Listen("tcp", st.Addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s (sessions: %s)", ln.Addr(), where)
	srv := &http.Server{Handler: newApp(m, st, where).router(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Print(err)
	}
}
