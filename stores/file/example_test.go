//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ignitego/session/core"
	filestore "github.com/ignitego/session/stores/file"
)

func Example() {
	dir, err := os.MkdirTemp("", "sessions-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	st, err := filestore.New(filepath.Join(dir, "sessions"))
	if err != nil {
		panic(err)
	}
	defer st.Close() // stops the start-up clean-up, if still running
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, st
	m, err := core.New(cfg) // also removes expired session files every minute
	if err != nil {
		panic(err)
	}
	defer m.Close()

	// What the engine does with the store:
	ctx := context.Background()
	id := "3f9a0c17d2b4e6f8091a2b3c4d5e6f708192a3b4"
	_ = st.Save(ctx, id, []byte("encoded session"), time.Now().Add(time.Hour))
	data, found, _ := st.Load(ctx, id)
	fmt.Println(string(data), found)
	_, err = os.Stat(filepath.Join(st.Dir(), "3f", "9a", id))
	fmt.Println(err == nil)
	// Output:
	// encoded session true
	// true
}
