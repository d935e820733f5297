package bench

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// postgresSchema returns the pool configuration of a schema of tb's own on
// the server SESSION_TEST_POSTGRES_DSN names (tb skips when it is unset),
// dropped with everything in it when tb ends. Every library's tables go
// there, under the names each insists on (scs's and gin-contrib's are both
// "sessions").
func postgresSchema(tb testing.TB) *pgxpool.Config {
	tb.Helper()
	srv := testenv.Postgres(tb)
	cfg, err := pgxpool.ParseConfig(srv.DSN)
	if err != nil {
		tb.Fatalf("%s: %v", testenv.PostgresVar, err)
	}
	schema := testenv.Name("sessbench")
	admin := func(stmt string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, stmt)
		return err
	}
	if err := admin("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if err := admin("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return cfg
}

// postgresCounted returns cfg with every connection's round trips counted
// in rt.
func postgresCounted(cfg *pgxpool.Config, rt *roundTrips) *pgxpool.Config {
	cfg = cfg.Copy()
	cfg.ConnConfig.DialFunc = rt.dial
	return cfg
}

// postgresPool returns a pgx pool on cfg, closed when tb ends.
func postgresPool(tb testing.TB, cfg *pgxpool.Config) *pgxpool.Pool {
	tb.Helper()
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("pgxpool: %v", err)
	}
	tb.Cleanup(p.Close)
	return p
}

// postgresGorm returns GORM on PostgreSQL through its own driver
// (gorm.io/driver/postgres: pgx's database/sql driver), with cfg's
// connections, closed when tb ends.
func postgresGorm(tb testing.TB, cfg *pgxpool.Config) *gorm.DB {
	tb.Helper()
	return openGorm(tb, postgres.New(postgres.Config{Conn: postgresSQL(tb, cfg)}))
}

// postgresSQL returns a database/sql pool through pgx's driver on cfg's
// connections, closed when tb ends.
func postgresSQL(tb testing.TB, cfg *pgxpool.Config) *sql.DB {
	db := stdlib.OpenDB(*cfg.ConnConfig)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}
