package gormstore

import (
	"errors"
	"fmt"
	"testing"
)

type sqlStateError string

func (e sqlStateError) Error() string    { return "ERROR: " + string(e) }
func (e sqlStateError) SQLState() string { return string(e) }

func TestDeadlocked(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"MariaDB deadlock", errors.New("Error 1213 (40001): Deadlock found when trying to get lock; try restarting transaction"), true},
		{"PostgreSQL deadlock", fmt.Errorf("exec: %w", sqlStateError("40P01")), true},
		{"PostgreSQL serialization failure", sqlStateError("40001"), true},
		{"PostgreSQL unique violation", sqlStateError("23505"), false},
		{"MariaDB lock wait timeout", errors.New("Error 1205 (HY000): Lock wait timeout exceeded"), false},
		{"connection refused", errors.New("dial tcp 127.0.0.1:3306: connect: connection refused"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadlocked(tt.err); got != tt.want {
				t.Errorf("deadlocked(%v): got %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
