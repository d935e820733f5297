package core

import "context"

// IndexKey is the store key of a user's index, for the tests.
func IndexKey(user string) string { return indexKey(user) }

// IndexedIDs returns what user's index in st lists: the ids by handle.
func IndexedIDs(ctx context.Context, st Store, user string) (map[string][]string, error) {
	ix, _, err := loadIndex(ctx, st, user)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, e := range ix.entries {
		for _, x := range e.ids {
			out[e.handle] = append(out[e.handle], x.id)
		}
	}
	return out, nil
}
