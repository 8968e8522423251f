package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

const userColumns = `id, username, email, created_at`

func scanUser(row scanner, extra ...any) (generia.User, error) {
	var u generia.User
	var created int64
	if err := row.Scan(append([]any{&u.ID, &u.Username, &u.Email, &created}, extra...)...); err != nil {
		return generia.User{}, err
	}
	u.CreatedAt = fromMicros(created)
	return u, nil
}

// loginKey is the case-insensitive form of a username or email.
func loginKey(s string) string { return strings.ToLower(s) }

// CreateUser creates an account. It returns KindConflict when the username or
// email is taken, compared case-insensitively; an empty email is allowed and
// never conflicts. Creating an existing ID again returns the stored account.
func (s *Store) CreateUser(ctx context.Context, u generia.User, passwordHash string) (generia.User, error) {
	if err := required("user ID", u.ID, "username", u.Username); err != nil {
		return generia.User{}, err
	}
	u.CreatedAt = s.stamp(u.CreatedAt)
	err := s.write(ctx, func(tx *sql.Tx) error {
		stored, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, u.ID))
		if err == nil {
			u = stored
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var takenUsername, takenEmail bool
		err = tx.QueryRowContext(ctx, `SELECT
				EXISTS (SELECT 1 FROM users WHERE username_key = ?),
				EXISTS (SELECT 1 FROM users WHERE email_key = ? AND email_key <> '')`,
			loginKey(u.Username), loginKey(u.Email)).Scan(&takenUsername, &takenEmail)
		if err != nil {
			return err
		}
		switch {
		case takenUsername:
			return generia.Errorf(generia.KindConflict, "the username %s is taken", u.Username)
		case takenEmail:
			return generia.Errorf(generia.KindConflict, "the email %s is already registered", u.Email)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users (id, username, username_key, email, email_key, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, loginKey(u.Username), u.Email, loginKey(u.Email), passwordHash, micros(u.CreatedAt))
		if isUniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "the username or email is taken")
		}
		return err
	})
	if err != nil {
		return generia.User{}, fmt.Errorf("creating user %s: %w", u.ID, err)
	}
	return u, nil
}

// UserByLogin finds an account by email or username, case-insensitively, and
// returns it with its password hash. When one account's email is another's
// username, the email wins.
func (s *Store) UserByLogin(ctx context.Context, emailOrUsername string) (generia.User, string, error) {
	key := loginKey(emailOrUsername)
	if key == "" {
		return generia.User{}, "", generia.Errorf(generia.KindNotFound, "no account with an empty username or email")
	}
	var hash string
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE (email_key = ? AND email_key <> '') OR username_key = ?
		ORDER BY email_key = ? DESC LIMIT 1`, key, key, key), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return generia.User{}, "", generia.Errorf(generia.KindNotFound, "no account with username or email %q", emailOrUsername)
	}
	if err != nil {
		return generia.User{}, "", fmt.Errorf("finding user %q: %w", emailOrUsername, err)
	}
	return u, hash, nil
}

// UserByID returns an account.
func (s *Store) UserByID(ctx context.Context, id string) (generia.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.User{}, generia.Errorf(generia.KindNotFound, "user %s not found", id)
	}
	if err != nil {
		return generia.User{}, fmt.Errorf("reading user %s: %w", id, err)
	}
	return u, nil
}

// SaveRefreshToken stores the hash of a refresh token for a user. An unknown
// user gives KindNotFound, a hash already stored KindConflict.
func (s *Store) SaveRefreshToken(ctx context.Context, userID, tokenHash string, expiresAt time.Time) error {
	if err := required("user ID", userID, "token hash", tokenHash); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		ok, err := exists(ctx, tx, "users", userID)
		if err != nil {
			return err
		}
		if !ok {
			return generia.Errorf(generia.KindNotFound, "user %s not found", userID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)`,
			tokenHash, userID, micros(expiresAt))
		if isUniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "the refresh token exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("saving a refresh token of user %s: %w", userID, err)
	}
	return nil
}

// ConsumeRefreshToken deletes a refresh token by hash and returns its user. An
// unknown token, or one that expired at or before now, gives
// KindUnauthorized; an expired token is deleted too.
func (s *Store) ConsumeRefreshToken(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	var userID string
	var expires int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `DELETE FROM refresh_tokens WHERE token_hash = ? RETURNING user_id, expires_at`,
			tokenHash).Scan(&userID, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", generia.Errorf(generia.KindUnauthorized, "the refresh token is unknown or was already used")
	}
	if err != nil {
		return "", fmt.Errorf("consuming a refresh token: %w", err)
	}
	if expires <= micros(now) {
		return "", generia.Errorf(generia.KindUnauthorized, "the refresh token expired")
	}
	return userID, nil
}
