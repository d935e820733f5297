//go:build linux

package bench

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// fileIO counts this process's read and write system calls, from Linux's
// /proc/self/io (syscr + syscw): every read, pread, readv… and write,
// pwrite, writev…, on files or not. Opening, closing, renaming, fsync,
// flock and directory calls are not counted. The in-process file cases do
// no other I/O, so what it counts is their files'. Reading the counters is
// one pread of its own, which count subtracts.
type fileIO struct {
	mu    sync.Mutex
	f     *os.File
	reads int64
	buf   [1024]byte
}

var procIO = sync.OnceValue(func() *fileIO {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return nil
	}
	return &fileIO{f: f}
})

// fileIOMeter returns the meter of the process's file I/O, or nil where
// /proc/self/io cannot be read.
func fileIOMeter() *meter {
	p := procIO()
	if p == nil {
		return nil
	}
	return &meter{unit: "syscalls", count: p.count}
}

func (p *fileIO) count() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, err := syscall.Pread(int(p.f.Fd()), p.buf[:], 0)
	if err != nil {
		return 0
	}
	var total int64
	for line := range bytes.Lines(p.buf[:n]) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(line), []byte(": "))
		if !ok || !(string(k) == "syscr" || string(k) == "syscw") {
			continue
		}
		x, _ := strconv.ParseInt(string(v), 10, 64)
		total += x
	}
	// Each earlier reading is one pread the counters include.
	total -= p.reads
	p.reads++
	return total
}
