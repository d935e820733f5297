package codeigniter

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
)

// Driver is the engine's driver for a CodeIgniter application's sessions
// (a core.FormatDriver): the cookie carries the bare session id, encoded as
// PHP encodes it (php.URLEncode: a ',' of a 6-bit id goes out as "%2C")
// and read as $_COOKIE reads it (php.URLDecode); the session lives in the
// application's Store, as PHP's serializer writes $_SESSION, with
// CodeIgniter's __ci_vars and __ci_last_regenerate; ids have the form the
// application's PHP and CodeIgniter version give them. Config puts one in
// a core.Config.
//
// The first time a client sends a session id of another form (PHP's
// session.sid_length or session.sid_bits_per_character differ from App's
// SIDLength and SIDBitsPerCharacter, or App.Version is not the
// application's), the driver logs why at Warn level, once, on
// core.Config.Logger: the two sides would otherwise never share a session
// and nothing would say so.
type Driver struct {
	app    App
	store  Store
	sd     core.StoreDriver // the engine's persistence on store, as the request's client sees it
	warned atomic.Bool      // an id of another form was reported
}

var _ core.FormatDriver = (*Driver)(nil)

// NewDriver returns the driver for app's sessions.
func NewDriver(app App) (*Driver, error) {
	a, err := app.withDefaults()
	if err != nil {
		return nil, err
	}
	st, err := a.Handler.open(a)
	if err != nil {
		return nil, err
	}
	d := &Driver{app: a, store: st}
	d.sd.StoreFor = func(r *core.DriverRequest) core.Store { return d.forRequest(r) }
	d.sd.EncodeID, d.sd.DecodeID = php.URLEncode, php.URLDecode // as PHP sends and reads cookies
	return d, nil
}

// App returns the application's settings the driver works with, defaults
// filled in.
func (d *Driver) App() App { return d.app }

// Store returns the storage the driver keeps sessions in.
func (d *Driver) Store() Store { return d.store }

// Format returns the format of the application's sessions: PHP's session
// serializer, ids of CodeIgniter's form, and the old id kept at an
// automatic regeneration unless App.RegenerateDestroy.
func (d *Driver) Format() core.Format { return d.app.format() }

// Load reads the session the cookie names, taking its lock (Config.Lock).
// Without automatic regeneration, CodeIgniter sends the cookie again and
// PHP rewrites the session on every request, which moves its expiry: so
// does Load, by asking the engine to save and send the cookie.
func (d *Driver) Load(ctx context.Context, r *core.DriverRequest) (core.Loaded, error) {
	if id := php.URLDecode(r.Cookie()); id != "" && !r.ValidID(id) {
		d.reportForm(r, id)
	}
	l, err := d.sd.Load(ctx, r)
	if err == nil && l.Data != nil && d.app.TimeToUpdate == NoRegeneration {
		l.Refresh = true
	}
	return l, err
}

// Save writes the session, and sends the cookie when the id changed or the
// engine asks for it.
func (d *Driver) Save(ctx context.Context, r *core.DriverRequest, c *core.Commit) error {
	return d.sd.Save(ctx, r, c)
}

// Destroy deletes the session and expires the cookie, as
// session_destroy() does.
func (d *Driver) Destroy(ctx context.Context, r *core.DriverRequest, id string) error {
	if err := d.forRequest(r).Delete(ctx, id); err != nil {
		return fmt.Errorf("%w: delete %s: %w", core.ErrStore, shortID(id), err)
	}
	return r.ExpireCookie()
}

// forRequest returns the store as the request's client sees it.
func (d *Driver) forRequest(r *core.DriverRequest) Store {
	return d.store.ForIP(r.Transport.ClientIP())
}
