package auth

import (
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

func TestAccessTokens(t *testing.T) {
	if _, err := NewTokens([]byte("too short")); err == nil {
		t.Error("a 9-byte secret is accepted")
	}
	tokens, err := NewTokens(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tokens.now = func() time.Time { return now }

	tok, exp, err := tokens.Issue("user-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(time.Hour)) {
		t.Errorf("expires at %v", exp)
	}
	if id, err := tokens.Verify(tok); err != nil || id != "user-1" {
		t.Fatalf("Verify of a fresh token: %q, %v", id, err)
	}

	sign := func(m jwt.SigningMethod, key any, c jwt.RegisteredClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := jwt.RegisteredClaims{Subject: "user-1", Issuer: issuer, ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
	noExpiry, otherIssuer, noSubject := valid, valid, valid
	noExpiry.ExpiresAt = nil
	otherIssuer.Issuer = "someone-else"
	noSubject.Subject = ""
	other, _ := NewTokens([]byte(strings.Repeat("z", 32)))
	forged, _, _ := other.Issue("user-1", time.Hour)

	for name, bad := range map[string]string{
		"unsigned (alg none)":     sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid),
		"HS512 with the secret":   sign(jwt.SigningMethodHS512, secret, valid),
		"signed with another key": forged,
		"without an expiry":       sign(jwt.SigningMethodHS256, secret, noExpiry),
		"from another issuer":     sign(jwt.SigningMethodHS256, secret, otherIssuer),
		"without a subject":       sign(jwt.SigningMethodHS256, secret, noSubject),
		"with a changed payload":  tok[:strings.Index(tok, ".")+1] + "eyJzdWIiOiJhZG1pbiJ9" + tok[strings.LastIndex(tok, "."):],
		"garbage":                 "not.a.token",
	} {
		if id, err := tokens.Verify(bad); generia.ErrorKind(err) != generia.KindUnauthorized {
			t.Errorf("a token %s: user %q, error %v; want KindUnauthorized", name, id, err)
		}
	}

	now = now.Add(time.Hour + time.Second)
	if _, err := tokens.Verify(tok); generia.ErrorKind(err) != generia.KindUnauthorized {
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
