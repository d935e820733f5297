package codeigniter_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/stores/codeigniter"
)

// raw is a session as the storage holds it, read without the store.
type raw struct {
	found   bool
	data    []byte
	ip      string  // databases: the ip_address column
	written float64 // Unix time of the last write: mtime, timestamp, or now-(expiration-TTL) on Redis
	name    string  // the file name, the id column, or the key
	mode    os.FileMode
}

// readRaw reads the session id as the PHP application's storage holds it,
// for a client at ip.
func (e *shared) readRaw(id, ip string) raw {
	e.t.Helper()
	t, fx, a := e.t, e.fx, e.app
	ipPart := ""
	switch {
	case fx.dir != "":
		if a.MatchIP {
			sum := md5.Sum([]byte(ip))
			ipPart = hex.EncodeToString(sum[:])
		}
		name := a.CookieName + ipPart + id
		fi, err := os.Stat(filepath.Join(fx.dir, name))
		if os.IsNotExist(err) {
			return raw{}
		}
		require.NoError(t, err)
		data, err := os.ReadFile(filepath.Join(fx.dir, name))
		require.NoError(t, err)
		return raw{found: true, data: data, name: name, mode: fi.Mode().Perm(), written: float64(fi.ModTime().UnixNano()) / 1e9}
	case fx.db != nil:
		rowID := id
		if a.Version == 4 {
			rowID = a.CookieName + ":" + id
		}
		stamp := "timestamp"
		switch {
		case a.Version == 4 && fx.dialect == codeigniter.MySQL:
			stamp = "UNIX_TIMESTAMP(timestamp)"
		case a.Version == 4:
			stamp = "extract(epoch from timestamp)"
		}
		q := "SELECT id, ip_address, " + stamp + ", data FROM " + a.Table + " WHERE id = ?"
		if fx.dialect != codeigniter.MySQL {
			q = strings.Replace(strings.Replace(q, "?", "$1", 1), "ip_address", "ip_address::text", 1)
		}
		if a.MatchIP {
			if fx.dialect == codeigniter.MySQL {
				q += " AND ip_address = '" + ip + "'"
			} else {
				q += " AND host(ip_address::inet) = '" + ip + "'"
			}
		}
		rows, err := fx.db.QueryContext(ctx(t), q, rowID)
		require.NoError(t, err)
		defer rows.Close()
		if !rows.Next() {
			require.NoError(t, rows.Err())
			return raw{}
		}
		var r raw
		r.found = true
		require.NoError(t, rows.Scan(&r.name, &r.ip, &r.written, &r.data))
		require.False(t, rows.Next(), "one row per session")
		if fx.dialect != codeigniter.MySQL && a.Version == 3 {
			dec, err := base64.StdEncoding.DecodeString(string(r.data))
			require.NoError(t, err, "CodeIgniter 3 keeps base64 in PostgreSQL's text column")
			r.data = dec
		}
		r.ip = strings.TrimSuffix(r.ip, "/32")
		return r
	default:
		prefix := a.KeyPrefix
		if a.MatchIP {
			prefix += ip + ":"
		}
		key := prefix + id
		data, err := fx.redis.Get(ctx(t), key).Bytes()
		if err != nil && err.Error() == "redis: nil" {
			return raw{}
		}
		require.NoError(t, err)
		ttl, err := fx.redis.TTL(ctx(t), key).Result()
		require.NoError(t, err)
		life := e.m.Config().Expiration
		return raw{found: true, data: data, name: key, written: float64(time.Now().Add(ttl-life).UnixNano()) / 1e9}
	}
}

