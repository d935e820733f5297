package bench

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// mariadbDatabase returns the connection configuration of a database of
// tb's own on the server SESSION_TEST_MYSQL_DSN names (tb skips when it is
// unset), dropped with everything in it when tb ends. Every library's
// tables go there, under the names each insists on.
func mariadbDatabase(tb testing.TB) *mysql.Config {
	tb.Helper()
	srv := testenv.MySQL(tb)
	cfg, err := mysql.ParseDSN(srv.DSN)
	if err != nil {
		tb.Fatalf("%s: %v", testenv.MySQLVar, err)
	}
	name := testenv.Name("sessbench")
	admin := func(stmt string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := mysql.NewConnector(cfg)
		if err != nil {
			return err
		}
		db := sql.OpenDB(c)
		defer db.Close()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	if err := admin("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := admin("DROP DATABASE " + name); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg = cfg.Clone()
	cfg.DBName = name
	return cfg
}

// mariadbSQL returns a database/sql pool through go-sql-driver/mysql on
// cfg, its round trips counted in rt, closed when tb ends.
func mariadbSQL(tb testing.TB, cfg *mysql.Config, rt *roundTrips) *sql.DB {
	tb.Helper()
	cfg = cfg.Clone()
	cfg.DialFunc = rt.dial
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		tb.Fatalf("mysql: %v", err)
	}
	db := sql.OpenDB(c)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// mariadbGorm returns GORM on MariaDB through its own driver
// (gorm.io/driver/mysql: go-sql-driver/mysql) on cfg, its round trips
// counted in rt, closed when tb ends.
func mariadbGorm(tb testing.TB, cfg *mysql.Config, rt *roundTrips) *gorm.DB {
	tb.Helper()
	return openGorm(tb, gormmysql.New(gormmysql.Config{Conn: mariadbSQL(tb, cfg, rt)}))
}
