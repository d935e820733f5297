package core

import (
	"context"

	"github.com/ignitego/session/internal/userindex"
)

// IndexedIDs returns what user's index in st lists: the ids by handle.
func IndexedIDs(ctx context.Context, st Store, user string) (map[string][]string, error) {
	ix, err := loadIndex(ctx, st, user)
	if err != nil {
		return nil, err
	}
	return ix.IDs(), nil
}

// IndexKey is the store key of a user's index.
func IndexKey(user string) string { return userindex.Key(user) }
