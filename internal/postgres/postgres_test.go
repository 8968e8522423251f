package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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
func testURL(t testing.TB) string {
	t.Helper()
	return servicetest.Env(t, "GENERIA_TEST_DATABASE_URL", "the PostgreSQL store suite")
}

// admin runs a statement on the test database outside any store.
func admin(t testing.TB, url, sql string, args ...any) {
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
func freshSchema(t testing.TB, url string, create bool) string {
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
func openStore(t testing.TB, url, schema string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url, Schema(schema))
	return storetest.Opened(t, s, err)
}

func TestConformance(t *testing.T) {
	url := testURL(t)
	storetest.Run(t, func(t *testing.T) generia.Store {
		return openStore(t, url, freshSchema(t, url, true))
	})
}

// BenchmarkHomeFeed measures pages of a home feed (see storetest.BenchHome).
func BenchmarkHomeFeed(b *testing.B) {
	url := testURL(b)
	schema := freshSchema(b, url, true)
	storetest.BenchHome(b, openStore(b, url, schema), func() {
		for _, table := range []string{"worlds", "world_members", "characters", "follows", "posts"} {
			admin(b, url, `ANALYZE `+pgx.Identifier{schema, table}.Sanitize())
		}
	})
}

func TestMigrationsApplyOnce(t *testing.T) {
	url := testURL(t)
	files, err := schema(options{}).Names()
	if err != nil {
		t.Fatal(err)
	}
	name := freshSchema(t, url, true)
	storetest.Reopen(t, len(files), func(t *testing.T) (generia.Store, *sql.DB) {
		s := openStore(t, url, name)
		return s, s.db
	})
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
			name := freshSchema(t, url, tc.create)
			const processes = 4
			stores := make([]*Store, processes)
			errs := make([]error, processes)
			var wg sync.WaitGroup
			for i := range processes {
				wg.Go(func() { stores[i], errs[i] = Open(t.Context(), url, Schema(name)) })
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
			list, err := schema(options{}).Names()
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := stores[0].db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(list) {
				t.Errorf("%d migrations recorded (%v), want %d", n, err, len(list))
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
