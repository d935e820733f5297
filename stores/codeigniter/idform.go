package codeigniter

import (
	"fmt"

	"github.com/ignitego/session/core"
)

// reportForm logs, the first time only, that a client sent id, which does
// not have the application's id form but has the form of some other PHP
// session id: PHP and Go then disagree on the form of ids, and each
// refuses the other's, silently.
func (d *Driver) reportForm(r *core.DriverRequest, id string) {
	got, ok := phpIDForm(id)
	if !ok || !d.warned.CompareAndSwap(false, true) {
		return
	}
	f := d.app.format()
	fix := "set App.SIDLength and App.SIDBitsPerCharacter to php.ini's session.sid_length and " +
		"session.sid_bits_per_character (Debian's php.ini has 26 and 5), or App.Version to 4 for a CodeIgniter 4 application"
	if d.app.Version == 4 {
		fix = "CodeIgniter 4 makes ids of 32 hex digits; for a CodeIgniter 3 application, set App.Version to 3, " +
			"and App.SIDLength and App.SIDBitsPerCharacter from its php.ini"
	}
	r.Logger().Warn("codeigniter: a client sent a session id of another form: PHP and Go do not share sessions until their id forms agree",
		"cookie", r.CookieName,
		"got", got,
		"want", fmt.Sprintf("%d characters of %s", f.IDLength, alphabet(f.IDBitsPerCharacter)),
		"fix", fix)
}

// phpIDForm describes id when it could be a PHP session id (22 to 256
// characters of [0-9a-zA-Z,-]): its length and the smallest alphabet of
// PHP's that holds it.
func phpIDForm(id string) (string, bool) {
	if len(id) < 22 || len(id) > core.MaxIDLength {
		return "", false
	}
	bits := 4
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'g' <= c && c <= 'v':
			bits = max(bits, 5)
		case 'w' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == ',', c == '-':
			bits = 6
		default:
			return "", false
		}
	}
	more := ""
	if bits < 6 {
		more = " or more"
	}
	return fmt.Sprintf("%d characters of %s (session.sid_bits_per_character %d%s)", len(id), alphabet(bits), bits, more), true
}

// alphabet is the characters of PHP's session ids of bits bits each.
func alphabet(bits int) string {
	switch bits {
	case 5:
		return "[0-9a-v]"
	case 6:
		return "[0-9a-zA-Z,-]"
	}
	return "[0-9a-f]"
}