// TestLayout checks what the Go side writes, read straight from the
// storage: where CodeIgniter looks for it, in its format, with the columns
// it writes; and that it is what the PHP side writes for the same session.
func TestLayout(t *testing.T) {
	for _, b := range backends {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", nil)
				e.run(set("user_id", 42), set("name", "Ada"))
				goID := e.cookie()
				g := e.readRaw(goID, "127.0.0.1")
				require.True(t, g.found, "the session is where CodeIgniter looks")
				now := float64(time.Now().UnixNano()) / 1e9
				require.InDelta(t, now, g.written, 3, "written now")
				entries, err := php.DecodeSession(g.data)
				require.NoError(t, err)
				require.Equal(t, []php.Entry{
					{Key: "__ci_last_regenerate", Value: e.clock.Now().Unix()},
					{Key: "user_id", Value: int64(42)},
					{Key: "name", Value: "Ada"},
				}, entries)

				e.fresh()
				e.php(set("user_id", 42), set("name", "Ada"))
				phpID := e.cookie()
				p := e.readRaw(phpID, "127.0.0.1")
				require.True(t, p.found)
				require.Equal(t, string(p.data), string(g.data), "the same payload as PHP's")
				require.Equal(t, p.ip, g.ip)
				require.Equal(t, p.mode, g.mode)
				require.InDelta(t, p.written, g.written, 3)
				require.Equal(t, strings.Replace(p.name, phpID, "ID", 1), strings.Replace(g.name, goID, "ID", 1))
				switch {
				case e.fx.dir != "":
					require.Equal(t, os.FileMode(0o600), g.mode)
					require.Equal(t, e.app.CookieName+goID, g.name)
				case e.fx.db != nil:
					require.Equal(t, "127.0.0.1", g.ip, "ip_address is the client's")
					if version == 4 {
						require.Equal(t, e.app.CookieName+":"+goID, g.name, "CodeIgniter 4 prefixes the cookie name")
					} else {
						require.Equal(t, goID, g.name)
					}
				default:
					if version == 4 {
						require.Equal(t, "ci_session:"+e.app.CookieName+":"+goID, g.name, "CodeIgniter 4's default prefix")
					} else {
						require.Equal(t, e.app.KeyPrefix+goID, g.name)
					}
				}
			})
		}
	}
}

// TestSharedMatchIP shares sessions bound to the client IP: the session is
// stored under the IP as CodeIgniter stores it, and a request from another
// IP, in Go or in PHP, does not see it.
func TestSharedMatchIP(t *testing.T) {
	for _, b := range backends {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", func(a *codeigniter.App) { a.MatchIP = true })
				id := e.php(set("k", "from PHP")).ID
				require.True(t, e.readRaw(id, "127.0.0.1").found, "stored under the IP")
				g := e.run(set("g", "from Go"))
				require.Equal(t, id, g.ID)
				require.Equal(t, "from PHP", g.Start.Items["k"], "Go at the same IP reads it")
				p := e.php()
				require.Equal(t, "from Go", p.Start.Items["g"], "and PHP reads Go's write")

				other := e.srv.NewClient(t, "127.0.0.2")
				other.SetCookie(e.app.CookieName, id)
				r := other.Get("/run?a=%5B%5D")
				require.Equal(t, 200, r.Status, r.Body)
				require.NotContains(t, r.Body, "from PHP", "Go at another IP does not")
				e.ip = "127.0.0.2"
				p = e.phpAs(id)
				e.ip = "127.0.0.1"
				require.False(t, p.CookieAccepted, "nor does PHP at another IP")
				require.Empty(t, p.Start.Items)
				require.False(t, e.readRaw(id, "127.0.0.2").found)
			})
		}
	}
}

// TestGarbageCollection checks that each side collects the other's expired
// sessions, and leaves live ones: CodeIgniter's gc rule (last write older
// than the expiration) is the store's.
func TestGarbageCollection(t *testing.T) {
	for _, bn := range []string{"files", "mariadb", "postgres"} {
		for _, version := range []int{3, 4} {
			b := backendFor(bn)
			t.Run(name(version, bn), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", nil)
				life := e.m.Config().Expiration
				st := e.store()
				live := e.run(set("live", true)).ID
				e.fresh()
				fromPHP := e.php(set("php", true)).ID
				e.fresh()
				fromGo := e.run(set("go", true)).ID
				e.age(fromPHP, life+10*time.Second)
				e.age(fromGo, life+10*time.Second)
				_, found, err := st.Load(ctx(t), fromPHP)
				require.NoError(t, err)
				require.False(t, found, "a session older than the expiration is gone for Go")

				n, err := collector(t, st).Collect(ctx(t), 100)
				require.NoError(t, err)
				require.Equal(t, 2, n, "Go collects both expired sessions")
				require.False(t, e.readRaw(fromPHP, e.ip).found)
				require.False(t, e.readRaw(fromGo, e.ip).found)
				require.True(t, e.readRaw(live, e.ip).found, "and keeps the live one")

				e.fresh()
				fromGo = e.run(set("go", true)).ID
				e.age(fromGo, life+10*time.Second)
				require.Equal(t, 1.0, e.phpGC(), "PHP's gc collects Go's expired session")
				require.False(t, e.readRaw(fromGo, e.ip).found)
				require.True(t, e.readRaw(live, e.ip).found)
			})
		}
	}
	t.Run("redis expiry", func(t *testing.T) {
		for _, version := range []int{3, 4} {
			e := newShared(t, version, backendFor("redis"), "net/http", nil)
			life := e.m.Config().Expiration
			for _, id := range []string{e.run(set("go", 1)).ID, func() string { e.fresh(); return e.php(set("php", 1)).ID }()} {
				ttl, err := e.fx.redis.TTL(ctx(t), e.readRaw(id, e.ip).name).Result()
				require.NoError(t, err)
				require.InDelta(t, life.Seconds(), ttl.Seconds(), 2, "the key expires after the expiration")
			}
		}
	})
}

