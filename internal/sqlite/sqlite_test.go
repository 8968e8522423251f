package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/storetest"
)

// openTemp opens a store on a new file in a temporary directory.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "generia.db"))
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
	storetest.Run(t, func(t *testing.T) generia.Store { return openTemp(t) })
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) generia.Store {
		s, err := Open(t.Context(), ":memory:")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// appliedMigrations reads schema_migrations.
func appliedMigrations(t *testing.T, s *Store) map[int]int64 {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var v int
		var at int64
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

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "generia.db")
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	w := generia.World{ID: "w1", Name: "Tidewell", Visibility: generia.VisibilityPublic, CreatedAt: time.Now()}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(2, 4))); err != nil {
		t.Fatalf("CreateWorld: %v", err)
	}
	first := appliedMigrations(t, s)
	list, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(list) {
		t.Errorf("%d migrations recorded, want %d", len(first), len(list))
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	got, err := s.World(ctx, "w1")
	if err != nil || got.Name != "Tidewell" {
		t.Errorf("World after reopening = %+v, %v; want Tidewell", got, err)
	}
	again := appliedMigrations(t, s)
	if len(again) != len(first) {
		t.Errorf("migrations after reopening = %v, want %v", again, first)
	}
	for v, at := range first {
		if again[v] != at {
			t.Errorf("migration %d applied again: at %d, first at %d", v, again[v], at)
		}
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, path := range []string{"", "generia.db?mode=ro"} {
		if _, err := Open(context.Background(), path); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("Open(%q) = %v, want a KindInvalid error", path, err)
		}
	}
}
