package storetest

import (
	"database/sql"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Reopen checks that a store opened again on the same database keeps its
// data and applies none of its migrations twice. open opens a store on that
// one database, closed when the test ends, with the database it runs on, to
// read schema_migrations from; migrations is how many the backend has.
func Reopen(t *testing.T, migrations int, open func(t *testing.T) (generia.Store, *sql.DB)) {
	ctx := t.Context()
	s, db := open(t)
	w := generia.World{ID: "w1", Name: "Tidewell", Visibility: generia.VisibilityPublic, CreatedAt: time.Now()}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(2, 4))); err != nil {
		t.Fatalf("CreateWorld: %v", err)
	}
	first := applied(t, db)
	if len(first) != migrations {
		t.Errorf("%d migrations recorded, want %d", len(first), migrations)
	}

	again, db := open(t)
	got, err := again.World(ctx, "w1")
	if err != nil || got.Name != "Tidewell" {
		t.Errorf("World after opening again = %+v, %v; want Tidewell", got, err)
	}
	second := applied(t, db)
	if len(second) != len(first) {
		t.Errorf("migrations after opening again = %v, want %v", second, first)
	}
	for v, at := range first {
		if second[v] != at {
			t.Errorf("migration %d applied again: at %s, first at %s", v, second[v], at)
		}
	}
}

// applied reads schema_migrations: each version's time, as text.
func applied(t *testing.T, db *sql.DB) map[int]string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var at any
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatalf("reading schema_migrations: %v", err)
		}
		out[v] = fmt.Sprint(at)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	return out
}

// Opened returns a store its backend's Open returned, and closes it when the
// test ends; an error of Open ends the test.
func Opened[S io.Closer](t testing.TB, s S, err error) S {
	t.Helper()
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
