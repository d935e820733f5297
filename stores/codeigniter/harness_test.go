package codeigniter_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/internal/testkit/testenv"
	"github.com/ignitego/session/stores/codeigniter"
)

// A PHP request and a Go request take the same actions and answer the
// same result, so that a test reads like a user's visits to either side.
type action map[string]any

func set(key string, value any) action { return action{"op": "set", "key": key, "value": value} }
func unset(key string) action          { return action{"op": "unset", "key": key} }
func flash(key string, value any) action {
	return action{"op": "flash", "key": key, "value": value}
}
func temp(key string, value any, ttl time.Duration) action {
	return action{"op": "temp", "key": key, "value": value, "ttl": int(ttl / time.Second)}
}
func keep(key string) action { return action{"op": "keep", "key": key} }

// dump has PHP report serialize() of the item, with its types and order.
func dump(key string) action { return action{"op": "dump", "key": key} }

// push is CodeIgniter 4's push($key, $data); Go's Session.Push.
func push(key string, data map[string]any) action {
	return action{"op": "push", "key": key, "value": data}
}

// setIn changes one key of the array under key, read and written back
// whole: in Go through Get[*php.Array] ("set_in_array") or
// Get[map[string]any] ("set_in_map").
func setIn(op, key, field string, value any) action {
	return action{"op": op, "key": key, "field": field, "value": value}
}

func increment(key string, by int) action { return action{"op": "increment", "key": key, "by": by} }

// unmarkTemp is unmark_temp()/unmarkTempdata(), Go's UnmarkTemp;
// unsetTempdata is the version's unset_tempdata()/removeTempdata() in PHP
// and UnsetTempdata in Go.
func unmarkTemp(key string) action    { return action{"op": "unmark_temp", "key": key} }
func unsetTempdata(key string) action { return action{"op": "unset_tempdata", "key": key} }

// regenerate is CodeIgniter's sess_regenerate($destroy).
func regenerate(destroy bool) action { return action{"op": "regenerate", "destroy": destroy} }
func destroy() action                { return action{"op": "destroy"} }

// view is a session as a request saw it.
type view struct {
	Items          map[string]any    `json:"items"`
	Flash          map[string]any    `json:"flash"`
	Temp           map[string]any    `json:"temp"`
	Vars           map[string]any    `json:"vars"`  // PHP: __ci_vars
	Types          map[string]string `json:"types"` // Go: the Go type of each item
	LastRegenerate any               `json:"last_regenerate"`
}

// result is what a request answered.
type result struct {
	ID             string             `json:"id"`     // the session id afterwards; "" when destroyed
	Cookie         string             `json:"cookie"` // PHP: the Set-Cookie value for ID, urlencode(session_id())
	CookieAccepted bool               `json:"cookie_accepted"`
	Dumps          map[string]*string `json:"dumps"` // PHP: serialize() of the items "dump" named; nil when absent
	Start          view               `json:"start"`
	End            view               `json:"end"`
	Stamps         map[string]float64 `json:"stamps"`
	LoadedAt       float64            `json:"loaded_at"` // Go: when the session was loaded (Unix seconds)
}

// shared is a Go application and a CodeIgniter-like PHP script sharing one
// application's sessions, and one browser visiting both.
type shared struct {
	t      *testing.T
	bin    string // the php binary
	fx     *fixture
	app    codeigniter.App // defaults filled in
	format core.Format
	clock  *frontends.Clock
	m      *core.Manager
	srv    *frontends.Server
	c      *browser
	ip     string // the browser's IP as PHP sees it
	logs   *logBuffer

	// phpSIDLength and phpSIDBits, when not zero, are the PHP side's id
	// form (CodeIgniter 3's, already lengthened), where the Go side's App
	// says otherwise.
	phpSIDLength, phpSIDBits int
	// ci3LegacyFlash has the PHP side age flashdata as CodeIgniter 3.1.11
	// and earlier do: 'old' < time(), false on PHP 8.
	ci3LegacyFlash bool

	held, release chan struct{} // the /hold route's handshake
}

// newShared starts the Go application behind the named front end, on b's
// storage for the version.
func newShared(t *testing.T, version int, b backend, frontend string, tweak func(*codeigniter.App)) *shared {
	t.Helper()
	php := testenv.PHP(t)
	fx := b.open(t, version, "", tweak)
	d, err := codeigniter.NewDriver(fx.app)
	if err != nil {
		t.Fatalf("NewDriver: %v", err)
	}
	e := &shared{t: t, bin: php, fx: fx, app: d.App(), format: d.Format(), clock: frontends.NewClock(), ip: "127.0.0.1", logs: &logBuffer{}}
	cfg, err := codeigniter.Config(fx.app)
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	cfg.Now = e.clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	cfg.GCInterval = -1
	e.m, err = core.New(cfg)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	t.Cleanup(func() { _ = e.m.Close() })
	e.srv = frontends.Start(t, frontend, e.m, e.routes(), frontends.Options{})
	e.c = newBrowser(t, e.srv, e.app.CookieName)
	return e
}

