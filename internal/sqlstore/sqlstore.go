// Package sqlstore implements generia.Store once for every SQL database:
// its statements, transactions and rules are shared, and a Dialect says what
// differs (placeholders, row locks, the stored form of times and string
// lists, and what the driver's errors mean). The backends (internal/sqlite,
// internal/postgres) open the database, hold its migrations and give the
// dialect.
//
// The statements keep the store's semantics on a database that runs many
// transactions at once at READ COMMITTED (PostgreSQL) as on one that runs
// one writer at a time (SQLite):
//
//   - counters change in single UPDATE statements, which PostgreSQL
//     re-evaluates against the latest row when another transaction updated it
//     first, so a conditional update (ReserveCall) never passes a limit;
//   - read-modify-write of a status record (AdvanceGeneration,
//     FinishGeneration, RequestCancel) reads the row with the dialect's
//     ForUpdate lock;
//   - creating characters, posts and media locks the world's status record
//     first, so the check that the generation takes more work, the insert
//     and the counter update are one step for that world;
//   - creates keyed by a caller-chosen ID insert with ON CONFLICT DO NOTHING,
//     so a concurrent retry finds the stored row instead of failing.
//
// Locks are always taken status record first, then world, so that deleting a
// world and creating in it cannot deadlock; a transaction the dialect calls
// retryable (a deadlock, a serialization failure) runs again.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Dialect is what a database tells the store about its SQL.
type Dialect struct {
	// Numbered: placeholders are $1, $2, ... rather than ?. The store's
	// statements are written with ? and renumbered once per text.
	Numbered bool
	// Greatest is the function of the larger of two values: GREATEST or,
	// in SQLite, MAX.
	Greatest string
	// ForUpdate and ForKeyShare are the row locks a write transaction takes
	// on what it reads and then changes, or keeps from being deleted; empty
	// where write transactions run one at a time.
	ForUpdate, ForKeyShare string
	// Time is the stored form of a time, already in UTC at microseconds.
	Time func(time.Time) any
	// Strings is the stored and argument form of a list of strings, which
	// StringRows reads as rows of a table j with one column, value, and
	// StringsJSON turns, from a column, into a JSON array.
	Strings     func([]string) (any, error)
	StringRows  string
	StringsJSON func(column string) string
	// Translate gives a kind (generia.Kind) to the driver's errors a caller
	// can act on and returns the others as they are.
	Translate func(error) error
	// Retryable reports whether a transaction that failed with the error may
	// succeed when it runs again from scratch.
	Retryable func(error) bool
	// UniqueViolation reports whether an error is a UNIQUE or PRIMARY KEY
	// violation.
	UniqueViolation func(error) bool
	// Day is the UTC day of a stored time, from a column, as YYYY-MM-DD
	// text.
	Day func(column string) string
	// Lateral: the database joins each row to the rows a subquery finds
	// for it (LATERAL, PostgreSQL). Without it (SQLite) a correlated IN
	// does the same.
	Lateral bool
}

// Store is a generia.Store on an SQL database.
type Store struct {
	d Dialect
	// writes runs the writes and the transactions; reads the reads, which
	// may be another pool of the same database.
	writes, reads handle
	writer        *sql.DB
	// now stamps updated_at for the methods that take no time.
	now      func() time.Time
	numbered sync.Map // statement with ? → with $n
	// postSelect reads posts; see newPostSelect.
	postSelect string
	// ceilings are the operator's (UseCeilings): every account's, unless
	// the operator set other ones for it.
	ceilings atomic.Pointer[generia.Ceilings]
}

// The backends add Close and are generia.Stores.
var _ interface {
	generia.Store
} = struct {
	*Store
	io.Closer
}{}

// Reader runs the store's reads: a *sql.DB, or a cache of its prepared
// statements.
type Reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// New returns a store that writes through writer and reads through reader,
// both on a migrated database of dialect d.
func New(d Dialect, writer *sql.DB, reader Reader) *Store {
	s := &Store{d: d, writer: writer, now: time.Now}
	s.writes = handle{writer, s.bind}
	s.reads = handle{readOnly{reader}, s.bind}
	s.postSelect = newPostSelect(d)
	return s
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	Reader
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// readOnly is a Reader that refuses to write.
type readOnly struct{ Reader }

func (readOnly) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errors.New("a write on the store's reader")
}

