// Package rediscas is the Redis side of the compare-and-swap and of the
// locks of the stores on Redis (stores/redis and stores/codeigniter): the
// Lua scripts, and one rule for the expiry the stores hand Redis.
package rediscas

import (
	"strconv"
	"time"
)

// Script sets KEYS[1] to ARGV[2] only if it holds exactly ARGV[1], and
// returns 1 when it did, 0 otherwise. ARGV[3] is the new expiry (see PX):
// a TTL in milliseconds when positive, none for 0, and for a negative
// value the key is deleted instead.
const Script = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
local px = tonumber(ARGV[3])
if px > 0 then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', px)
elseif px < 0 then
	redis.call('DEL', KEYS[1])
else
	redis.call('SET', KEYS[1], ARGV[2])
end
return 1
`

// Unlock deletes the lock KEYS[1] only if it holds the token ARGV[1], and
// returns 1 when it did.
const Unlock = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`

// Renew sets the TTL of the lock KEYS[1] to ARGV[2] milliseconds only if
// it holds the token ARGV[1], and returns 1 when it did.
const Renew = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`

// TTL returns the TTL that keeps a key until expiresAt, rounded up to a
// whole millisecond (PX's unit) so that it never expires early: 0 for the
// zero expiresAt (no TTL), and live=false when expiresAt has passed.
func TTL(expiresAt time.Time) (ttl time.Duration, live bool) {
	if expiresAt.IsZero() {
		return 0, true
	}
	d := time.Until(expiresAt)
	if d <= 0 {
		return 0, false
	}
	return (d + time.Millisecond - 1).Truncate(time.Millisecond), true
}

// PX returns Script's ARGV[3] for expiresAt: the TTL in milliseconds, "0"
// for the zero expiresAt, "-1" (delete) when expiresAt has passed.
func PX(expiresAt time.Time) string {
	ttl, live := TTL(expiresAt)
	if !live {
		return "-1"
	}
	return strconv.FormatInt(ttl.Milliseconds(), 10)
}
