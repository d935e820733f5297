package core

import (
	"errors"
	"fmt"

	"github.com/ignitego/session/core/internal/phpsession"
)

// codec turns a record into stored bytes and back. A Format names it.
type codec interface {
	// decode fills r from data; nowMs stands in for times the format does
	// not keep.
	decode(data []byte, r *record, nowMs int64) error
	// append appends r's encoding to b. base is the encoding r was read
	// from, nil for a new session: a format whose layout it does not hold in
	// r (PHP's entry order) takes it from there.
	append(b []byte, r *record, base []byte) ([]byte, error)
	// reserved reports whether key is the codec's own bookkeeping.
	reserved(key string) bool
	// keepsTimes reports whether the encoding keeps the session's times and
	// client binding; a format that does not (PHP's) leaves expiry to the
	// store, whose expiry every request that uses the session slides.
	keepsTimes() bool
}

// codecFor returns the codec a Format names.
func codecFor(f Format, cfg *Config) (codec, error) {
	switch f.Codec {
	case "":
		return binaryCodec{uaDigest: cfg.MatchUserAgent}, nil
	case "php":
		return phpCodec{}, nil
	}
	return nil, configError("unknown session codec %q", f.Codec)
}

// binaryCodec is the engine's own format (record.go, value.go). With
// uaDigest (Config.MatchUserAgent), records keep a digest of the
// User-Agent.
type binaryCodec struct{ uaDigest bool }

func (binaryCodec) decode(data []byte, r *record, _ int64) error { return decodeRecord(data, r) }
func (c binaryCodec) append(b []byte, r *record, _ []byte) ([]byte, error) {
	return appendRecord(b, r, c.uaDigest)
}
func (binaryCodec) reserved(string) bool { return false }
func (binaryCodec) keepsTimes() bool     { return true }

// phpCodec stores a session as a CodeIgniter application does (see
// internal/phpsession), so that it and this engine read and write the same
// sessions.
//
// PHP keeps no creation time, last write, IP or User-Agent in the payload:
// the store's own expiry (file mtime, timestamp column, Redis TTL) is what
// expires such sessions, and every request that uses one saves it to slide
// that expiry, as PHP's handlers do; binding is the store's (CodeIgniter's
// sess_match_ip), and ip_address and user_agent read as the current
// request's.
type phpCodec struct{}

func (phpCodec) keepsTimes() bool         { return false }
func (phpCodec) reserved(key string) bool { return phpsession.Reserved(key) }

func (phpCodec) decode(data []byte, r *record, nowMs int64) error {
	s, err := phpsession.Decode(data)
	if err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	*r = record{created: nowMs, lastActivity: nowMs, lastWrite: nowMs, csrf: s.CSRF, otts: s.OTTs}
	if s.LastActivity != 0 {
		r.lastActivity = s.LastActivity
	}
	r.items = make([]item, len(s.Items))
	for i, it := range s.Items {
		r.items[i] = item{key: it.Key, kind: phpKinds[it.Kind], until: it.Until, val: it.Value, decoded: true, raw: it.Raw}
	}
	return nil
}

func (phpCodec) append(b []byte, r *record, base []byte) ([]byte, error) {
	s := phpsession.Session{LastActivity: r.lastActivity, CSRF: r.csrf, OTTs: r.otts, Items: make([]phpsession.Item, len(r.items))}
	for i := range r.items {
		it := &r.items[i]
		s.Items[i] = phpsession.Item{Key: it.key, Kind: kindsPHP[it.kind], Until: it.until, Value: it.value()}
	}
	data, err := phpsession.Encode(&s, base)
	var ke *phpsession.KeyError
	if errors.As(err, &ke) {
		return b, &EncodeError{Key: ke.Key, Err: ke.Err}
	}
	return append(b, data...), err
}

// The item kinds of the engine and of phpsession, each way.
var (
	phpKinds = [...]uint8{phpsession.User: kindUser, phpsession.FlashNew: kindFlashNew, phpsession.FlashOld: kindFlashOld, phpsession.Temp: kindTemp}
	kindsPHP = [...]phpsession.Kind{kindUser: phpsession.User, kindFlashNew: phpsession.FlashNew, kindFlashOld: phpsession.FlashOld, kindTemp: phpsession.Temp}
)
