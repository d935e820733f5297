package codeigniter_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestShared has a CodeIgniter-like PHP request and a Go request take
// turns on one session, through each storage layout of each version: the
// browser carries one cookie, which whichever side changes the id sets.
func TestShared(t *testing.T) {
	for _, b := range backends {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", nil)
				t.Run("userdata", e.userdata)
				t.Run("flash from PHP", e.flashFromPHP)
				t.Run("flash from Go", e.flashFromGo)
				t.Run("tempdata and regeneration by time", e.tempdata)
				t.Run("regenerate in PHP", e.regenerateInPHP)
				t.Run("regenerate in Go", e.regenerateInGo)
				t.Run("destroy", e.destroy)
				t.Run("PHP holds the lock", e.phpHoldsLock)
				t.Run("Go holds the lock", e.goHoldsLock)
			})
		}
	}
}

// userdata: what PHP sets, Go reads with Go types, and the reverse.
func (e *shared) userdata(t *testing.T) {
	e.t = t
	e.fresh()
	p := e.php(set("user_id", 42), set("name", "Ada"), set("price", 19.5), set("admin", true),
		set("roles", []any{"editor", "viewer"}), set("profile", map[string]any{"city": "Oslo", "zip": 150}))
	require.NotEmpty(t, p.ID, "PHP started a session")
	require.Len(t, p.ID, e.format.IDLength)
	require.Equal(t, p.ID, e.cookie())

	g := e.run()
	require.Equal(t, p.ID, g.ID, "Go uses PHP's session")
	require.Equal(t, map[string]any{
		"user_id": 42.0, "name": "Ada", "price": 19.5, "admin": true,
		"roles": []any{"editor", "viewer"}, "profile": map[string]any{"city": "Oslo", "zip": 150.0},
	}, g.Start.Items)
	require.Equal(t, map[string]string{
		"user_id": "int64", "name": "string", "price": "float64", "admin": "bool",
		"roles": "[]interface {}", "profile": "*php.Array",
	}, g.Start.Types)
	require.Equal(t, p.End.LastRegenerate, g.Start.LastRegenerate, "__ci_last_regenerate is last_activity")

	e.run(set("cart", []any{"A-1", "B-2"}), set("user_id", 43), unset("admin"))
	p = e.php()
	require.True(t, p.CookieAccepted)
	require.Equal(t, map[string]any{
		"user_id": 43.0, "name": "Ada", "price": 19.5, "roles": []any{"editor", "viewer"},
		"profile": map[string]any{"city": "Oslo", "zip": 150.0}, "cart": []any{"A-1", "B-2"},
	}, p.Start.Items, "PHP reads what Go wrote")
}

// flashFromPHP: flashdata PHP sets is readable in the next request, in Go,
// and gone after it, for both sides.
func (e *shared) flashFromPHP(t *testing.T) {
	e.t = t
	e.fresh()
	e.php(set("user_id", 1), flash("msg", "Saved in PHP"))
	g := e.run()
	require.Equal(t, map[string]any{"msg": "Saved in PHP"}, g.Start.Flash, "the next request reads it")
	g = e.run()
	require.Empty(t, g.Start.Flash, "and the one after does not")
	require.NotContains(t, g.Start.Items, "msg")
	p := e.php()
	require.NotContains(t, p.Start.Items, "msg", "gone for PHP too")
	require.Empty(t, p.Start.Vars)
	require.Equal(t, 1.0, p.Start.Items["user_id"])
}

