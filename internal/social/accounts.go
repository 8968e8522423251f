package social

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
)

var validUsername = regexp.MustCompile(`^[A-Za-z0-9_]{3,30}$`)

// ReservedUsernames are names nobody may register: the local operator's
// account, whose token opens the metrics, and names people would take for
// Generia's own.
var ReservedUsernames = []string{"operator", "admin", "administrator", "root", "generia", "system", "support"}

// Register creates an account. Bad input gives KindInvalid; a taken or
// reserved username, or a taken email, gives KindConflict.
func (s *Service) Register(ctx context.Context, username, email, password string) (generia.User, error) {
	username, email = strings.TrimSpace(username), strings.TrimSpace(email)
	if !validUsername.MatchString(username) {
		return generia.User{}, generia.FieldErrorf("username", "username must be 3 to 30 latin letters, digits or underscores")
	}
	if slices.Contains(ReservedUsernames, strings.ToLower(username)) {
		return generia.User{}, generia.Errorf(generia.KindConflict, "that username is reserved; choose another")
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		return generia.User{}, generia.FieldErrorf("email", "email must be a valid address such as ada@example.com")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return generia.User{}, err
	}
	u, err := s.Store.CreateUser(ctx, generia.User{ID: uuid.NewString(), Username: username, Email: email, CreatedAt: s.now()}, hash)
	if generia.IsKind(err, generia.KindConflict) {
		err = generia.Errorf(generia.KindConflict, "that username or email already has an account; sign in instead")
	}
	return u, err
}

// AccountKey names the account a sign-in is for, whichever way it was typed
// (username or email, in any case), for the limits on failed sign-ins: the
// account's ID when it exists, else what was typed, normalised.
func (s *Service) AccountKey(ctx context.Context, emailOrUsername string) (string, error) {
	u, _, err := s.Store.UserByLogin(ctx, strings.TrimSpace(emailOrUsername))
	switch {
	case err == nil:
		return "user:" + u.ID, nil
	case generia.IsKind(err, generia.KindNotFound):
		return "login:" + strings.ToLower(strings.TrimSpace(emailOrUsername)), nil
	}
	return "", err
}

// Authenticate checks a login. It answers the same, after the same work,
// whether the account exists or not: login never reveals who has one.
func (s *Service) Authenticate(ctx context.Context, emailOrUsername, password string) (generia.User, error) {
	u, hash, err := s.Store.UserByLogin(ctx, strings.TrimSpace(emailOrUsername))
	if err != nil && !generia.IsKind(err, generia.KindNotFound) {
		return generia.User{}, err
	}
	if !auth.CheckPassword(hash, password) {
		return generia.User{}, generia.Errorf(generia.KindUnauthorized, "wrong email, username or password")
	}
	return u, nil
}

// User returns an account.
func (s *Service) User(ctx context.Context, id string) (generia.User, error) {
	return s.Store.UserByID(ctx, id)
}

// StartSession signs an API client in as u: a new token family at its
// first generation and its first refresh token, returned in the clear
// (the store keeps its hash only).
func (s *Service) StartSession(ctx context.Context, u generia.User) (generia.TokenFamily, string, error) {
	refresh, hash, err := auth.NewRefreshToken()
	if err != nil {
		return generia.TokenFamily{}, "", err
	}
	now := s.now()
	f := generia.TokenFamily{ID: uuid.NewString(), UserID: u.ID, Generation: 1, ExpiresAt: now.Add(auth.RefreshTokenTTL), CreatedAt: now}
	if err := s.Store.StartTokenFamily(ctx, f, hash); err != nil {
		return generia.TokenFamily{}, "", err
	}
	return f, refresh, nil
}

// RotateSession spends a refresh token for its successor: the family moves
// to its next generation, which ends the access tokens issued before. It
// returns the account, the family and the new refresh token. An unknown,
// expired or revoked token gives KindUnauthorized; one spent before ends
// its whole family (see generia.Store.RotateRefreshToken).
func (s *Service) RotateSession(ctx context.Context, refreshToken string) (generia.User, generia.TokenFamily, string, error) {
	next, nextHash, err := auth.NewRefreshToken()
	if err != nil {
		return generia.User{}, generia.TokenFamily{}, "", err
	}
	now := s.now()
	f, err := s.Store.RotateRefreshToken(ctx, auth.HashRefreshToken(refreshToken), nextHash, now, now.Add(auth.RefreshTokenTTL))
	if err != nil {
		return generia.User{}, generia.TokenFamily{}, "", err
	}
	u, err := s.Store.UserByID(ctx, f.UserID)
	if err != nil {
		return generia.User{}, generia.TokenFamily{}, "", err
	}
	return u, f, next, nil
}

// EndSessions ends, at once, the sign-in of the token family familyID (an
// access token's; empty for none) and that of refreshToken (empty for
// none). Families and tokens that are unknown or already ended are no
// error: signing out twice is signing out.
func (s *Service) EndSessions(ctx context.Context, familyID, refreshToken string) error {
	families := []string{familyID}
	if refreshToken != "" {
		id, err := s.Store.RefreshTokenFamily(ctx, auth.HashRefreshToken(refreshToken))
		if err != nil && !generia.IsKind(err, generia.KindNotFound) {
			return err
		}
		families = append(families, id)
	}
	for _, id := range families {
		if id == "" {
			continue
		}
		if err := s.Store.RevokeTokenFamily(ctx, id, s.now()); err != nil && !generia.IsKind(err, generia.KindNotFound) {
			return err
		}
	}
	return nil
}

// Me returns the account a signed-in viewer acts as. No viewer, or an
// account that no longer exists, gives KindUnauthorized.
func (s *Service) Me(ctx context.Context, viewerID string) (generia.User, error) {
	if viewerID == "" {
		return generia.User{}, generia.Errorf(generia.KindUnauthorized, "sign in: this route needs an access token")
	}
	u, err := s.Store.UserByID(ctx, viewerID)
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindUnauthorized, "the account of this token no longer exists")
	}
	return u, err
}

// Newcomer returns the rule of who is a newcomer, whose writes are held to
// lower limits: an account younger than age, or one moderators limited.
func (s *Service) Newcomer(age time.Duration) func(ctx context.Context, userID string) (bool, error) {
	return func(ctx context.Context, userID string) (bool, error) {
		u, err := s.Store.UserByID(ctx, userID)
		if generia.IsKind(err, generia.KindNotFound) {
			return false, nil // the handler refuses it
		}
		if err != nil {
			return false, err
		}
		return u.Standing == generia.StandingLimited || s.now().Sub(u.CreatedAt) < age, nil
	}
}
