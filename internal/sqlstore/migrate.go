package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are a database's schema as numbered SQL files, each applied
// once, in order, in a transaction of its own.
type Migrations struct {
	// Files holds the migrations, named <version>_<name>.sql, at its root.
	Files fs.FS
	// Lock is a statement that every migration transaction runs first, to
	// serialize the migrations of processes starting at once; empty where
	// write transactions run one at a time anyway.
	Lock string
	// Prepare, when set, runs under the lock before schema_migrations is
	// made (e.g. to create the schema it lives in).
	Prepare func(ctx context.Context, tx *sql.Tx) error
	// AppliedAt is the column type of an applied migration's time, and
	// Time its stored form.
	AppliedAt string
	Time      func(time.Time) any
	// Numbered: placeholders are $1, $2, ... rather than ?.
	Numbered bool
}

// migration is one migration file.
type migration struct {
	version int
	name    string
}

// list returns the migrations in version order.
func (m Migrations) list() ([]migration, error) {
	names, err := fs.Glob(m.Files, "*.sql")
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
			applied_at `+m.AppliedAt+` NOT NULL
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
			body, err := fs.ReadFile(m.Files, mig.name)
			if err != nil {
				return err
			}
			// Without arguments, a statement may hold several.
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
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
