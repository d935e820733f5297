package codeigniter_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSharedUnsetTempdata: CodeIgniter 3's unset_tempdata() only unmarks
// the item, which stays as plain userdata, and so does Go's UnmarkTemp;
// CodeIgniter 4's removeTempdata() removes it, and so does Go's
// UnsetTempdata. Each side reads what the other left.
func TestSharedUnsetTempdata(t *testing.T) {
	for _, b := range backends {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", nil)
				twin := unsetTempdata("otp") // CodeIgniter 4's removeTempdata
				if version == 3 {
					twin = unmarkTemp("otp") // CodeIgniter 3's unset_tempdata
				}

				e.fresh()
				e.php(temp("otp", "123456", 300*time.Second), unsetTempdata("otp"))
				g := e.run()
				require.Empty(t, g.Start.Temp)
				if version == 3 {
					require.Equal(t, "123456", g.Start.Items["otp"], "unset_tempdata() keeps the value as userdata")
				} else {
					require.NotContains(t, g.Start.Items, "otp", "removeTempdata() removes the value")
				}

				e.fresh()
				e.run(temp("otp", "123456", 300*time.Second), twin)
				p := e.php()
				require.Empty(t, p.Start.Temp)
				require.NotContains(t, p.Start.Vars, "otp")
				if version == 3 {
					require.Equal(t, "123456", p.Start.Items["otp"], "UnmarkTemp keeps the value, as unset_tempdata() does")
				} else {
					require.NotContains(t, p.Start.Items, "otp", "UnsetTempdata removes it, as removeTempdata() does")
				}
			})
		}
	}
}
