package social

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"

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
		return generia.User{}, generia.Errorf(generia.KindInvalid, "username must be 3 to 30 latin letters, digits or underscores")
	}
	if slices.Contains(ReservedUsernames, strings.ToLower(username)) {
		return generia.User{}, generia.Errorf(generia.KindConflict, "that username is reserved; choose another")
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		return generia.User{}, generia.Errorf(generia.KindInvalid, "email must be a valid address such as ada@example.com")
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
