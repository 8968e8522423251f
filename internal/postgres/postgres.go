// Package postgres implements generia.Store on PostgreSQL with pgx.
//
// It keeps the semantics of the SQLite store (internal/sqlite), which relies
// on a single writer. Here many transactions run at once, at READ COMMITTED,
// and the store serializes what must not interleave with row locks and
// conditional updates:
//
//   - counters change in single UPDATE statements, which PostgreSQL
//     re-evaluates against the latest row when another transaction updated it
//     first, so a conditional update (ReserveCall) never passes a limit;
//   - read-modify-write of a status record (AdvanceGeneration,
//     FinishGeneration, RequestCancel) reads the row FOR UPDATE;
//   - creating characters, posts and media locks the world's status record
//     first, so the check that the generation takes more work, the insert
//     and the counter update are one step for that world, as in SQLite;
//   - creates keyed by a caller-chosen ID insert with ON CONFLICT DO NOTHING,
//     so a concurrent retry finds the stored row instead of failing.
//
// Locks are always taken status record first, then world, so that deleting a
// world and creating in it cannot deadlock; a deadlock or serialization
// failure is retried all the same.
package postgres

import (
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/generia/generia/internal/generia"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a generia.Store on a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// now stamps updated_at for the methods that take no time.
	now func() time.Time
}

var _ generia.Store = (*Store)(nil)

// Option configures Open and Migrate.
type Option func(*options)

type options struct {
	schema string
}

// Schema puts the store's tables in the named schema: every connection's
// search_path is that schema alone, and Open and Migrate create it when it is
// missing. Without it the connection's default search_path applies (the
// URL's search_path parameter, if any, or the server's).
func Schema(name string) Option { return func(o *options) { o.schema = name } }

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string) and applies the embedded migrations not
// applied yet. Processes starting at once apply each migration once: the
// migrations are serialized with a transaction-level advisory lock.
//
// A malformed URL gives KindInvalid, an unreachable server KindUnavailable.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	pool, err := connect(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, now: time.Now}
	if err := s.migrate(ctx, opts); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrating PostgreSQL database %s: %w", describe(pool), translate(err))
	}
	return s, nil
}

// Migrate applies the migrations not applied yet to the database at url and
// disconnects, for `generia migrate`.
func Migrate(ctx context.Context, url string, opts ...Option) error {
	s, err := Open(ctx, url, opts...)
	if err != nil {
		return err
	}
	return s.Close()
}

// Close closes the connection pool, waiting for the connections in use.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// connect opens a pool and checks that the server answers.
func connect(ctx context.Context, url string, opts []Option) (*pgxpool.Pool, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
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
		base := path.Base(name)
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

// migrationLock serializes the migrations of one schema across processes
// until the end of the transaction. It is keyed by the search_path, so that
// stores in different schemas do not wait for each other.
const migrationLock = `SELECT pg_advisory_xact_lock(hashtextextended('generia schema migrations ' || current_setting('search_path'), 0))`

// migrate creates the schema (when Schema names one) and schema_migrations,
// then applies, in order and each in its own transaction, the migrations that
// schema_migrations does not list. Every transaction first takes the
// migration lock, so a migration is checked and applied by one process at a
// time.
func (s *Store) migrate(ctx context.Context, opts []Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	list, err := pendingMigrations()
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, migrationLock); err != nil {
			return err
		}
		if o.schema != "" {
			// Looked up first: CREATE SCHEMA IF NOT EXISTS needs the
			// privilege to create schemas even when the schema exists.
			var found bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)`, o.schema).Scan(&found)
			if err != nil {
				return err
			}
			if !found {
				if _, err := tx.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{o.schema}.Sanitize()); err != nil {
					return fmt.Errorf("creating schema %s: %w", o.schema, err)
				}
			}
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TIMESTAMPTZ NOT NULL
		)`)
		if err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	applied := false
	for _, m := range list {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrationLock); err != nil {
				return err
			}
			// Checked under the lock: another process may have applied it
			// since.
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.version).Scan(&applied); err != nil {
				return err
			}
			if applied {
				return nil
			}
			body, err := migrations.ReadFile(m.name)
			if err != nil {
				return err
			}
			// Without arguments pgx sends the file with the simple
			// protocol, which runs every statement in it.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.version, normTime(s.now()))
			applied = applied || err == nil
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", m.name, err)
		}
	}
	if applied {
		// The pool's connections may have cached statement descriptions
		// made before a migration changed a table.
		s.pool.Reset()
	}
	return nil
}