// flashFromGo: flashdata Go sets is readable in PHP's next request, then
// dropped by CodeIgniter 4 and 3.1.12 and later; 3.1.11 and earlier on PHP
// 8 keep it ('old' < time() is false), until a Go request drops it.
func (e *shared) flashFromGo(t *testing.T) {
	e.t = t
	e.fresh()
	e.run(set("user_id", 1), flash("notice", "Saved in Go"))
	p := e.php()
	require.Equal(t, map[string]any{"notice": "Saved in Go"}, p.Start.Flash, "PHP's next request reads it")
	require.Equal(t, map[string]any{"notice": "old"}, p.Start.Vars)
	p = e.php()
	require.NotContains(t, p.Start.Items, "notice", "PHP drops old flashdata")

	if e.app.Version == 3 {
		e.ci3LegacyFlash = true
		defer func() { e.ci3LegacyFlash = false }()
		e.run(flash("notice", "Saved in Go"))
		e.php()
		p = e.php()
		require.Equal(t, map[string]any{"notice": "Saved in Go"}, p.Start.Flash,
			"CodeIgniter 3.1.11's _ci_init_vars keeps 'old' flashdata on PHP 8")
	}
	e.run(flash("notice", "Saved in Go"))
	e.php()
	g := e.run()
	require.Empty(t, g.Start.Flash, "Go drops old flashdata")
	require.NotContains(t, g.Start.Items, "notice")
	p = e.php()
	require.NotContains(t, p.Start.Items, "notice")

	// keep_flashdata on one side carries it through the other.
	e.run(flash("again", "kept"))
	p = e.php(keep("again"))
	require.Equal(t, "kept", p.Start.Flash["again"])
	g = e.run()
	require.Equal(t, map[string]any{"again": "kept"}, g.Start.Flash, "kept by PHP for one more request")
	g = e.run()
	require.Empty(t, g.Start.Flash)
}

// tempdata: tempdata lives until its time, on both sides; moving the clock
// past sess_time_to_update regenerates the id, on either side, and the
// other side follows the cookie.
func (e *shared) tempdata(t *testing.T) {
	e.t = t
	e.fresh()
	e.php(set("user_id", 1), temp("otp", "123456", 300*time.Second))
	g := e.run(temp("coupon", "GO10", 600*time.Second))
	require.Equal(t, map[string]any{"otp": "123456"}, g.Start.Temp)
	p := e.php()
	require.Equal(t, map[string]any{"otp": "123456", "coupon": "GO10"}, p.Start.Temp)
	// CodeIgniter writes time() + ttl, the last second the item lives; the
	// engine writes the last second a Go item lives, one less (see
	// docs/codeigniter.md).
	require.InDelta(t, float64(e.clock.Now().Unix()+600), p.Start.Vars["coupon"], 1, "expiry in Unix seconds")

	before := e.cookie()
	e.clock.Advance(400 * time.Second)
	g = e.run()
	require.Equal(t, map[string]any{"coupon": "GO10"}, g.Start.Temp, "otp expired after 300s")
	require.NotEqual(t, before, g.ID, "Go regenerated the id after sess_time_to_update")
	require.Equal(t, g.ID, e.cookie())
	require.True(t, e.stored(before), "sess_regenerate_destroy = false keeps the old id")
	p = e.php()
	require.True(t, p.CookieAccepted, "PHP follows Go's new id")
	require.Equal(t, g.ID, p.ID, "and does not regenerate again")
	require.Equal(t, map[string]any{"coupon": "GO10"}, p.Start.Temp)
	require.Equal(t, float64(e.clock.Now().Unix()), p.Start.LastRegenerate, "Go's regeneration time")

	before = e.cookie()
	e.clock.Advance(301 * time.Second)
	p = e.php()
	require.NotEqual(t, before, p.ID, "PHP regenerated the id after sess_time_to_update")
	require.NotContains(t, p.Start.Items, "coupon", "coupon expired after 600s")
	g = e.run()
	require.Equal(t, p.ID, g.ID, "Go follows PHP's new id")
	require.Equal(t, map[string]any{"user_id": 1.0}, g.Start.Items)
	require.Equal(t, float64(e.clock.Now().Unix()), g.Start.LastRegenerate)
}

// regenerateInPHP: sess_regenerate() in PHP; Go follows the new id.
func (e *shared) regenerateInPHP(t *testing.T) {
	e.t = t
	e.fresh()
	first := e.php(set("k", "v")).ID
	second := e.php(regenerate(false)).ID
	require.NotEqual(t, first, second)
	require.True(t, e.stored(first), "sess_regenerate(FALSE) keeps the old session")
	g := e.run()
	require.Equal(t, second, g.ID)
	require.Equal(t, "v", g.Start.Items["k"])

	third := e.php(regenerate(true)).ID
	require.NotEqual(t, second, third)
	require.False(t, e.stored(second), "sess_regenerate(TRUE) destroys the old session")
	g = e.run()
	require.Equal(t, third, g.ID)
	require.Equal(t, "v", g.Start.Items["k"])
}

