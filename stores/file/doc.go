// Package filestore keeps sessions in files, one per session, under a
// directory: for single-host applications that want sessions to outlive a
// restart without running a database.
//
//	st, err := filestore.New("/var/lib/myapp/sessions")
//	if err != nil { ... }
//	cfg := core.DefaultConfig()
//	cfg.Driver, cfg.Store = core.DriverNative, st
//
// # Layout
//
// New creates the directory with mode 0700 if it is missing; session files
// are 0600. The session id "3f9a0c…" lives in dir/3f/9a/3f9a0c…: two levels
// of subdirectories named after the id's first four characters (an id
// shorter than four is padded with '_'), so that no directory holds more
// than a few dozen files even with millions of sessions. A session file is a
// 16-byte header (a magic number and version, the expiry in Unix
// milliseconds, 0 for none, and a CRC-32C of the data) followed by the data
// itself. Ids are checked with core.ValidID before any path is built, so no
// id can name a file outside the directory. An id longer than 128 bytes
// (core.ValidID allows 256, file names end at 255) is stored under "~" and
// the SHA-256 of the id in hex.
//
// Ids are used as file names as they are: on a case-insensitive file system
// (the macOS default) two ids that differ only in case share one file. The
// engine's own ids are lowercase and never collide; ids shared with a PHP
// application may not be.
//
// # Crash safety and concurrency
//
// Every write goes to a temporary file in the session's directory, which is
// flushed to disk (see WithSync) and then renamed over the session file: a
// crash leaves the old session or the new one, never half of one. Loads read
// without locking. Writes to a session (Save, Delete, Insert,
// CompareAndSwap, and the removal of an expired session by Collect) are
// serialised by a flock(2) on a lock file in the session's directory, so
// that Insert and CompareAndSwap are atomic across goroutines and across
// processes sharing the directory. Use a local file system: flock over NFS
// is not reliable.
//
// # Abilities
//
// Store has every optional ability: core.Swapper, core.Locker and
// core.Collector. Lock holds a flock(2) on dir/aa/bb/<id>.lock for as long
// as the lock is held, so the operating system releases it at once when the
// holding process dies; the lock file also records the holder's ttl, after
// which a waiter takes the lock over from a holder that is alive but never
// released it. An id that holds no session gets no lock, and no file or
// directory is made for it. Collect walks the tree, a bounded number of
// deletions per call, resuming where the previous call stopped.
//
// # Leftovers
//
// A process killed mid-write leaves a temporary file; one killed holding a
// session lock leaves its lock file. Collect, and once at start-up New in
// the background (Close stops it), remove temporary files ten seconds old
// or more, lock files no process holds, and directories left with no
// session, each under its directory's lock, which every write holds from
// creating its temporary file to renaming it: a write in progress, in any
// process, is never touched.
//
// The package builds on Unix systems with flock(2): Linux, macOS and the
// BSDs.
package filestore