// logBuffer collects what the Go side logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// cookie returns the session cookie the browser holds, as the last
// Set-Cookie header wrote it.
func (e *shared) cookie() string { return e.c.Cookie() }

// fresh forgets the browser's session cookie.
func (e *shared) fresh() { e.c.SetCookie("") }

// store returns the Go side's store as the browser's IP sees it.
func (e *shared) store() codeigniter.Store { return mustStore(e.t, e.fx.app).ForIP(e.ip) }

// stored reports whether the storage holds a live session under id.
func (e *shared) stored(id string) bool {
	e.t.Helper()
	_, found, err := e.store().Load(ctx(e.t), id)
	if err != nil {
		e.t.Fatalf("Load: %v", err)
	}
	return found
}

func (e *shared) routes() []frontends.Route {
	return []frontends.Route{
		{Method: http.MethodGet, Path: "/run", Handle: func(c frontends.Ctx) {
			var actions []action
			d := json.NewDecoder(strings.NewReader(c.Query("a")))
			d.UseNumber()
			if err := d.Decode(&actions); err != nil {
				c.String(http.StatusBadRequest, err.Error())
				return
			}
			s := c.Session()
			res := result{}
			_ = s.ID() // loads the session, taking its lock
			res.LoadedAt = float64(time.Now().UnixNano()) / 1e9
			res.Start = goView(s)
			for _, a := range actions {
				if err := goAction(s, a); err != nil {
					c.String(http.StatusBadRequest, err.Error())
					return
				}
			}
			res.End = goView(s)
			res.ID = s.ID()
			if err := s.Save(c.Context()); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
			b, err := json.Marshal(res)
			if err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
			c.String(http.StatusOK, string(b))
		}},
		{Method: http.MethodGet, Path: "/hold", Handle: func(c frontends.Ctx) {
			s := c.Session()
			s.SetUserdata("seq", "go-before-release")
			_ = s.ID() // loads the session, taking its lock
			close(e.held)
			<-e.release
			c.String(http.StatusOK, "released")
		}},
	}
}

// goView is the session as the Go handler sees it, without the reserved
// items.
func goView(s *core.Session) view {
	v := view{Items: s.AllUserdata(), Flash: s.AllFlashdata(), Temp: s.AllTempdata(), Types: map[string]string{}}
	v.LastRegenerate = v.Items["last_activity"]
	for _, k := range []string{"session_id", "ip_address", "user_agent", "last_activity"} {
		delete(v.Items, k)
	}
	for k, x := range v.Items {
		v.Types[k] = fmt.Sprintf("%T", x)
	}
	return v
}

// goAction applies one action to a Go session.
func goAction(s *core.Session, a action) error {
	key, _ := a["key"].(string)
	switch a["op"] {
	case "set":
		s.SetUserdata(key, goValue(a["value"]))
	case "unset":
		s.UnsetUserdata(key)
	case "flash":
		s.SetFlashdata(key, goValue(a["value"]))
	case "keep":
		s.KeepFlashdata(key)
	case "push":
		s.Push(key, goValue(a["value"]))
	case "set_in_array":
		// A read-modify-write of a PHP array that keeps its order.
		arr, ok := core.Get[*php.Array](s, key)
		if !ok {
			return fmt.Errorf("%s holds no PHP array", key)
		}
		arr.Set(a["field"].(string), goValue(a["value"]))
		s.SetUserdata(key, arr)
	case "set_in_map":
		m, ok := core.Get[map[string]any](s, key)
		if !ok {
			return fmt.Errorf("%s holds no array", key)
		}
		m[a["field"].(string)] = goValue(a["value"])
		s.SetUserdata(key, m)
	case "increment":
		by, err := a["by"].(json.Number).Int64()
		if err != nil {
			return err
		}
		s.Increment(key, int(by))
	case "unmark_temp":
		s.UnmarkTemp(key)
	case "unset_tempdata":
		s.UnsetTempdata(key)
	case "temp":
		ttl, err := a["ttl"].(json.Number).Int64()
		if err != nil {
			return err
		}
		s.SetTempdata(key, goValue(a["value"]), time.Duration(ttl)*time.Second)
	case "regenerate":
		// sess_regenerate(TRUE) ends the old id; FALSE keeps its data.
		old := core.KeepOld
		if a["destroy"].(bool) {
			old = core.DestroyOld
		}
		s.Regenerate(old)
	case "destroy":
		s.Destroy()
	default:
		return fmt.Errorf("unknown action %v", a["op"])
	}
	return nil
}

