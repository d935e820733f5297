package core

import (
	"crypto/rand"
	"fmt"
)

// Format describes how a driver stores its sessions when another
// application must read and write them too: a running PHP (CodeIgniter)
// application, say. The engine's own drivers use the zero Format: the
// engine's binary codec and 40-hex-digit ids.
type Format struct {
	// Codec encodes stored sessions: "" for the engine's own binary format,
	// or "php" for PHP's default session serializer (key|serialize(value)
	// pairs) with CodeIgniter's __ci_vars (flash and temp markers) and
	// __ci_last_regenerate (the time of the last id rotation).
	Codec string

	// IDLength and IDBitsPerCharacter give the form of session ids, as PHP's
	// session.sid_length and session.sid_bits_per_character: 4 bits per
	// character is [0-9a-f], 5 is [0-9a-v], 6 is [0-9a-zA-Z,-]. Zero means
	// 40 characters of 4 bits (CodeIgniter 3). An id carries at least 128
	// bits.
	IDLength           int
	IDBitsPerCharacter int

	// KeepOldOnRotation keeps the old id's data when the id rotates every
	// TimeToUpdate, as CodeIgniter does with sess_regenerate_destroy = false,
	// instead of turning the old id into a forward for RotationGrace (a
	// format another application reads cannot hold the engine's forwards).
	KeepOldOnRotation bool
}

// FormatDriver is a Driver whose sessions are stored in a Format other than
// the engine's own.
type FormatDriver interface {
	Driver
	Format() Format
}

// Session id alphabets by bits per character, as PHP's.
const (
	alphabet4 = "0123456789abcdef"
	alphabet5 = "0123456789abcdefghijklmnopqrstuv"
	alphabet6 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,-"
)

// idForm generates and checks the session ids of one Format.
type idForm struct {
	length int
	bits   int
	chars  string
	valid  [256]bool
}

func newIDForm(f Format) (*idForm, error) {
	form := &idForm{length: f.IDLength, bits: f.IDBitsPerCharacter}
	if form.length == 0 {
		form.length = idLength
	}
	if form.bits == 0 {
		form.bits = 4
	}
	switch form.bits {
	case 4:
		form.chars = alphabet4
	case 5:
		form.chars = alphabet5
	case 6:
		form.chars = alphabet6
	default:
		return nil, configError("IDBitsPerCharacter %d: PHP allows 4, 5 or 6", form.bits)
	}
	if form.length*form.bits < 128 {
		return nil, configError("session ids of %d characters of %d bits carry %d bits; at least 128 are needed", form.length, form.bits, form.length*form.bits)
	}
	if form.length > MaxIDLength {
		return nil, configError("IDLength %d is over %d", form.length, MaxIDLength)
	}
	for i := 0; i < len(form.chars); i++ {
		form.valid[form.chars[i]] = true
	}
	return form, nil
}

// newID returns a fresh id of this form.
func (f *idForm) newID() string {
	if f.bits == 4 && f.length == idLength {
		return newID()
	}
	out := make([]byte, f.length)
	raw := make([]byte, f.length)
	_, _ = rand.Read(raw)
	mask := byte(1)<<f.bits - 1
	for i := range out {
		out[i] = f.chars[raw[i]&mask] // len(chars) == 1<<bits: no bias
	}
	return string(out)
}

// validID reports whether id has this form.
func (f *idForm) validID(id string) bool {
	if len(id) != f.length {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !f.valid[id[i]] {
			return false
		}
	}
	return true
}

// formatOf returns the Format of a driver.
func formatOf(d Driver) Format {
	if fd, ok := d.(FormatDriver); ok {
		return fd.Format()
	}
	return Format{}
}

func (f Format) String() string {
	return fmt.Sprintf("codec %q, ids of %d×%d bits", f.Codec, f.IDLength, f.IDBitsPerCharacter)
}
