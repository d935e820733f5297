//go:build !stores

package main

import (
	"fmt"

	"github.com/ignitego/session/core"
)

// Without -tags stores the app compiles no database driver, so that its
// first build takes seconds, not minutes.
const databaseStores = ""

func openDatabase(st settings) (core.Store, string, func(), error) {
	switch st.Store {
	case "postgres", "mysql", "sqlite", "redis":
		return nil, "", nil, fmt.Errorf("SESSION_STORE=%s: this build has no database stores; "+
			"build it with them: go run -tags stores ./examples/gin", st.Store)
	}
	return nil, "", nil, unknownStore(st.Store)
}
