//go:build !stores

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDatabaseStoresNeedTheTag(t *testing.T) {
	for _, store := range []string{"postgres", "mysql", "sqlite", "redis"} {
		t.Run(store, func(t *testing.T) {
			st, _ := testSettings(t)
			st.Store = store
			_, _, _, err := newManager(st)
			require.Error(t, err)
			assert.Equal(t, "SESSION_STORE="+store+": this build has no database stores; "+
				"build it with them: go run -tags stores ./examples/gin", err.Error())
		})
	}
}

func TestSiteOnServers(t *testing.T) {
	t.Skip("built without the database stores: go test -tags stores ./examples/gin runs the site " +
		"on PostgreSQL, MySQL/MariaDB, SQLite and Redis")
}
