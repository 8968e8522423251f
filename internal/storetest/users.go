package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

var mara = generia.User{ID: "u-mara", Username: "Mara", Email: "Mara.K@Example.com", CreatedAt: t0}

func testCreateUser(t *testing.T, s generia.Store) {
	got, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	same(t, "created user", got, mara)
	got, err = s.UserByID(t.Context(), mara.ID)
	ok(t, err, "UserByID")
	same(t, "UserByID", got, mara)

	_, err = s.UserByID(t.Context(), "u-nobody")
	wantKind(t, err, generia.KindNotFound, "UserByID of an unknown user")
}

func testUserByLogin(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	for _, login := range []string{"Mara.K@Example.com", "mara.k@example.com", "MARA.K@EXAMPLE.COM", "Mara", "mara", "MARA"} {
		t.Run(login, func(t *testing.T) {
			u, hash, err := s.UserByLogin(t.Context(), login)
			ok(t, err, "UserByLogin")
			same(t, "user", u, mara)
			if hash != "hash-1" {
				t.Errorf("password hash = %q, want %q", hash, "hash-1")
			}
		})
	}
	for _, login := range []string{"nobody", "nobody@example.com", "mara.k"} {
		t.Run("unknown "+login, func(t *testing.T) {
			_, _, err := s.UserByLogin(t.Context(), login)
			wantKind(t, err, generia.KindNotFound, "UserByLogin")
		})
	}
}

func testUserConflicts(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	cases := []struct {
		name string
		user generia.User
	}{
		{"same username", generia.User{ID: "u-2", Username: "Mara", Email: "other@example.com"}},
		{"username in another case", generia.User{ID: "u-3", Username: "mARA", Email: "other@example.com"}},
		{"same email", generia.User{ID: "u-4", Username: "other", Email: "Mara.K@Example.com"}},
		{"email in another case", generia.User{ID: "u-5", Username: "other", Email: "MARA.K@example.COM"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(t.Context(), tc.user, "hash-2")
			wantKind(t, err, generia.KindConflict, "CreateUser")
			_, err = s.UserByID(t.Context(), tc.user.ID)
			wantKind(t, err, generia.KindNotFound, "UserByID of the rejected user")
		})
	}
}

func testCreateUserIdempotent(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	again := mara
	again.Email = "new@example.com"
	got, err := s.CreateUser(t.Context(), again, "hash-2")
	ok(t, err, "CreateUser again")
	same(t, "user created again", got, mara)
	_, hash, err := s.UserByLogin(t.Context(), "mara")
	ok(t, err, "UserByLogin")
	if hash != "hash-1" {
		t.Errorf("password hash = %q, want the first one", hash)
	}
}

// family is a token family of mara that lives a month.
func family(id string) generia.TokenFamily {
	return generia.TokenFamily{ID: id, UserID: mara.ID, Generation: 1, ExpiresAt: at(30 * 24 * time.Hour), CreatedAt: t0}
}

func testTokenFamilyRotates(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	ok(t, s.StartTokenFamily(t.Context(), family("f1"), "token-a"), "StartTokenFamily")
	got, err := s.TokenFamily(t.Context(), "f1")
	ok(t, err, "TokenFamily")
	same(t, "family", got, family("f1"))
	if !got.Valid(1, t0) || got.Valid(2, t0) || got.Valid(1, at(31*24*time.Hour)) {
		t.Errorf("Valid: a new family's generation 1 works now, another generation or after it expires does not")
	}
	if id, err := s.RefreshTokenFamily(t.Context(), "token-a"); err != nil || id != "f1" {
		t.Errorf("RefreshTokenFamily = %q, %v", id, err)
	}

	f, err := s.RotateRefreshToken(t.Context(), "token-a", "token-b", at(time.Minute), at(40*24*time.Hour))
	ok(t, err, "RotateRefreshToken")
	if f.ID != "f1" || f.Generation != 2 || !f.ExpiresAt.Equal(at(40*24*time.Hour)) || f.RevokedAt != nil {
		t.Errorf("rotated family = %s; want f1 at generation 2, living on", show(f))
	}
	f, err = s.RotateRefreshToken(t.Context(), "token-b", "token-c", at(2*time.Minute), at(40*24*time.Hour))
	ok(t, err, "RotateRefreshToken of the successor")
	if f.Generation != 3 {
		t.Errorf("generation %d after two refreshes, want 3", f.Generation)
	}

	// A replay of a spent token ends the family: the newest token too.
	_, err = s.RotateRefreshToken(t.Context(), "token-a", "token-x", at(3*time.Minute), at(40*24*time.Hour))
	wantKind(t, err, generia.KindUnauthorized, "replaying a spent refresh token")
	got, err = s.TokenFamily(t.Context(), "f1")
	ok(t, err, "TokenFamily after the replay")
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at(3*time.Minute)) {
		t.Errorf("family after a replay: %s; want it revoked then", show(got))
	}
	_, err = s.RotateRefreshToken(t.Context(), "token-c", "token-d", at(4*time.Minute), at(40*24*time.Hour))
	wantKind(t, err, generia.KindUnauthorized, "refreshing in a revoked family")
	_, err = s.RotateRefreshToken(t.Context(), "token-unknown", "token-e", t0, at(time.Hour))
	wantKind(t, err, generia.KindUnauthorized, "an unknown refresh token")
}

