// Package sqlite implements generia.Store on an SQLite file with the pure-Go
// driver modernc.org/sqlite.
//
// A Store holds two handles on the same file: a writer limited to one
// connection whose transactions begin IMMEDIATE, so every write is serialized
// and a read-then-write inside a transaction cannot race; and a pool of
// readers, which WAL mode lets run alongside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

//go:embed migrations/*.sql
var migrations embed.FS

// readerConns is the size of the reader pool.
const readerConns = 4

// pragmas are applied to every connection.
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"

// Store is a generia.Store on an SQLite file.
type Store struct {
	writer *sql.DB
	reader *sql.DB
	// read runs the reads on reader with prepared statements, prepared once
	// per query text: a feed page then costs a third less.
	read *stmtCache
	// now stamps updated_at for the methods that take no time.
	now func() time.Time
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
	s := &Store{now: time.Now}
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
	if err := s.migrate(ctx); err != nil {
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

// migration is one embedded migration file, named <version>_<name>.sql.
type migration struct {
	version int
	name    string
}

// pendingMigrations lists the embedded migrations in version order.
func pendingMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		base := filepath.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(prefix)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: the name must start with a positive version number and an underscore", base)
		}
		out = append(out, migration{version: version, name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// migrate applies, in order and each in its own transaction, the migrations
// that schema_migrations does not list.
func (s *Store) migrate(ctx context.Context) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`
	if _, err := s.writer.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	list, err := pendingMigrations()
	if err != nil {
		return err
	}
	for _, m := range list {
		err := s.write(ctx, func(tx *sql.Tx) error {
			// Checked inside the transaction: another process may have
			// applied it since.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := migrations.ReadFile(m.name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, s.now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", m.name, err)
		}
	}
	return nil
}

// write runs fn in a writer transaction and commits it when fn returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// limit is a LIMIT clause with its number written out. SQLite re-prepares
// a statement whenever a parameter its plan read at prepare time is bound
// again, which a "LIMIT ?" is: written out, each page size keeps one
// prepared statement, reused without parsing.
func limit(n int) string { return " LIMIT " + strconv.Itoa(n) }

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

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// stamp returns t in UTC at the stored precision, or the store's clock when t
// is zero.
func (s *Store) stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return normTime(t)
}

// normTime returns t in UTC at the stored precision (microseconds).
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// micros is the stored form of a time.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored time.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullMicros is the stored form of an optional time.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// fromNullMicros reads a stored optional time.
func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// nullString stores an empty string as NULL.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// jsonText is the stored form of a JSON value: NULL when empty. Invalid JSON
// gives a KindInvalid error naming field.
func jsonText(field string, raw json.RawMessage) (sql.NullString, error) {
	if len(raw) == 0 {
		return sql.NullString{}, nil
	}
	if !json.Valid(raw) {
		return sql.NullString{}, generia.Errorf(generia.KindInvalid, "%s is not valid JSON", field)
	}
	return sql.NullString{String: string(raw), Valid: true}, nil
}

// fromJSONText reads a stored JSON value.
func fromJSONText(v sql.NullString) json.RawMessage {
	if !v.Valid || v.String == "" {
		return nil
	}
	return json.RawMessage(v.String)
}

// isUniqueViolation reports whether err is SQLite's UNIQUE or PRIMARY KEY
// constraint error. The driver's error type is matched by its method so the
// driver stays a blank import.
func isUniqueViolation(err error) bool {
	const (
		constraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
		constraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	)
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code() == constraintUnique || coded.Code() == constraintPrimaryKey
	}
	return false
}

// cursor is the sort key of the last row of a page. Encoded, it is the
// opaque next-page cursor.
type cursor struct {
	List string `json:"l"` // which list it belongs to
	Time int64  `json:"t"`
	Pos  int    `json:"p,omitempty"`
	ID   string `json:"i"`
}

// Lists that page with cursors.
const (
	listWorlds     = "w"
	listCharacters = "c"
	listPosts      = "p"
	listLikes      = "l"
	listComments   = "m"
)

// encodeCursor returns c as an opaque string.
func encodeCursor(c cursor) string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a struct of strings and integers always marshals
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor of the given list. An empty string is the
// first page (ok=false); a malformed one gives KindInvalid.
func decodeCursor(s, list string) (c cursor, ok bool, err error) {
	if s == "" {
		return cursor{}, false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.List != list || c.ID == "" {
		return cursor{}, false, generia.Errorf(generia.KindInvalid, "invalid page cursor %q", s)
	}
	return c, true, nil
}

// exists reports whether a row of table has the given id.
func exists(ctx context.Context, q querier, table, id string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// worldExists returns KindNotFound when the world does not exist.
func worldExists(ctx context.Context, q querier, worldID string) error {
	ok, err := exists(ctx, q, "worlds", worldID)
	if err != nil {
		return err
	}
	if !ok {
		return generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	return nil
}

// userExists returns KindNotFound when the user does not exist.
func userExists(ctx context.Context, q querier, userID string) error {
	ok, err := exists(ctx, q, "users", userID)
	if err != nil {
		return err
	}
	if !ok {
		return generia.Errorf(generia.KindNotFound, "user %s not found", userID)
	}
	return nil
}

// required returns a KindInvalid error naming the first empty value of
// name/value pairs.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return generia.Errorf(generia.KindInvalid, "%s is required", pairs[i])
		}
	}
	return nil
}