// age moves the session id's last write back by d, in the storage itself.
func (e *shared) age(id string, d time.Duration) {
	e.t.Helper()
	r := e.readRaw(id, e.ip)
	require.True(e.t, r.found)
	secs := int64(math.Ceil(d.Seconds()))
	var err error
	switch {
	case e.fx.dir != "":
		path := filepath.Join(e.fx.dir, r.name)
		mt := time.Unix(0, int64(r.written*1e9)).Add(-d)
		err = os.Chtimes(path, mt, mt)
	case e.fx.redis != nil:
		var ttl time.Duration
		if ttl, err = e.fx.redis.TTL(ctx(e.t), r.name).Result(); err == nil {
			err = e.fx.redis.Expire(ctx(e.t), r.name, ttl-d).Err()
		}
	case e.fx.dialect == codeigniter.MySQL && e.app.Version == 4:
		_, err = e.fx.db.ExecContext(ctx(e.t), "UPDATE "+e.app.Table+" SET timestamp = timestamp - INTERVAL ? SECOND WHERE id = ?", secs, r.name)
	case e.fx.dialect == codeigniter.MySQL:
		_, err = e.fx.db.ExecContext(ctx(e.t), "UPDATE "+e.app.Table+" SET timestamp = timestamp - ? WHERE id = ?", secs, r.name)
	case e.app.Version == 4:
		_, err = e.fx.db.ExecContext(ctx(e.t), "UPDATE "+e.app.Table+" SET timestamp = timestamp - make_interval(secs => $1) WHERE id = $2", float64(secs), r.name)
	default:
		_, err = e.fx.db.ExecContext(ctx(e.t), "UPDATE "+e.app.Table+" SET timestamp = timestamp - $1 WHERE id = $2", secs, r.name)
	}
	require.NoError(e.t, err)
}

// phpGC runs PHP's garbage collection with the expiration as
// gc_maxlifetime, and returns how many sessions it deleted.
func (e *shared) phpGC() float64 {
	e.t.Helper()
	req := map[string]any{}
	for k, v := range e.fx.php {
		req[k] = v
	}
	req["version"], req["cookie_name"], req["ip"], req["match_ip"] = e.app.Version, e.app.CookieName, e.ip, e.app.MatchIP
	req["sid_length"], req["sid_bits"] = e.format.IDLength, e.format.IDBitsPerCharacter
	req["gc"] = int(e.m.Config().Expiration / time.Second)
	out, err := phpCommand(e.t, e.bin, req).Output()
	require.NoError(e.t, err)
	var res struct{ Collected float64 }
	res.Collected = -1
	require.NoError(e.t, json.Unmarshal(out, &res))
	return res.Collected
}

// TestNoRegenerationSlidesExpiry: with sess_time_to_update = 0, CodeIgniter
// sends the cookie and PHP rewrites the session on every request, which
// moves its expiry. A Go request that only reads the session does both.
func TestNoRegenerationSlidesExpiry(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newShared(t, 4, b, "net/http", func(a *codeigniter.App) { a.TimeToUpdate = codeigniter.NoRegeneration })
			id := e.php(set("k", "v")).ID
			e.age(id, 100*time.Second)
			before := e.readRaw(id, e.ip).written
			r := e.c.Get("/run?a=%5B%5D")
			require.Equal(t, 200, r.Status, r.Body)
			require.Len(t, r.SetCookies(e.app.CookieName), 1, "the cookie is sent again")
			require.Equal(t, id, r.SetCookies(e.app.CookieName)[0].Value)
			after := e.readRaw(id, e.ip)
			require.Greater(t, after.written, before+50, "the session's expiry moved")
			require.InDelta(t, float64(time.Now().Unix()), after.written, 3)
		})
	}
}

// collector returns st's Collector ability.
func collector(t testing.TB, st codeigniter.Store) core.Collector {
	c, ok := st.(core.Collector)
	if !ok {
		t.Fatalf("%T has no Collector ability", st)
	}
	return c
}
