package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/servicetest"
	"github.com/generia/generia/internal/storetest"
)

// testURL is the database the tests run against; without one it skips them
// (see servicetest).
func testURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("GENERIA_TEST_DATABASE_URL")
	if url == "" {
		servicetest.Skip(t, "GENERIA_TEST_DATABASE_URL is not set: the PostgreSQL store suite did not run")
	}
	return url
}

// admin runs a statement on the test database outside any store.
func admin(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// freshSchema returns the name of a new, empty schema, dropped with
// everything in it when the test ends. With create false only the name is
// chosen: the schema does not exist yet, but is dropped all the same.
func freshSchema(t *testing.T, url string, create bool) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "gt_" + hex.EncodeToString(b)
	t.Cleanup(func() { admin(t, url, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`) })
	if create {
		admin(t, url, `CREATE SCHEMA `+pgx.Identifier{name}.Sanitize())
	}
	return name
}

// openStore opens a store in schema and closes it when the test ends (before
// the schema is dropped, since cleanups run last first).
func openStore(t *testing.T, url, schema string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url, Schema(schema))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	url := testURL(t)
	storetest.Run(t, func(t *testing.T) generia.Store {
		return openStore(t, url, freshSchema(t, url, true))
	})
}

// appliedMigrations reads schema_migrations.
func appliedMigrations(t *testing.T, s *Store) map[int]time.Time {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	defer rows.Close()
	out := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatalf("reading schema_migrations: %v", err)
		}
		out[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	return out
}

func TestMigrationsApplyOnce(t *testing.T) {
	url := testURL(t)
	ctx := t.Context()
	schema := freshSchema(t, url, true)
	s := openStore(t, url, schema)
	w := generia.World{ID: "w1", Name: "Tidewell", Visibility: generia.VisibilityPublic, CreatedAt: time.Now()}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(2, 4))); err != nil {
		t.Fatalf("CreateWorld: %v", err)
	}
	first := appliedMigrations(t, s)
	list, err := pendingMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(list) {
		t.Errorf("%d migrations recorded, want %d", len(first), len(list))
	}

	// Applying them again, by Migrate and by another Open, changes nothing.
	if err := Migrate(ctx, url, Schema(schema)); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	again := openStore(t, url, schema)
	got, err := again.World(ctx, "w1")
	if err != nil || got.Name != "Tidewell" {
		t.Errorf("World after migrating again = %+v, %v; want Tidewell", got, err)
	}
	second := appliedMigrations(t, again)
	if len(second) != len(first) {
		t.Errorf("migrations after migrating again = %v, want %v", second, first)
	}
	for v, at := range first {
		if !second[v].Equal(at) {
			t.Errorf("migration %d applied again: at %v, first at %v", v, second[v], at)
		}
	}
}

func TestConcurrentOpen(t *testing.T) {
	url := testURL(t)
	for _, tc := range []struct {
		name   string
		create bool
	}{
		{"empty schema", true},
		{"missing schema", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema := freshSchema(t, url, tc.create)
			const processes = 4
			stores := make([]*Store, processes)
			errs := make([]error, processes)
			var wg sync.WaitGroup
			for i := range processes {
				wg.Go(func() { stores[i], errs[i] = Open(t.Context(), url, Schema(schema)) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Open %d: %v", i, err)
					continue
				}
				t.Cleanup(func() { stores[i].Close() })
			}
			if t.Failed() {
				return
			}
			list, err := pendingMigrations()
			if err != nil {
				t.Fatal(err)
			}
			if got := appliedMigrations(t, stores[0]); len(got) != len(list) {
				t.Errorf("%d migrations recorded, want %d", len(got), len(list))
			}
			// Every store works on the one schema.
			w := generia.World{ID: "w1", Visibility: generia.VisibilityPublic, CreatedAt: time.Now()}
			if err := stores[0].CreateWorld(t.Context(), w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))); err != nil {
				t.Fatalf("CreateWorld: %v", err)
			}
			for i, s := range stores {
				if n, err := s.CountWorlds(t.Context()); err != nil || n != 1 {
					t.Errorf("store %d: CountWorlds = %d, %v; want 1", i, n, err)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	for _, url := range []string{"", "postgres://host:notaport/db", "mysql://nope"} {
		if _, err := Open(ctx, url); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("Open(%q) = %v, want a KindInvalid error", url, err)
		}
	}
	// Port 1 on the loopback refuses at once.
	_, err := Open(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5")
	if !generia.IsKind(err, generia.KindUnavailable) {
		t.Errorf("Open of a server that is not there = %v, want a KindUnavailable error", err)
	}
}

func TestCursorFormat(t *testing.T) {
	// The cursors are those of the SQLite store: base64url of a small JSON
	// object, with the time in unix microseconds.
	c := cursor{List: listPosts, Time: 1741964966535897, ID: "p1"}
	s := encodeCursor(c)
	if s != "eyJsIjoicCIsInQiOjE3NDE5NjQ5NjY1MzU4OTcsImkiOiJwMSJ9" {
		t.Errorf("cursor = %q", s)
	}
	got, ok, err := decodeCursor(s, listPosts)
	if err != nil || !ok || got != c {
		t.Errorf("decodeCursor = %+v, %v, %v; want %+v", got, ok, err, c)
	}
	if _, _, err := decodeCursor(s, listWorlds); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("a posts cursor for worlds gave %v, want KindInvalid", err)
	}
}
