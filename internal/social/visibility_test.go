package social

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/sqlite"
)

// A world its owner makes private is hidden at once from every process on
// the store, also from one that has just shown it to a visitor; its owner
// and members still see it, and making it public again shows it at once.
func TestAWorldMadePrivateIsHiddenAtOnce(t *testing.T) {
	ctx := context.Background()
	tw := newTown(t)
	// Two API processes: each its own connection to the one database.
	process := func() *Service {
		db, err := sqlite.Open(ctx, filepath.Join(tw.dir, "generia.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &Service{Store: db, Pipeline: pipelineStub{}}
	}
	a, b := process(), process() // the owner edits in a
	sees := func(who string) generia.Kind {
		t.Helper()
		_, err := b.World(ctx, who, public)
		if err == nil {
			_, err = b.Post(ctx, who, public, postOf(public))
		}
		return outcome(err)
	}
	for _, who := range []string{anon, stranger, member, owner} {
		if got := sees(who); got != allowed {
			t.Fatalf("before: %q sees the public world: %s", who, got)
		}
	}
	set := func(v string) {
		t.Helper()
		name := "Harbour" // the town's worlds were made without one
		if _, err := a.EditWorld(ctx, owner, public, WorldEdit{Name: &name, Visibility: &v}); err != nil {
			t.Fatal(err)
		}
	}
	set(generia.VisibilityPrivate)
	for who, want := range map[string]generia.Kind{anon: notFound, stranger: notFound, member: allowed, owner: allowed} {
		if got := sees(who); got != want {
			t.Errorf("made private: %q gets %s from the other process, want %s", who, got, want)
		}
	}
	set(generia.VisibilityPublic)
	if got := sees(anon); got != allowed {
		t.Errorf("made public again: a visitor gets %s, want to see it", got)
	}
}
