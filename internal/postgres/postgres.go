// Package postgres is the PostgreSQL backend of the store
// (internal/sqlstore), through pgx.
//
// Many transactions run at once, at READ COMMITTED; the store serializes
// what must not interleave with row locks (FOR UPDATE on what a transaction
// reads and then changes, FOR KEY SHARE on what it keeps from being deleted)
// and conditional updates, and runs again a transaction that PostgreSQL
// aborted for a deadlock or a serialization failure.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/sqlstore"
)

// Store is a generia.Store on a PostgreSQL database.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
	db   *sql.DB
}

var _ generia.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	schema string
}

// Schema puts the store's tables in the named schema: every connection's
// search_path is that schema alone, and Open creates it when it is missing.
// Without it the connection's default search_path applies (the URL's
// search_path parameter, if any, or the server's).
func Schema(name string) Option { return func(o *options) { o.schema = name } }

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string) and applies the embedded migrations not
// applied yet. Processes starting at once apply each migration once: the
// migrations are serialized with a transaction-level advisory lock.
//
// A malformed URL gives KindInvalid, an unreachable server KindUnavailable.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	pool, err := connect(ctx, url, o)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	applied, err := schema(o).Apply(ctx, db)
	if err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("migrating PostgreSQL database %s: %w", describe(pool), translate(err))
	}
	if applied > 0 {
		// The pool's connections may have cached statement descriptions
		// made before a migration changed a table.
		pool.Reset()
	}
	return &Store{Store: sqlstore.New(dialect, db, db), pool: pool, db: db}, nil
}

// Close closes the connection pool, waiting for the connections in use.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// connect opens a pool and checks that the server answers.
func connect(ctx context.Context, url string, o options) (*pgxpool.Pool, error) {
	if strings.TrimSpace(url) == "" {
		return nil, generia.Errorf(generia.KindInvalid, "the PostgreSQL URL is empty: want e.g. postgres://user@host:5432/dbname")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn's parse error leaves the password out.
		return nil, generia.WrapError(generia.KindInvalid, err, "invalid PostgreSQL URL")
	}
	if o.schema != "" {
		if strings.ContainsRune(o.schema, 0) {
			return nil, generia.Errorf(generia.KindInvalid, "invalid PostgreSQL schema name %q", o.schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.schema}.Sanitize()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, generia.WrapError(generia.KindInvalid, err, "invalid PostgreSQL configuration")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", describe(pool), err)
		}
		return nil, generia.WrapError(generia.KindUnavailable, translate(err),
			"cannot connect to PostgreSQL at "+describe(pool)+": check that the server runs, and the URL's host, port, user, password and database")
	}
	return pool, nil
}

// describe names a pool's server and database, without credentials.
func describe(pool *pgxpool.Pool) string {
	c := pool.Config().ConnConfig
	return fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database)
}

// migrationLock serializes the migrations of one schema across processes
// until the end of the transaction. It is keyed by the search_path, so that
// stores in different schemas do not wait for each other.
const migrationLock = `SELECT pg_advisory_xact_lock(hashtextextended('generia schema migrations ' || current_setting('search_path'), 0))`

// schema is the store's migrations in PostgreSQL's types (IDs compared
// byte by byte, times timestamptz, JSON values jsonb, string lists text[]),
// applied under the migration lock after creating the schema that o names,
// if it is missing.
func schema(o options) sqlstore.Migrations {
	return sqlstore.Migrations{
		Types: sqlstore.Types{
			Postgres: true, ID: `TEXT COLLATE "C"`, Time: "TIMESTAMPTZ", Float: "DOUBLE PRECISION", BigInt: "BIGINT",
			Bool: "BOOLEAN", False: "FALSE", JSON: "JSONB", Bytes: "BYTEA", Strings: "TEXT[] NOT NULL DEFAULT '{}'",
			Serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		},
		Lock:     migrationLock,
		Time:     func(t time.Time) any { return t },
		Numbered: true,
		Prepare: func(ctx context.Context, tx *sql.Tx) error {
			if o.schema == "" {
				return nil
			}
			// Looked up first: CREATE SCHEMA IF NOT EXISTS needs the
			// privilege to create schemas even when the schema exists.
			var found bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)`, o.schema).Scan(&found)
			if err != nil || found {
				return err
			}
			if _, err := tx.ExecContext(ctx, `CREATE SCHEMA `+pgx.Identifier{o.schema}.Sanitize()); err != nil {
				return fmt.Errorf("creating schema %s: %w", o.schema, err)
			}
			return nil
		},
	}
}

// dialect is PostgreSQL's SQL. Times are timestamptz; string lists are
// text[], read as rows by unnest.
var dialect = sqlstore.Dialect{
	Numbered:        true,
	Greatest:        "GREATEST",
	ForUpdate:       "FOR UPDATE",
	ForKeyShare:     "FOR KEY SHARE",
	Time:            func(t time.Time) any { return t },
	Strings:         func(v []string) (any, error) { return append([]string{}, v...), nil },
	StringRows:      "unnest(CAST(? AS text[])) AS j(value)",
	StringsJSON:     func(column string) string { return "to_json(" + column + ")" },
	Translate:       translate,
	Retryable:       retryable,
	UniqueViolation: isUniqueViolation,
	Day:             func(column string) string { return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')" },
	Lateral:         true,
}

// PostgreSQL error codes the store reacts to.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// pgCode returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// retryable reports whether a transaction that failed with err may succeed
// when run again.
func retryable(err error) bool {
	code := pgCode(err)
	return code == codeSerializationFailure || code == codeDeadlockDetected
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUniqueViolation(err error) bool { return pgCode(err) == codeUniqueViolation }

// translate gives a kind to the PostgreSQL errors a caller can act on; other
// errors, and errors that have a kind already, are returned as they are.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ge *generia.Error
	if errors.As(err, &ge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		if pgconn.SafeToRetry(err) || isConnectError(err) {
			return generia.WrapError(generia.KindUnavailable, err, "the database is unavailable; try again")
		}
		return err
	}
	switch {
	case pg.Code == codeUniqueViolation:
		return generia.WrapError(generia.KindConflict, err, "it exists already")
	case pg.Code == codeForeignKeyViolation:
		return generia.WrapError(generia.KindNotFound, err, "something it refers to does not exist (any more)")
	case pg.Code == "22021" || pg.Code == "22P05":
		// character_not_in_repertoire, untranslatable_character: a NUL
		// character or invalid UTF-8, which SQLite stores but PostgreSQL
		// does not.
		return generia.WrapError(generia.KindInvalid, err, "the text contains a NUL character or invalid UTF-8")
	case pg.Code == "22003":
		return generia.WrapError(generia.KindInvalid, err, "a number is out of range")
	case strings.HasPrefix(pg.Code, "08"), pg.Code == "53300", pg.Code == "57P01", pg.Code == "57P03":
		// connection exceptions, too many connections, admin shutdown,
		// cannot connect now
		return generia.WrapError(generia.KindUnavailable, err, "the database is unavailable; try again")
	}
	return err
}

// isConnectError reports whether err is a failure to connect.
func isConnectError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}
