// Package auth issues and checks Generia's credentials: bcrypt password
// hashes, signed access tokens (JWT, HS256) and opaque refresh tokens that
// are stored only as hashes.
package auth

import (
	"context"
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

// HashPassword hashes a new password for storage. A password out of the
// length limits, or one of the most common passwords (CommonPassword),
// gives KindInvalid naming the rule.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", generia.Errorf(generia.KindInvalid, "password must be at least %d characters", MinPasswordLength)
	}
	if len(password) > MaxPasswordBytes {
		return "", generia.Errorf(generia.KindInvalid, "password must be at most %d bytes", MaxPasswordBytes)
	}
	if CommonPassword(password) {
		return "", generia.Errorf(generia.KindInvalid, "password is one of the 10,000 most common passwords, which are the first guessed; choose another")
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

// Families is what checking an access token needs of the store: the token
// family (sign-in) it was issued in.
type Families interface {
	TokenFamily(ctx context.Context, id string) (generia.TokenFamily, error)
}

// Tokens signs and verifies access tokens. A token names its user, its
// family and the family's generation when it was issued; it works while
// the family lives at that generation, so a refresh ends the token before
// it and a sign-out ends them all.
type Tokens struct {
	secret   []byte
	families Families
	now      func() time.Time
}

// NewTokens returns a token signer with a secret of at least 32 bytes that
// checks tokens against families.
func NewTokens(secret []byte, families Families) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("the token secret must be at least 32 bytes")
	}
	if families == nil {
		return nil, errors.New("the token families are required")
	}
	return &Tokens{secret: secret, families: families, now: time.Now}, nil
}

// claims are an access token's: the registered ones (the user is the
// subject, the family the ID) and the family's generation.
type claims struct {
	jwt.RegisteredClaims
	Generation int `json:"gen"`
}

// Claims are what a verified access token says.
type Claims struct {
	UserID, FamilyID string
}

// Issue returns an access token for the user of a family at its current
// generation, valid for ttl (and no longer than the family lives).
func (t *Tokens) Issue(f generia.TokenFamily, ttl time.Duration) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(ttl)
	if !f.ExpiresAt.IsZero() && f.ExpiresAt.Before(exp) {
		exp = f.ExpiresAt
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: f.UserID, ID: f.ID, Issuer: issuer,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp)},
		Generation: f.Generation,
	})
	s, err := tok.SignedString(t.secret)
	return s, exp, err
}

// Verify checks an access token (signature, HS256 only, expiry, issuer)
// and that its family lives at the token's generation, and returns what it
// says. Any problem gives KindUnauthorized; a store that cannot be read,
// its error.
func (t *Tokens) Verify(ctx context.Context, token string) (Claims, error) {
	c := &claims{}
	_, err := jwt.ParseWithClaims(token, c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	if err != nil || c.Subject == "" || c.ID == "" {
		return Claims{}, generia.WrapError(generia.KindUnauthorized, err, "the access token is invalid or expired")
	}
	f, err := t.families.TokenFamily(ctx, c.ID)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && (f.UserID != c.Subject || !f.Valid(c.Generation, t.now()))) {
		return Claims{}, generia.Errorf(generia.KindUnauthorized, "the access token was replaced by a refresh or its sign-in has ended; refresh or sign in again")
	}
	if err != nil {
		return Claims{}, err
	}
	return Claims{UserID: c.Subject, FamilyID: c.ID}, nil
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
