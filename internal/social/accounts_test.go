package social

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/sqlite"
)

// TestSessionsRotateAndEnd follows an API client's sign-in as its user
// sees it: a refresh gives a new pair and the access token before stops
// working; a refresh token spent twice ends the sign-in; signing out ends
// it at once, twice is no error; a deleted account's token is refused.
func TestSessionsRotateAndEnd(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "generia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &Service{Store: db, Pipeline: pipelineStub{}}
	tokens, err := auth.NewTokens([]byte("a test secret of thirty-two bytes!!"), db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Register(ctx, "ada", "ada@example.com", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	access := func(f generia.TokenFamily) string {
		t.Helper()
		tok, _, err := tokens.Issue(f, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	works := func(token string) bool {
		_, err := tokens.Verify(ctx, token)
		return err == nil
	}

	f, refresh, err := s.StartSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	first := access(f)
	if !works(first) {
		t.Fatal("a new sign-in's access token is refused")
	}
	if me, err := s.Me(ctx, u.ID); err != nil || me.ID != u.ID {
		t.Fatalf("Me = %v, %v; want ada", me, err)
	}

	got, f2, refresh2, err := s.RotateSession(ctx, refresh)
	if err != nil || got.ID != u.ID || f2.ID != f.ID || refresh2 == refresh {
		t.Fatalf("RotateSession = %v, %v, same token %v, %v; want ada's family, a new token", got, f2, refresh2 == refresh, err)
	}
	second := access(f2)
	if works(first) || !works(second) {
		t.Errorf("after a refresh the old access token works: %v, the new: %v; want false, true", works(first), works(second))
	}

	// The first refresh token again: stolen. The whole sign-in ends.
	if _, _, _, err := s.RotateSession(ctx, refresh); !generia.IsKind(err, generia.KindUnauthorized) {
		t.Errorf("a refresh token spent twice gives %v, want KindUnauthorized", err)
	}
	if works(second) {
		t.Error("the sign-in of a refresh token spent twice still works")
	}
	if _, _, _, err := s.RotateSession(ctx, refresh2); !generia.IsKind(err, generia.KindUnauthorized) {
		t.Errorf("the successor of a reused refresh token gives %v, want KindUnauthorized", err)
	}

	// A new sign-in, ended by its refresh token, and again.
	f3, refresh3, err := s.StartSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	third := access(f3)
	for range 2 {
		if err := s.EndSessions(ctx, "", refresh3); err != nil {
			t.Fatalf("EndSessions: %v", err)
		}
	}
	if works(third) {
		t.Error("signed out, the access token still works")
	}
	if _, _, _, err := s.RotateSession(ctx, refresh3); !generia.IsKind(err, generia.KindUnauthorized) {
		t.Errorf("signed out, the refresh token gives %v, want KindUnauthorized", err)
	}
	// One ended by its access token's family; unknown ones are no error.
	f4, _, err := s.StartSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	fourth := access(f4)
	if err := s.EndSessions(ctx, f4.ID, "not-a-refresh-token"); err != nil {
		t.Fatalf("EndSessions: %v", err)
	}
	if works(fourth) {
		t.Error("signed out by its family, the access token still works")
	}

	for _, id := range []string{"", "no-such-account"} {
		if _, err := s.Me(ctx, id); !generia.IsKind(err, generia.KindUnauthorized) {
			t.Errorf("Me(%q) gives %v, want KindUnauthorized", id, err)
		}
	}
}
