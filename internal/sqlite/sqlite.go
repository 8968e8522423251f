// Package sqlite is the SQLite backend of the store (internal/sqlstore), on
// an SQLite file with the pure-Go driver modernc.org/sqlite.
//
// A Store holds two handles on the same file: a writer limited to one
// connection whose transactions begin IMMEDIATE, so every write is serialized
// and a read-then-write inside a transaction cannot race (the store's row
// locks are then needless, and empty); and a pool of readers, which WAL mode
// lets run alongside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
	"github.com/generia/generia/internal/sqlstore"
)

// readerConns is the size of the reader pool.
const readerConns = 4

// pragmas are applied to every connection.
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"

// Store is a generia.Store on an SQLite file.
type Store struct {
	*sqlstore.Store
	writer *sql.DB
	reader *sql.DB
	// read runs the reads on reader with prepared statements, prepared once
	// per query text: a feed page then costs a third less.
	read *stmtCache
}

var _ generia.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating the file and its parent
// directory if missing, and applies the migrations not applied yet.
//
// The path ":memory:" opens a private in-memory database for tests; it lives
// on a single connection shared by readers and writers, so it is not meant
// for concurrent load.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, "sqlite", path)
}

// open is Open on a named database/sql driver: the tests wrap the SQLite
// driver to see the statements the store issues.
func open(ctx context.Context, driverName, path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, generia.Errorf(generia.KindInvalid, "invalid SQLite path %q", path)
	}
	s := &Store{}
	if path == ":memory:" {
		db, err := sql.Open(driverName, path+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("opening in-memory SQLite database: %w", err)
		}
		// One connection that never closes: another one would see another
		// empty database.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.writer, s.reader = db, db
	} else {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, secret.DirMode); err != nil {
				return nil, fmt.Errorf("creating the directory of SQLite database %s: %w", path, err)
			}
		}
		if err := secret.PrivateFile(path); err != nil {
			return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
		}
		w, err := sql.Open(driverName, path+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		s.writer = w
	}
	if err := s.writer.PingContext(ctx); err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	if _, err := schema.Apply(ctx, s.writer); err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("migrating SQLite database %s: %w", path, err)
	}
	if s.reader == nil {
		// The reader pool opens after the migrations so that it never sees
		// a half-built schema.
		r, err := sql.Open(driverName, path+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			s.writer.Close()
			return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
		}
		r.SetMaxOpenConns(readerConns)
		r.SetMaxIdleConns(readerConns)
		if err := r.PingContext(ctx); err != nil {
			r.Close()
			s.writer.Close()
			return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
		}
		s.reader = r
	}
	s.read = &stmtCache{db: s.reader}
	s.Store = sqlstore.New(dialect, s.writer, s.read)
	return s, nil
}

// Close closes the database handles.
func (s *Store) Close() error {
	s.read.close()
	err := s.writer.Close()
	if s.reader != s.writer {
		err = errors.Join(err, s.reader.Close())
	}
	return err
}

// schema is the store's migrations in SQLite's types: times are INTEGER
// unix microseconds (UTC), which sort correctly and round-trip without loss;
// JSON values and string lists are JSON text. Write transactions run one at
// a time, so they need no lock of their own.
var schema = sqlstore.Migrations{
	Types: sqlstore.Types{
		ID: "TEXT", Time: "INTEGER", Float: "REAL", BigInt: "INTEGER", Bool: "INTEGER", False: "0",
		JSON: "TEXT", Bytes: "BLOB", Strings: "TEXT NOT NULL DEFAULT '[]'", Serial: "INTEGER PRIMARY KEY AUTOINCREMENT",
	},
	Time: micros,
}

// dialect is SQLite's SQL. Times are INTEGER unix microseconds; string lists
// are JSON text, read as rows by json_each.
var dialect = sqlstore.Dialect{
	Greatest: "MAX",
	Time:     micros,
	Day:      func(column string) string { return "strftime('%Y-%m-%d', " + column + " / 1000000, 'unixepoch')" },
	Strings: func(v []string) (any, error) {
		if v == nil {
			v = []string{}
		}
		b, err := json.Marshal(v)
		return string(b), err
	},
	StringRows:      "json_each(?) AS j",
	StringsJSON:     func(column string) string { return column },
	Translate:       translate,
	Retryable:       func(error) bool { return false },
	UniqueViolation: isUniqueViolation,
}

// micros is the stored form of a time.
func micros(t time.Time) any { return t.UnixMicro() }

// SQLite result codes the store reacts to.
const (
	codeBusy                 = 5    // SQLITE_BUSY
	codeLocked               = 6    // SQLITE_LOCKED
	codeConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	codeConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	codeConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
)

// sqliteCode returns the result code of an SQLite error in err's chain, or
// 0. The driver's error type is matched by its method so the driver stays a
// blank import.
func sqliteCode(err error) int {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()
	}
	return 0
}

// isUniqueViolation reports whether err is SQLite's UNIQUE or PRIMARY KEY
// constraint error.
func isUniqueViolation(err error) bool {
	code := sqliteCode(err)
	return code == codeConstraintUnique || code == codeConstraintPrimaryKey
}

// translate gives a kind to the SQLite errors a caller can act on; other
// errors, and errors that have a kind already, are returned as they are.
func translate(err error) error {
	var ge *generia.Error
	if err == nil || errors.As(err, &ge) {
		return err
	}
	switch code := sqliteCode(err); {
	case isUniqueViolation(err):
		return generia.WrapError(generia.KindConflict, err, "it exists already")
	case code == codeConstraintForeignKey:
		return generia.WrapError(generia.KindNotFound, err, "something it refers to does not exist (any more)")
	case code&0xff == codeBusy || code&0xff == codeLocked:
		return generia.WrapError(generia.KindUnavailable, err, "the database is busy; try again")
	}
	return err
}

// stmtCache prepares each query text once on a pool and reuses it. The
// queries are built from a fixed set of shapes, so the cache stays small.
type stmtCache struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := c.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := c.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// QueryContext runs a query with its prepared statement.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query with its prepared statement.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return c.db.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) close() {
	c.stmts.Range(func(_, v any) bool {
		_ = v.(*sql.Stmt).Close()
		return true
	})
}
