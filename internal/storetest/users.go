package storetest

import (
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

func testRefreshTokenOnce(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	ok(t, s.SaveRefreshToken(t.Context(), mara.ID, "token-a", at(time.Hour)), "SaveRefreshToken")
	userID, err := s.ConsumeRefreshToken(t.Context(), "token-a", t0)
	ok(t, err, "ConsumeRefreshToken")
	if userID != mara.ID {
		t.Errorf("token user = %q, want %q", userID, mara.ID)
	}
	_, err = s.ConsumeRefreshToken(t.Context(), "token-a", t0)
	wantKind(t, err, generia.KindUnauthorized, "consuming the token again")
	_, err = s.ConsumeRefreshToken(t.Context(), "token-unknown", t0)
	wantKind(t, err, generia.KindUnauthorized, "consuming an unknown token")
}

func testRefreshTokenExpiry(t *testing.T, s generia.Store) {
	_, err := s.CreateUser(t.Context(), mara, "hash-1")
	ok(t, err, "CreateUser")
	cases := []struct {
		name    string
		expires time.Time
		valid   bool
	}{
		{"expired an hour ago", at(-time.Hour), false},
		{"expires now", t0, false},
		{"expires in a microsecond", at(time.Microsecond), true},
		{"expires in a month", at(30 * 24 * time.Hour), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hash := "token " + tc.name
			ok(t, s.SaveRefreshToken(t.Context(), mara.ID, hash, tc.expires), "SaveRefreshToken")
			userID, err := s.ConsumeRefreshToken(t.Context(), hash, t0)
			if !tc.valid {
				wantKind(t, err, generia.KindUnauthorized, "ConsumeRefreshToken")
				_, err = s.ConsumeRefreshToken(t.Context(), hash, t0)
				wantKind(t, err, generia.KindUnauthorized, "ConsumeRefreshToken again")
				return
			}
			ok(t, err, "ConsumeRefreshToken")
			if userID != mara.ID {
				t.Errorf("token user = %q, want %q", userID, mara.ID)
			}
		})
	}
}

func testRefreshTokenUnknownUser(t *testing.T, s generia.Store) {
	err := s.SaveRefreshToken(t.Context(), "u-nobody", "token-a", at(time.Hour))
	wantKind(t, err, generia.KindNotFound, "SaveRefreshToken for an unknown user")
}
