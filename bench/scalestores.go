package bench

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
	redisstore "github.com/ignitego/session/stores/redis"
)

// Ours' stores at scale, each with its bulk loader. The SQL loaders write
// the GORM store's table directly (id, data, expires_at in Unix
// milliseconds, as stores/gorm documents it), through a connection of
// their own that the meter does not count.
func init() {
	scaleStores = append(scaleStores,
		scaleStore{name: "memory", open: func(testing.TB) scaleBackend {
			st := memstore.New()
			return scaleBackend{store: st, bulk: saveEach(st)}
		}},
		scaleStore{name: "postgres", open: func(tb testing.TB) scaleBackend {
			cfg := postgresSchema(tb)
			rt := new(roundTrips)
			st := newGormStore(tb, postgresGorm(tb, postgresCounted(cfg, rt)))
			pool := postgresPool(tb, cfg)
			return scaleBackend{
				store: st,
				io:    rt.meter(),
				bulk: func(ctx context.Context, ids []string, data []byte, exp time.Time) error {
					ms := expiryMillis(exp)
					_, err := pool.CopyFrom(ctx, pgx.Identifier{st.Table()}, []string{"id", "data", "expires_at"},
						pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) { return []any{ids[i], data, ms}, nil }))
					return err
				},
				settle: func(ctx context.Context) error {
					_, err := pool.Exec(ctx, "ANALYZE "+st.Table())
					return err
				},
			}
		}},
		scaleStore{name: "mariadb", open: func(tb testing.TB) scaleBackend {
			cfg := mariadbDatabase(tb)
			rt := new(roundTrips)
			st := newGormStore(tb, mariadbGorm(tb, cfg, rt))
			db := mariadbSQL(tb, cfg, new(roundTrips))
			return scaleBackend{
				store: st,
				io:    rt.meter(),
				bulk:  insertRows(db, "INSERT INTO `"+st.Table()+"` (id, data, expires_at) VALUES "),
				settle: func(ctx context.Context) error {
					_, err := db.ExecContext(ctx, "ANALYZE TABLE `"+st.Table()+"`")
					return err
				},
			}
		}},
		scaleStore{name: "sqlite", open: func(tb testing.TB) scaleBackend {
			dsn := sqliteDSN(tb)
			count := new(statements)
			st := newGormStore(tb, sqliteGorm(tb, dsn, count))
			db := sqliteSQL(tb, dsn, new(statements))
			return scaleBackend{
				store: st,
				io:    count.meter(),
				bulk: func(ctx context.Context, ids []string, data []byte, exp time.Time) error {
					return inTx(ctx, db, func(tx *sql.Tx) error {
						ins, err := tx.PrepareContext(ctx, `INSERT INTO "`+st.Table()+`" (id, data, expires_at) VALUES (?, ?, ?)`)
						if err != nil {
							return err
						}
						defer ins.Close()
						ms := expiryMillis(exp)
						for _, id := range ids {
							if _, err := ins.ExecContext(ctx, id, data, ms); err != nil {
								return err
							}
						}
						return nil
					})
				},
				settle: func(ctx context.Context) error {
					_, err := db.ExecContext(ctx, `ANALYZE "`+st.Table()+`"`)
					return err
				},
			}
		}},
		scaleStore{name: "redis", open: func(tb testing.TB) scaleBackend {
			rt := new(roundTrips)
			prefix := keyPrefix(tb)
			st := redisstore.New(goRedis(tb, rt), redisstore.WithPrefix(prefix))
			loader := goRedis(tb, new(roundTrips))
			return scaleBackend{
				store: st,
				io:    rt.meter(),
				bulk: func(ctx context.Context, ids []string, data []byte, exp time.Time) error {
					ttl := time.Until(exp)
					if ttl <= 0 {
						return nil // Redis keeps nothing past its expiry
					}
					pipe := loader.Pipeline()
					for _, id := range ids {
						pipe.Set(ctx, prefix+id, data, ttl)
					}
					_, err := pipe.Exec(ctx)
					return err
				},
			}
		}},
	)
}

// saveEach loads a store through its Save, one call a session (the
// in-process stores).
func saveEach(st core.Store) bulkLoader {
	return func(ctx context.Context, ids []string, data []byte, exp time.Time) error {
		for _, id := range ids {
			if err := st.Save(ctx, id, data, exp); err != nil {
				return err
			}
		}
		return nil
	}
}

// saveParallel loads a store through its Save from several goroutines
// (the file store, whose Save waits on the disk).
func saveParallel(st core.Store) bulkLoader {
	const workers = 8
	return func(ctx context.Context, ids []string, data []byte, exp time.Time) error {
		var (
			wg   sync.WaitGroup
			errs [workers]error
		)
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(ids) && errs[w] == nil; i += workers {
					errs[w] = st.Save(ctx, ids[i], data, exp)
				}
			})
		}
		wg.Wait()
		return errors.Join(errs[:]...)
	}
}

// insertRows loads with multi-row INSERTs of up to 1000 rows, each
// statement starting with insert ("INSERT INTO t (id, data, expires_at)
// VALUES ").
func insertRows(db *sql.DB, insert string) bulkLoader {
	const rows = 1000
	return func(ctx context.Context, ids []string, data []byte, exp time.Time) error {
		ms := expiryMillis(exp)
		for len(ids) > 0 {
			k := min(len(ids), rows)
			var q strings.Builder
			q.WriteString(insert)
			args := make([]any, 0, 3*k)
			for i, id := range ids[:k] {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?)")
				args = append(args, id, data, ms)
			}
			if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
			ids = ids[k:]
		}
		return nil
	}
}

// inTx runs fn in a transaction of db, committed if fn succeeds.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// expiryMillis is expiresAt in Unix milliseconds, as the GORM store keeps
// it (0 never expires).
func expiryMillis(expiresAt time.Time) int64 {
	if expiresAt.IsZero() {
		return 0
	}
	return max(expiresAt.UnixMilli(), 1)
}