// regenerateInGo: Regenerate in Go; PHP follows the new id and refuses the
// old one.
func (e *shared) regenerateInGo(t *testing.T) {
	e.t = t
	e.fresh()
	first := e.run(set("k", "v")).ID
	require.Len(t, first, e.format.IDLength, "Go makes ids of CodeIgniter's form")
	second := e.run(regenerate(true)).ID
	require.NotEqual(t, first, second)
	require.Equal(t, second, e.cookie())
	require.False(t, e.stored(first), "sess_regenerate(TRUE) destroys the old session")
	p := e.php()
	require.True(t, p.CookieAccepted)
	require.Equal(t, "v", p.Start.Items["k"])
	old := e.phpAs(first)
	require.False(t, old.CookieAccepted, "PHP's strict mode refuses the destroyed id")
	require.Empty(t, old.Start.Items)

	third := e.run(regenerate(false)).ID
	require.NotEqual(t, second, third)
	require.True(t, e.stored(second), "sess_regenerate(FALSE) keeps the old session")
	p = e.php()
	require.Equal(t, third, p.ID)
	require.Equal(t, "v", p.Start.Items["k"])
}

// destroy: sess_destroy() on either side ends the session for both.
func (e *shared) destroy(t *testing.T) {
	e.t = t
	e.fresh()
	id := e.php(set("k", "v")).ID
	p := e.php(destroy())
	require.Empty(t, p.ID)
	require.False(t, e.stored(id))
	e.c.SetCookie(id) // a browser that kept the cookie
	g := e.run()
	require.Empty(t, g.Start.Items, "Go does not adopt a destroyed id")
	require.NotEqual(t, id, g.ID, "the client gets a new id")

	id = e.run(set("k", "v")).ID
	require.NotEmpty(t, id)
	g = e.run(destroy())
	require.Empty(t, g.ID)
	require.Empty(t, e.cookie(), "Go expired the cookie")
	require.False(t, e.stored(id))
	p = e.phpAs(id)
	require.False(t, p.CookieAccepted)
	require.Empty(t, p.Start.Items)
}

// phpHoldsLock: a PHP request holds the session for a second, having
// changed it; a Go request made meanwhile waits, and sees the change.
func (e *shared) phpHoldsLock(t *testing.T) {
	e.t = t
	e.fresh()
	e.php(set("seq", "initial"))
	const hold = time.Second
	wait := e.phpHolding(hold)
	start := time.Now()
	g := e.run()
	took := time.Since(start)
	p := wait()
	require.Equal(t, "php-before-release", g.Start.Items["seq"], "Go read the session after PHP's write")
	require.GreaterOrEqual(t, g.LoadedAt, p.Stamps["release"], "Go loaded the session after PHP released it")
	require.Greater(t, took, hold/2, "Go waited for PHP")
}

// goHoldsLock: a Go request holds the session; a PHP request made
// meanwhile waits until Go releases it, and sees Go's change.
func (e *shared) goHoldsLock(t *testing.T) {
	e.t = t
	e.fresh()
	e.run(set("seq", "initial"))
	e.held, e.release = make(chan struct{}), make(chan struct{})
	goDone := make(chan struct{})
	go func() {
		defer close(goDone)
		r := e.c.Get("/hold")
		if r.Status != 200 {
			t.Errorf("/hold: got %d %q", r.Status, r.Body)
		}
	}()
	select {
	case <-e.held:
	case <-time.After(30 * time.Second):
		t.Fatal("the Go request never took the session")
	}
	cmd := e.phpCmd(e.cookie(), nil)
	out := make(chan []byte, 1)
	var phpErr error
	go func() {
		b, err := cmd.Output()
		phpErr = err
		out <- b
	}()
	select {
	case b := <-out:
		close(e.release)
		t.Fatalf("PHP finished while Go held the session: %s", b)
	case <-time.After(500 * time.Millisecond): // PHP must still be waiting
	}
	close(e.release)
	<-goDone
	var b []byte
	select {
	case b = <-out:
	case <-time.After(40 * time.Second):
		t.Fatal("PHP never got the session")
	}
	require.NoError(t, phpErr)
	p := e.parsePHP(b)
	require.Equal(t, "go-before-release", p.Start.Items["seq"], "PHP read the session after Go's write")
}