// goValue turns JSON numbers into Go's int64 and float64, recursively.
func goValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = goValue(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = goValue(x[k])
		}
	}
	return v
}

// run makes a Go request with the browser's cookie.
func (e *shared) run(actions ...action) result {
	e.t.Helper()
	if actions == nil {
		actions = []action{}
	}
	q, _ := json.Marshal(actions)
	r := e.c.Get("/run?a=" + url.QueryEscape(string(q)))
	if r.Status != http.StatusOK {
		e.t.Fatalf("Go request %s: got %d %q", q, r.Status, r.Body)
	}
	var res result
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		e.t.Fatalf("Go request %s: %v in %q", q, err, r.Body)
	}
	return res
}

// php makes a PHP request with the browser's cookie, and gives the browser
// the cookie PHP sends for the session id it ends with.
func (e *shared) php(actions ...action) result {
	e.t.Helper()
	res := e.phpAs(e.cookie(), actions...)
	e.c.SetCookie(res.Cookie)
	return res
}

// phpAs makes a PHP request that sends cookie, leaving the browser alone.
func (e *shared) phpAs(cookie string, actions ...action) result {
	e.t.Helper()
	cmd := e.phpCmd(cookie, actions)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		e.t.Fatalf("PHP request: %v\n%s%s", err, stderr.Bytes(), out)
	}
	return e.parsePHP(out)
}

func (e *shared) parsePHP(out []byte) result {
	e.t.Helper()
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	var res result
	if err := json.Unmarshal(lines[len(lines)-1], &res); err != nil {
		e.t.Fatalf("PHP request: %v in %q", err, out)
	}
	return res
}

// phpCmd returns the command of a PHP request; its stdin is set.
func (e *shared) phpCmd(cookie string, actions []action) *exec.Cmd {
	req := map[string]any{}
	for k, v := range e.fx.php {
		req[k] = v
	}
	if actions == nil {
		actions = []action{}
	}
	a := e.app
	req["version"] = a.Version
	req["cookie_name"] = a.CookieName
	req["cookie"] = cookie
	req["ip"] = e.ip
	req["match_ip"] = a.MatchIP
	req["expiration"] = int(e.m.Config().Expiration / time.Second)
	req["time_to_update"] = int(e.m.Config().TimeToUpdate / time.Second)
	req["regenerate_destroy"] = a.RegenerateDestroy
	req["sid_length"] = e.format.IDLength
	req["sid_bits"] = e.format.IDBitsPerCharacter
	if e.phpSIDLength != 0 {
		req["sid_length"], req["sid_bits"] = e.phpSIDLength, e.phpSIDBits
	}
	req["ci3_legacy_flash"] = e.ci3LegacyFlash
	req["lock_wait_us"] = int(a.LockWait / time.Microsecond)
	req["now"] = e.clock.Now().Unix()
	req["actions"] = actions
	return phpCommand(e.t, e.bin, req)
}

// phpCommand returns a command running testdata/ci.php with req on stdin.
func phpCommand(t testing.TB, php string, req map[string]any) *exec.Cmd {
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(c, php, "-d", "display_errors=stderr", "-d", "error_reporting=-1", "testdata/ci.php")
	cmd.Stdin = bytes.NewReader(in)
	return cmd
}

// phpHolding starts a PHP request that takes the session, says so, sets
// "seq", sleeps hold with the session (and its lock) held, stamps the time
// as "release" and closes the session. It returns once PHP holds the
// session, with a function that waits for PHP's result.
func (e *shared) phpHolding(hold time.Duration) func() result {
	e.t.Helper()
	cmd := e.phpCmd(e.cookie(), []action{
		{"op": "signal"},
		set("seq", "php-before-release"),
		{"op": "sleep", "ms": int(hold / time.Millisecond)},
		{"op": "stamp", "key": "release"},
	})
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start PHP: %v", err)
	}
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil || line != "LOCKED\n" {
		_ = cmd.Wait()
		e.t.Fatalf("PHP request: got %q, %v before it held the session\n%s", line, err, stderr.Bytes())
	}
	return func() result {
		e.t.Helper()
		rest, _ := io.ReadAll(r)
		if err := cmd.Wait(); err != nil || stderr.Len() > 0 {
			e.t.Fatalf("PHP request: %v\n%s%s", err, stderr.Bytes(), rest)
		}
		return e.parsePHP(rest)
	}
}
