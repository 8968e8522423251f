package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

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

// at is the argument form of a time.
func (s *Store) at(t time.Time) any { return s.d.Time(normTime(t)) }

// atOpt is the argument form of an optional time: NULL when nil.
func (s *Store) atOpt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.at(*t)
}

// timeInto scans a stored time into t, in UTC.
func timeInto(t *time.Time) sql.Scanner { return storedTime{t} }

type storedTime struct{ t *time.Time }

func (d storedTime) Scan(src any) error {
	switch v := src.(type) {
	case int64: // unix microseconds
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("a stored time is %T, want unix microseconds or a timestamp", src)
	}
	return nil
}

// optTimeInto scans an optional stored time into t: nil for NULL.
func optTimeInto(t **time.Time) sql.Scanner { return optStoredTime{t} }

type optStoredTime struct{ t **time.Time }

func (d optStoredTime) Scan(src any) error {
	if src == nil {
		*d.t = nil
		return nil
	}
	var t time.Time
	if err := (storedTime{&t}).Scan(src); err != nil {
		return err
	}
	*d.t = &t
	return nil
}

// nullString stores an empty string as NULL.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// jsonArg is the argument of a JSON column: NULL when empty. Invalid JSON
// gives a KindInvalid error naming field.
func jsonArg(field string, raw json.RawMessage) (sql.NullString, error) {
	if len(raw) == 0 {
		return sql.NullString{}, nil
	}
	if !json.Valid(raw) {
		return sql.NullString{}, generia.Errorf(generia.KindInvalid, "%s is not valid JSON", field)
	}
	return sql.NullString{String: string(raw), Valid: true}, nil
}

// fromJSON reads a JSON column.
func fromJSON(v sql.NullString) json.RawMessage {
	if !v.Valid || v.String == "" {
		return nil
	}
	return json.RawMessage(v.String)
}

// cursor is the sort key of the last row of a page. Encoded, it is the
// opaque next-page cursor, the same on every database.
type cursor struct {
	List string `json:"l"` // which list it belongs to
	Time int64  `json:"t"` // unix microseconds
	Pos  int    `json:"p,omitempty"`
	// Score is a case's, in the queue of open cases.
	Score float64 `json:"s,omitempty"`
	ID    string  `json:"i"`
}

// Lists that page with cursors.
const (
	listWorlds        = "w"
	listWorldsOldest  = "wo"
	listWorldsPosts   = "wp"
	listCharacters    = "c"
	listPosts         = "p"
	listLikes         = "l"
	listComments      = "m"
	listUsers         = "u"
	listCases         = "k"
	listCasesNewest   = "kn"
	listAudit         = "a"
	listMembers       = "mb"
	listNotifications = "n"
	listHome          = "h"
)

// micros is the form of a time in a cursor.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a time of a cursor.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

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

// sqlArgs collects the arguments of a query built piece by piece.
type sqlArgs []any

// add appends an argument and returns its placeholder.
func (p *sqlArgs) add(v any) string {
	*p = append(*p, v)
	return "?"
}

// limit is a LIMIT clause with its number written out. SQLite re-prepares
// a statement whenever a parameter its plan read at prepare time is bound
// again, which a "LIMIT ?" is: written out, each page size keeps one
// prepared statement, reused without parsing.
func limit(n int) string { return " LIMIT " + strconv.Itoa(n) }

// jsonStrings scans a JSON array of strings; an empty one is nil.
type jsonStrings struct{ v *[]string }

func (j jsonStrings) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("a stored list is %T, want JSON text", src)
	}
	*j.v = nil
	if err := json.Unmarshal(b, j.v); err != nil {
		return fmt.Errorf("reading a stored list: %w", err)
	}
	if len(*j.v) == 0 {
		*j.v = nil
	}
	return nil
}

// keyset is how a list pages: in the order of a sort key that ends with a
// unique column, each page beginning after the sort key of the previous
// page's last row, which the page's cursor holds. A page is one statement,
// whatever its size, and rows added later never shift a page.
type keyset[T any] struct {
	list    string // the list's name in its cursors
	columns string // the sort key: "created_at, id", or with pos "position, created_at, id", qualified as the query needs
	pos     bool   // whether the key begins with a position
	desc    bool   // whether the list is in descending order of the key
	scan    func(scanner) (T, error)
	key     func(row T) cursor // the sort key of a row, List aside
}

// after is the condition on the rows after a cursor.
func (k keyset[T]) after(s *Store, c cursor, args *sqlArgs) string {
	var values []string
	if k.pos {
		values = append(values, args.add(c.Pos))
	}
	values = append(values, args.add(s.at(fromMicros(c.Time))), args.add(c.ID))
	op := ` > `
	if k.desc {
		op = ` < `
	}
	return `(` + k.columns + `)` + op + `(` + strings.Join(values, `, `) + `)`
}

// order is the ORDER BY of the list.
func (k keyset[T]) order() string {
	if k.desc {
		return strings.ReplaceAll(k.columns, `,`, ` DESC,`) + ` DESC`
	}
	return k.columns
}

// listPage reads a page of a list: of the statement that query returns, a
// SELECT up to its WHERE condition whose arguments query adds to args, the
// rows after the page's cursor, in the keyset's order. A malformed cursor,
// or an error of query, is returned as it is. Only an empty page tells a
// missing owner of the list from one without rows: it runs exists, when not
// nil, which gives KindNotFound for a missing owner. Other errors read
// "listing what: ...". The cursor of the next page is empty on the last.
func listPage[T any](ctx context.Context, s *Store, k keyset[T], page generia.Page, what string,
	query func(args *sqlArgs) (string, error), exists func() error) ([]T, string, error) {
	page = page.Normalize()
	after, ok, err := decodeCursor(page.Cursor, k.list)
	if err != nil {
		return nil, "", err
	}
	var args sqlArgs
	q, err := query(&args)
	if err != nil {
		return nil, "", err
	}
	if ok {
		q += ` AND ` + k.after(s, after, &args)
	}
	q += ` ORDER BY ` + k.order() + limit(page.Limit+1)
	rows, err := list(ctx, s.reads, k.scan, q, args...)
	if err == nil && len(rows) == 0 && exists != nil {
		err = exists()
	}
	if err != nil {
		return nil, "", fmt.Errorf("listing %s: %w", what, s.translate(err))
	}
	if len(rows) <= page.Limit {
		return rows, "", nil
	}
	rows = rows[:page.Limit]
	next := k.key(rows[len(rows)-1])
	next.List = k.list
	return rows, encodeCursor(next), nil
}