// maxAttempts bounds the retries of a transaction that PostgreSQL aborted to
// break a deadlock or a serialization conflict.
const maxAttempts = 5

// write runs fn in a transaction and commits it when fn returns nil. A
// transaction that PostgreSQL aborted for a deadlock or a serialization
// failure runs again; fn must then start from scratch.
func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
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

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// scanner is what pgx.Row and pgx.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// list runs a query and scans every row.
func list[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// sqlArgs collects the arguments of a query built piece by piece and names
// them $1, $2, ...
type sqlArgs []any

// add appends an argument and returns its placeholder.
func (p *sqlArgs) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
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

// normTimePtr is normTime of an optional time.
func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normTime(*t)
	return &n
}

// micros is the form of a time in a cursor.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a time of a cursor.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullString stores an empty string as NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fromNull reads an optional string; NULL is empty.
func fromNull(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// jsonArg is the argument of a jsonb column: NULL when empty. Invalid JSON
// gives a KindInvalid error naming field.
func jsonArg(field string, raw json.RawMessage) (*string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if !json.Valid(raw) {
		return nil, generia.Errorf(generia.KindInvalid, "%s is not valid JSON", field)
	}
	s := string(raw)
	return &s, nil
}

// fromJSON reads a jsonb column scanned as text.
func fromJSON(v *string) json.RawMessage {
	if v == nil || *v == "" {
		return nil
	}
	return json.RawMessage(*v)
}

// cursor is the sort key of the last row of a page. Encoded, it is the
// opaque next-page cursor, in the same form as the SQLite store's.
type cursor struct {
	List string `json:"l"` // which list it belongs to
	Time int64  `json:"t"` // unix microseconds
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

// exists reports whether a row of table has the given id. lock is appended to
// the query, e.g. FOR KEY SHARE.
func exists(ctx context.Context, q querier, table, id, lock string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = $1 `+lock, id).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mustExist returns KindNotFound, naming the row as what, when table has no
// row with the id.
func mustExist(ctx context.Context, q querier, table, what, id, lock string) error {
	ok, err := exists(ctx, q, table, id, lock)
	if err != nil {
		return err
	}
	if !ok {
		return generia.Errorf(generia.KindNotFound, "%s %s not found", what, id)
	}
	return nil
}

// worldExists returns KindNotFound when the world does not exist.
func worldExists(ctx context.Context, q querier, worldID string) error {
	return mustExist(ctx, q, "worlds", "world", worldID, "")
}

// keepWorld is worldExists in a transaction that writes rows of the world:
// it also keeps the world from being deleted until the transaction ends.
func keepWorld(ctx context.Context, tx pgx.Tx, worldID string) error {
	return mustExist(ctx, tx, "worlds", "world", worldID, "FOR KEY SHARE")
}

// keepUser returns KindNotFound when the user does not exist, and keeps the
// user from being deleted until the transaction ends.
func keepUser(ctx context.Context, tx pgx.Tx, userID string) error {
	return mustExist(ctx, tx, "users", "user", userID, "FOR KEY SHARE")
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

// lockStatus locks a world's status record until the end of the transaction
// and returns it; found is false when the world has none. Every create of a
// world's characters, posts and media takes this lock first, so that they
// serialize per world as they do in SQLite, and so that a cancel cannot
// slip between the check and the insert.
func lockStatus(ctx context.Context, tx pgx.Tx, worldID string) (st generia.GenerationStatus, found bool, err error) {
	st, err = readStatus(ctx, tx, worldID, true)
	if generia.IsKind(err, generia.KindNotFound) {
		return generia.GenerationStatus{}, false, nil
	}
	return st, err == nil, err
}
