//go:build !linux

package bench

// fileIOMeter returns nil: the file cases count system calls on Linux only.
func fileIOMeter() *meter { return nil }
