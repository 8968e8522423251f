package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/storetest"
)

// openTemp opens a store on a new file in a temporary directory.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "generia.db"))
	return storetest.Opened(t, s, err)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) generia.Store { return openTemp(t) })
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) generia.Store {
		s, err := Open(t.Context(), ":memory:")
		return storetest.Opened(t, s, err)
	})
}

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "generia.db")
	files, err := schema.Names()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Reopen(t, len(files), func(t *testing.T) (generia.Store, *sql.DB) {
		s, err := Open(t.Context(), path)
		s = storetest.Opened(t, s, err)
		return s, s.reader
	})
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, path := range []string{"", "generia.db?mode=ro"} {
		if _, err := Open(context.Background(), path); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("Open(%q) = %v, want a KindInvalid error", path, err)
		}
	}
}
