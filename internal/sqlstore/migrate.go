package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Migrations are a database's schema as numbered SQL files, each applied
// once, in order, in a transaction of its own. The files are written once
// for every dialect: a file is a text/template whose data is the dialect's
// Types, which name the column types (and the few forms) the dialects spell
// differently.
type Migrations struct {
	// Files holds the migrations, named <version>_<name>.sql, at its root;
	// nil for the store's own (the migrations directory beside this file).
	Files fs.FS
	// Types are the dialect's spellings the files are written with.
	Types Types
	// Lock is a statement that every migration transaction runs first, to
	// serialize the migrations of processes starting at once; empty where
	// write transactions run one at a time anyway.
	Lock string
	// Prepare, when set, runs under the lock before schema_migrations is
	// made (e.g. to create the schema it lives in).
	Prepare func(ctx context.Context, tx *sql.Tx) error
	// Time is the stored form of an applied migration's time (a column of
	// type Types.Time).
	Time func(time.Time) any
	// Numbered: placeholders are $1, $2, ... rather than ?.
	Numbered bool
}

// Types are how a dialect spells what the migrations need, by name in the
// files ({{.ID}}, {{.Time}}, ...).
type Types struct {
	// Postgres is true in PostgreSQL, for the few statements written once
	// per dialect ({{if .Postgres}} ... {{else}} ... {{end}}): where SQLite
	// must make a table again to change a column or a key.
	Postgres bool
	// ID is the type of caller-chosen text IDs, compared byte by byte so that
	// keyset pages sort the same whatever the database's collation.
	ID string
	// Time is the type of a time at microsecond precision.
	Time string
	// Float, BigInt and Bool are the types of a double, a 64-bit integer
	// and a truth value; False is a false Bool.
	Float, BigInt, Bool, False string
	// JSON is the type of a JSON value, Bytes of binary data, Strings of a
	// list of strings (with its NOT NULL and empty default).
	JSON, Bytes, Strings string
	// Serial is an integer primary key the database numbers.
	Serial string
}

//go:embed migrations/*.sql
var ownMigrations embed.FS

func (m Migrations) files() fs.FS {
	if m.Files != nil {
		return m.Files
	}
	f, err := fs.Sub(ownMigrations, "migrations")
	if err != nil {
		panic(err) // a constant directory of the embedded files
	}
	return f
}

// Render returns the text of a migration file as the dialect runs it.
func (m Migrations) Render(name string) (string, error) {
	body, err := fs.ReadFile(m.files(), name)
	if err != nil {
		return "", err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(body))
	if err != nil {
		return "", fmt.Errorf("migration %s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, m.Types); err != nil {
		return "", fmt.Errorf("migration %s: %w", name, err)
	}
	return b.String(), nil
}

// Names lists the migration files in version order.
func (m Migrations) Names() ([]string, error) {
	list, err := m.list()
	names := make([]string, len(list))
	for i, mig := range list {
		names[i] = mig.name
	}
	return names, err
}

// migration is one migration file.
type migration struct {
	version int
	name    string
}

// list returns the migrations in version order.
func (m Migrations) list() ([]migration, error) {
	names, err := fs.Glob(m.files(), "*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		prefix, _, ok := strings.Cut(path.Base(name), "_")
		version, err := strconv.Atoi(prefix)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: the name must start with a positive version number and an underscore", name)
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

// Apply applies, in order and each in its own transaction, the migrations
// that schema_migrations does not list, and returns how many it applied. A
// migration is checked and applied under the lock, so of processes starting
// at once one applies it.
func (m Migrations) Apply(ctx context.Context, db *sql.DB) (int, error) {
	list, err := m.list()
	if err != nil {
		return 0, err
	}
	ph := func(n int) string {
		if m.Numbered {
			return "$" + strconv.Itoa(n)
		}
		return "?"
	}
	err = m.locked(ctx, db, func(tx *sql.Tx) error {
		if m.Prepare != nil {
			if err := m.Prepare(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at `+m.Types.Time+` NOT NULL
		)`)
		if err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, mig := range list {
		err := m.locked(ctx, db, func(tx *sql.Tx) error {
			// Checked under the lock: another process may have applied it
			// since.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = `+ph(1), mig.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := m.Render(mig.name)
			if err != nil {
				return err
			}
			// Without arguments, a statement may hold several.
			if _, err := tx.ExecContext(ctx, body); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (`+ph(1)+`, `+ph(2)+`)`,
				mig.version, m.Time(normTime(time.Now())))
			if err == nil {
				applied++
			}
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("applying migration %s: %w", mig.name, err)
		}
	}
	return applied, nil
}

// locked runs fn in a transaction that holds the migration lock.
func (m Migrations) locked(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if m.Lock != "" {
		if _, err := tx.ExecContext(ctx, m.Lock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
