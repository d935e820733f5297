//go:build unix

package flock

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTryExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	a, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ok, err := TryExclusive(a); err != nil || !ok {
		t.Fatalf("first lock: got %v, %v; want true, nil", ok, err)
	}
	if ok, err := TryExclusive(b); err != nil || ok {
		t.Fatalf("second lock while held: got %v, %v; want false, nil", ok, err)
	}
	_ = a.Close() // releases the lock
	if ok, err := TryExclusive(b); err != nil || !ok {
		t.Fatalf("lock after release: got %v, %v; want true, nil", ok, err)
	}
}
