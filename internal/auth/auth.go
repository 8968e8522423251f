// Package auth issues and checks Generia's credentials: bcrypt password
// hashes, signed access tokens (JWT, HS256) and opaque refresh tokens that
// are stored only as hashes.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/generia/generia/internal/generia"
)

// Lifetimes of credentials.
const (
	AccessTokenTTL  = 24 * time.Hour
	RefreshTokenTTL = 30 * 24 * time.Hour
)

// Password length limits. bcrypt reads at most 72 bytes.
const (
	MinPasswordLength = 8
	MaxPasswordBytes  = 72
)

const issuer = "generia"

// HashPassword hashes a password for storage. A password out of the length
// limits gives KindInvalid.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", generia.Errorf(generia.KindInvalid, "password must be at least %d characters", MinPasswordLength)
	}
	if len(password) > MaxPasswordBytes {
		return "", generia.Errorf(generia.KindInvalid, "password must be at most %d bytes", MaxPasswordBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when an account does not exist, so that a
// login takes as long either way.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)

// CheckPassword reports whether password matches hash. An empty hash (no
// such account) still costs one bcrypt comparison.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// Tokens signs and verifies access tokens.
type Tokens struct {
	secret []byte
	now    func() time.Time
}

// NewTokens returns a token signer with a secret of at least 32 bytes.
func NewTokens(secret []byte) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("the token secret must be at least 32 bytes")
	}
	return &Tokens{secret: secret, now: time.Now}, nil
}

// Issue returns an access token for a user, valid for ttl.
func (t *Tokens) Issue(userID string, ttl time.Duration) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(ttl)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Subject: userID, Issuer: issuer, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
	})
	s, err := tok.SignedString(t.secret)
	return s, exp, err
}

// Verify checks an access token (signature, HS256 only, expiry, issuer) and
// returns its user ID. Any problem gives KindUnauthorized.
func (t *Tokens) Verify(token string) (string, error) {
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	if err != nil || claims.Subject == "" {
		return "", generia.WrapError(generia.KindUnauthorized, err, "the access token is invalid or expired")
	}
	return claims.Subject, nil
}

// NewRefreshToken returns a random refresh token and the hash to store.
func NewRefreshToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken is the stored form of a refresh token.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}

// RandomSecret returns n random bytes, hex encoded.
func RandomSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