func testTokenFamilyEnds(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	// Expired.
	short := family("f-short")
	short.ExpiresAt = at(time.Hour)
	ok(t, s.StartTokenFamily(t.Context(), short, "token-short"), "StartTokenFamily")
	_, err = s.RotateRefreshToken(t.Context(), "token-short", "token-next", at(time.Hour), at(2*time.Hour))
	wantKind(t, err, generia.KindUnauthorized, "a refresh token at its expiry")
	// Revoked, twice.
	ok(t, s.StartTokenFamily(t.Context(), family("f2"), "token-f2"), "StartTokenFamily")
	ok(t, s.RevokeTokenFamily(t.Context(), "f2", at(time.Minute)), "RevokeTokenFamily")
	ok(t, s.RevokeTokenFamily(t.Context(), "f2", at(time.Hour)), "RevokeTokenFamily again")
	got, _ := s.TokenFamily(t.Context(), "f2")
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at(time.Minute)) || got.Valid(1, at(2*time.Minute)) {
		t.Errorf("revoked family = %s; want revoked at its first revocation, valid no more", show(got))
	}
	_, err = s.RotateRefreshToken(t.Context(), "token-f2", "token-f2b", at(2*time.Minute), at(time.Hour))
	wantKind(t, err, generia.KindUnauthorized, "refreshing a revoked family")
	wantKind(t, s.RevokeTokenFamily(t.Context(), "f-nowhere", t0), generia.KindNotFound, "revoking an unknown family")
	_, err = s.TokenFamily(t.Context(), "f-nowhere")
	wantKind(t, err, generia.KindNotFound, "an unknown family")
	_, err = s.RefreshTokenFamily(t.Context(), "token-nowhere")
	wantKind(t, err, generia.KindNotFound, "the family of an unknown token")
	// Unknown user, taken family or hash.
	stranger := family("f3")
	stranger.UserID = "u-nobody"
	wantKind(t, s.StartTokenFamily(t.Context(), stranger, "token-f3"), generia.KindNotFound, "a family of an unknown user")
	wantKind(t, s.StartTokenFamily(t.Context(), family("f2"), "token-new"), generia.KindConflict, "a family ID taken")
	wantKind(t, s.StartTokenFamily(t.Context(), family("f4"), "token-f2"), generia.KindConflict, "a refresh token taken")
}

// Of many requests that race with one refresh token, one rotates it; the
// others are replays, and end the family.
func testTokenFamilyRace(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	ok(t, s.StartTokenFamily(t.Context(), family("f1"), "token-a"), "StartTokenFamily")
	var wg sync.WaitGroup
	var mu sync.Mutex
	rotated := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.RotateRefreshToken(t.Context(), "token-a", fmt.Sprintf("token-next-%d", i), at(time.Minute), at(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				rotated++
			case !generia.IsKind(err, generia.KindUnauthorized):
				t.Errorf("a racing refresh: %v", err)
			}
		}()
	}
	wg.Wait()
	if rotated != 1 {
		t.Errorf("%d of 8 racing refreshes rotated the token, want 1", rotated)
	}
	if got, _ := s.TokenFamily(t.Context(), "f1"); got.RevokedAt == nil {
		t.Errorf("the family lives on after its token was replayed")
	}
}