// handle runs the store's statements, written with ? placeholders, on a pool
// or in a transaction.
type handle struct {
	q    querier
	bind func(string) string
}

func (h handle) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return h.q.ExecContext(ctx, h.bind(query), args...)
}

func (h handle) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return h.q.QueryContext(ctx, h.bind(query), args...)
}

func (h handle) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return h.q.QueryRowContext(ctx, h.bind(query), args...)
}

// stmt is a statement with its arguments.
type stmt struct {
	query string
	args  []any
}

// bind returns a statement in the dialect's placeholders.
func (s *Store) bind(query string) string {
	if !s.d.Numbered || !strings.ContainsRune(query, '?') {
		return query
	}
	if v, ok := s.numbered.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	s.numbered.Store(query, b.String())
	return b.String()
}

// maxAttempts bounds the runs of a transaction the database aborted to break
// a deadlock or a serialization conflict.
const maxAttempts = 5

// write runs fn in a transaction and commits it when fn returns nil. A
// transaction the dialect calls retryable runs again; fn must then start
// from scratch.
func (s *Store) write(ctx context.Context, fn func(tx handle) error) error {
	for attempt := 1; ; attempt++ {
		err := s.transact(ctx, fn)
		if err == nil || attempt == maxAttempts || !s.d.Retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

func (s *Store) transact(ctx context.Context, fn func(tx handle) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(handle{tx, s.bind}); err != nil {
		return err
	}
	return tx.Commit()
}

// translate gives the dialect's kind to a driver error.
func (s *Store) translate(err error) error { return s.d.Translate(err) }

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// list runs a query and scans every row.
func list[T any](ctx context.Context, q handle, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
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

// scanString scans a row of one string.
func scanString(row scanner) (string, error) {
	var v string
	err := row.Scan(&v)
	return v, err
}

// changed reports whether a statement changed a row.
func changed(res sql.Result) bool {
	n, err := res.RowsAffected()
	return err == nil && n > 0
}

// exists reports whether a row of table has the given id. lock is appended to
// the query, e.g. the dialect's ForKeyShare.
func exists(ctx context.Context, q handle, table, id, lock string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = ? `+lock, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mustExist returns KindNotFound, naming the row as what, when table has no
// row with the id.
func mustExist(ctx context.Context, q handle, table, what, id, lock string) error {
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
func worldExists(ctx context.Context, q handle, worldID string) error {
	return mustExist(ctx, q, "worlds", "world", worldID, "")
}

// keepWorld is worldExists in a transaction that writes rows of the world:
// it also keeps the world from being deleted until the transaction ends.
func (s *Store) keepWorld(ctx context.Context, tx handle, worldID string) error {
	return mustExist(ctx, tx, "worlds", "world", worldID, s.d.ForKeyShare)
}

// keepUser returns KindNotFound when the user does not exist, and keeps the
// user from being deleted until the transaction ends.
func (s *Store) keepUser(ctx context.Context, tx handle, userID string) error {
	return mustExist(ctx, tx, "users", "user", userID, s.d.ForKeyShare)
}

// insertForUser runs the inserts of a user's rows in one transaction. An
// unknown user gives KindNotFound, a row that exists already KindConflict
// with the message exists.
func (s *Store) insertForUser(ctx context.Context, userID, exists string, inserts ...stmt) error {
	return s.write(ctx, func(tx handle) error {
		if err := s.keepUser(ctx, tx, userID); err != nil {
			return err
		}
		for _, ins := range inserts {
			_, err := tx.Exec(ctx, ins.query, ins.args...)
			if s.d.UniqueViolation(err) {
				return generia.WrapError(generia.KindConflict, err, exists)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
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

// readOne reads the one row a query finds, naming it as what in its errors:
// none gives KindNotFound.
func readOne[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), what, query string, args ...any) (T, error) {
	v, err := scan(s.reads.QueryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, generia.Errorf(generia.KindNotFound, "%s not found", what)
	}
	if err != nil {
		return v, fmt.Errorf("reading %s: %w", what, s.translate(err))
	}
	return v, nil
}

// existing reads the row a create is keyed by, if there is one.
func existing[T any](scan func(scanner) (T, error), row *sql.Row) (T, bool, error) {
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}
