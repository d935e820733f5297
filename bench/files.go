//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package bench

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	gsessions "github.com/gorilla/sessions"

	"github.com/ignitego/session/core"
	filestore "github.com/ignitego/session/stores/file"
)

// Files, in Gin: ours' file store against gorilla/sessions'
// FilesystemStore (scs has no file store, gin-contrib/sessions none of its
// own). gorilla writes a file in place without fsync; ours writes a
// temporary file and renames it, with fsync by default. "file" is ours
// without fsync (filestore.WithSync(false)), as durable as gorilla's;
// "file-fsync" is ours as it ships.
func init() {
	ginStores = append(ginStores,
		oursStore{
			name: "file",
			config: func(tb testing.TB) (core.Config, *meter) {
				return nativeConfig(newFileStore(tb, filestore.WithSync(false))), fileIOMeter()
			},
		},
		oursStore{
			name: "file-fsync",
			config: func(tb testing.TB) (core.Config, *meter) {
				return nativeConfig(newFileStore(tb)), fileIOMeter()
			},
		},
	)
	scaleStores = append(scaleStores, scaleStore{name: "file", open: func(tb testing.TB) scaleBackend {
		// Without fsync, as "file" in Gin; the load goes through Save,
		// from several goroutines.
		st := newFileStore(tb, filestore.WithSync(false))
		return scaleBackend{store: st, io: fileIOMeter(), bulk: saveParallel(st)}
	}})
	filePeers = append(filePeers, mount{library: "gorilla", store: "file", build: func(tb testing.TB) *Case {
		st := gsessions.NewFilesystemStore(tb.TempDir(), encryptionKey)
		st.Options = gorillaOptions()
		o := gorillaOps(st, func(c *gin.Context) (http.ResponseWriter, *http.Request) { return c.Writer, c.Request })
		ms := new(misses)
		r := ginEngine(nil, ginServe(o, ms))
		return &Case{Framework: "gin", Library: "gorilla", Store: "file", target: httpTarget{r}, misses: ms, io: fileIOMeter()}
	}})
}

// newFileStore returns ours' file store in a directory of tb's own,
// removed when tb ends.
func newFileStore(tb testing.TB, opts ...filestore.Option) *filestore.Store {
	tb.Helper()
	st, err := filestore.New(tb.TempDir(), opts...)
	if err != nil {
		tb.Fatalf("filestore: %v", err)
	}
	return st
}
