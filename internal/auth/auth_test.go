package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/generia/generia/internal/generia"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "correct horse") || !strings.HasPrefix(h, "$2a$") {
		t.Errorf("stored form %q is not a bcrypt hash", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("the right password is refused")
	}
	if CheckPassword(h, "correct horse batterY") {
		t.Error("a wrong password is accepted")
	}
	if CheckPassword("", "correct horse battery") {
		t.Error("an account without a hash accepts a password")
	}
	for _, bad := range []string{"short", strings.Repeat("x", MaxPasswordBytes+1)} {
		if _, err := HashPassword(bad); generia.ErrorKind(err) != generia.KindInvalid {
			t.Errorf("a password of %d bytes: %v, want KindInvalid", len(bad), err)
		}
	}
}

// The most common passwords are refused, whatever their case, with a
// message naming the rule; an uncommon one of 8 characters is taken.
func TestCommonPasswordsAreRefused(t *testing.T) {
	if n := len(commonPasswords()); n < 9_900 || n > 10_000 {
		t.Errorf("%d common passwords, want the list's 10,000", n)
	}
	for _, bad := range []string{"password", "12345678", "PASSWORD", "Password", "iloveyou", "sunshine", "password1", "trustno1", "qwertyuiop", "1234567890"} {
		_, err := HashPassword(bad)
		if generia.ErrorKind(err) != generia.KindInvalid || !strings.Contains(generia.ErrorMessage(err), "most common passwords") {
			t.Errorf("%q: %v, want KindInvalid naming the common passwords", bad, err)
		}
	}
	for _, good := range []string{"tidewater harbour", "kx7-mq2w", "correct horse battery"} {
		if _, err := HashPassword(good); err != nil {
			t.Errorf("%q is refused: %v", good, err)
		}
	}
}

// families are token families kept in memory, as the store keeps them.
type families map[string]generia.TokenFamily

func (f families) TokenFamily(_ context.Context, id string) (generia.TokenFamily, error) {
	fam, ok := f[id]
	if !ok {
		return fam, generia.Errorf(generia.KindNotFound, "no family %s", id)
	}
	return fam, nil
}

func TestAccessTokens(t *testing.T) {
	fams := families{}
	if _, err := NewTokens([]byte("too short"), fams); err == nil {
		t.Error("a 9-byte secret is accepted")
	}
	tokens, err := NewTokens(secret, fams)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tokens.now = func() time.Time { return now }
	ctx := context.Background()
	fam := generia.TokenFamily{ID: "f1", UserID: "user-1", Generation: 1, ExpiresAt: now.Add(30 * 24 * time.Hour)}
	fams["f1"] = fam

	tok, exp, err := tokens.Issue(fam, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(time.Hour)) {
		t.Errorf("expires at %v", exp)
	}
	if c, err := tokens.Verify(ctx, tok); err != nil || c.UserID != "user-1" || c.FamilyID != "f1" {
		t.Fatalf("Verify of a fresh token: %+v, %v", c, err)
	}

	// The family decides: a refresh (the next generation) or a revocation
	// ends the token at once.
	fams["f1"] = generia.TokenFamily{ID: "f1", UserID: "user-1", Generation: 2, ExpiresAt: fam.ExpiresAt}
	if _, err := tokens.Verify(ctx, tok); generia.ErrorKind(err) != generia.KindUnauthorized {
		t.Errorf("a token of the generation before: %v, want KindUnauthorized", err)
	}
	revoked := now
	fams["f1"] = generia.TokenFamily{ID: "f1", UserID: "user-1", Generation: 1, ExpiresAt: fam.ExpiresAt, RevokedAt: &revoked}
	if _, err := tokens.Verify(ctx, tok); generia.ErrorKind(err) != generia.KindUnauthorized {
		t.Errorf("a token of a revoked family: %v, want KindUnauthorized", err)
	}
	fams["f1"] = generia.TokenFamily{ID: "f1", UserID: "someone-else", Generation: 1, ExpiresAt: fam.ExpiresAt}
	if _, err := tokens.Verify(ctx, tok); generia.ErrorKind(err) != generia.KindUnauthorized {
		t.Errorf("a token naming another user than its family: %v, want KindUnauthorized", err)
	}
	delete(fams, "f1")
	if _, err := tokens.Verify(ctx, tok); generia.ErrorKind(err) != generia.KindUnauthorized {
		t.Errorf("a token of an unknown family: %v, want KindUnauthorized", err)
	}
	fams["f1"] = fam
	short := generia.TokenFamily{ID: "f-short", UserID: "user-1", Generation: 1, ExpiresAt: now.Add(time.Minute)}
	if _, exp, _ := tokens.Issue(short, time.Hour); !exp.Equal(short.ExpiresAt) {
		t.Errorf("a token outlives its family: expires %v, family %v", exp, short.ExpiresAt)
	}

	sign := func(m jwt.SigningMethod, key any, c jwt.RegisteredClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := jwt.RegisteredClaims{Subject: "user-1", ID: "f1", Issuer: issuer, ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
	noExpiry, otherIssuer, noSubject, noFamily := valid, valid, valid, valid
	noExpiry.ExpiresAt = nil
	otherIssuer.Issuer = "someone-else"
	noSubject.Subject = ""
	noFamily.ID = ""
	other, _ := NewTokens([]byte(strings.Repeat("z", 32)), fams)
	forged, _, _ := other.Issue(fam, time.Hour)

	for name, bad := range map[string]string{
		"unsigned (alg none)":     sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid),
		"HS512 with the secret":   sign(jwt.SigningMethodHS512, secret, valid),
		"signed with another key": forged,
		"without an expiry":       sign(jwt.SigningMethodHS256, secret, noExpiry),
		"from another issuer":     sign(jwt.SigningMethodHS256, secret, otherIssuer),
		"without a subject":       sign(jwt.SigningMethodHS256, secret, noSubject),
		"without a family":        sign(jwt.SigningMethodHS256, secret, noFamily),
		"with a changed payload":  tok[:strings.Index(tok, ".")+1] + "eyJzdWIiOiJhZG1pbiJ9" + tok[strings.LastIndex(tok, "."):],
		"garbage":                 "not.a.token",
	} {
		if c, err := tokens.Verify(ctx, bad); generia.ErrorKind(err) != generia.KindUnauthorized {
			t.Errorf("a token %s: %+v, error %v; want KindUnauthorized", name, c, err)
		}
	}

	now = now.Add(time.Hour + time.Second)
	if _, err := tokens.Verify(ctx, tok); generia.ErrorKind(err) != generia.KindUnauthorized {
		t.Errorf("an expired token: %v", err)
	}
}

func TestRefreshTokens(t *testing.T) {
	a, ha, err := NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := NewRefreshToken()
	if a == b || len(a) < 40 {
		t.Errorf("refresh tokens %q and %q are not long random strings", a, b)
	}
	if ha == a || HashRefreshToken(a) != ha || HashRefreshToken(" "+a+"\n") != ha {
		t.Error("the stored hash is not a stable hash of the token")
	}
}
