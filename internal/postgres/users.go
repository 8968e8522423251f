package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/generia/generia/internal/generia"
)

const userColumns = `id, username, email, created_at`

func scanUser(row scanner, extra ...any) (generia.User, error) {
	var u generia.User
	if err := row.Scan(append([]any{&u.ID, &u.Username, &u.Email, &u.CreatedAt}, extra...)...); err != nil {
		return generia.User{}, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

// loginKey is the case-insensitive form of a username or email. It is Go's
// lower case, as in the SQLite store, rather than PostgreSQL's lower(), which
// depends on the database's locale.
func loginKey(s string) string { return strings.ToLower(s) }

// CreateUser creates an account. It returns KindConflict when the username or
// email is taken, compared case-insensitively; an empty email is allowed and
// never conflicts. Creating an existing ID again returns the stored account.
func (s *Store) CreateUser(ctx context.Context, u generia.User, passwordHash string) (generia.User, error) {
	if err := required("user ID", u.ID, "username", u.Username); err != nil {
		return generia.User{}, err
	}
	u.CreatedAt = s.stamp(u.CreatedAt)
	var out generia.User
	err := s.write(ctx, func(tx pgx.Tx) error {
		stored, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, u.ID))
		if err == nil {
			out = stored
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// A row of the same ID is not a conflict: it is a concurrent
		// create of this account, found by the insert below.
		var takenUsername, takenEmail bool
		err = tx.QueryRow(ctx, `SELECT
				EXISTS (SELECT 1 FROM users WHERE username_key = $1 AND id <> $3),
				EXISTS (SELECT 1 FROM users WHERE email_key = $2 AND email_key <> '' AND id <> $3)`,
			loginKey(u.Username), loginKey(u.Email), u.ID).Scan(&takenUsername, &takenEmail)
		if err != nil {
			return err
		}
		switch {
		case takenUsername:
			return generia.Errorf(generia.KindConflict, "the username %s is taken", u.Username)
		case takenEmail:
			return generia.Errorf(generia.KindConflict, "the email %s is already registered", u.Email)
		}
		out, err = scanUser(tx.QueryRow(ctx, `INSERT INTO users (id, username, username_key, email, email_key, password_hash, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO NOTHING RETURNING `+userColumns,
			u.ID, u.Username, loginKey(u.Username), u.Email, loginKey(u.Email), passwordHash, u.CreatedAt))
		if errors.Is(err, pgx.ErrNoRows) {
			// Created meanwhile by a concurrent request: keep that one.
			out, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, u.ID))
		}
		return err
	})
	if isUniqueViolation(err) {
		// The username or email was taken meanwhile, maybe by a concurrent
		// create of this very account, which the retry returns.
		if stored, err2 := s.UserByID(ctx, u.ID); err2 == nil {
			return stored, nil
		}
		err = generia.WrapError(generia.KindConflict, err, "the username or email is taken")
	}
	if err != nil {
		return generia.User{}, fmt.Errorf("creating user %s: %w", u.ID, translate(err))
	}
	return out, nil
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
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE (email_key = $1 AND email_key <> '') OR username_key = $1
		ORDER BY email_key = $1 DESC LIMIT 1`, key), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return generia.User{}, "", generia.Errorf(generia.KindNotFound, "no account with username or email %q", emailOrUsername)
	}
	if err != nil {
		return generia.User{}, "", fmt.Errorf("finding user %q: %w", emailOrUsername, translate(err))
	}
	return u, hash, nil
}

// UserByID returns an account.
func (s *Store) UserByID(ctx context.Context, id string) (generia.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return generia.User{}, generia.Errorf(generia.KindNotFound, "user %s not found", id)
	}
	if err != nil {
		return generia.User{}, fmt.Errorf("reading user %s: %w", id, translate(err))
	}
	return u, nil
}

// SaveRefreshToken stores the hash of a refresh token for a user. An unknown
// user gives KindNotFound, a hash already stored KindConflict.
func (s *Store) SaveRefreshToken(ctx context.Context, userID, tokenHash string, expiresAt time.Time) error {
	if err := required("user ID", userID, "token hash", tokenHash); err != nil {
		return err
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := keepUser(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
			tokenHash, userID, normTime(expiresAt))
		if isUniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "the refresh token exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("saving a refresh token of user %s: %w", userID, translate(err))
	}
	return nil
}

// ConsumeRefreshToken deletes a refresh token by hash and returns its user. An
// unknown token, or one that expired at or before now, gives
// KindUnauthorized; an expired token is deleted too. The delete is one
// statement, so a token is consumed once however many requests race for it.
func (s *Store) ConsumeRefreshToken(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	var userID string
	var expires time.Time
	err := s.pool.QueryRow(ctx, `DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id, expires_at`,
		tokenHash).Scan(&userID, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", generia.Errorf(generia.KindUnauthorized, "the refresh token is unknown or was already used")
	}
	if err != nil {
		return "", fmt.Errorf("consuming a refresh token: %w", translate(err))
	}
	if !expires.After(normTime(now)) {
		return "", generia.Errorf(generia.KindUnauthorized, "the refresh token expired")
	}
	return userID, nil
}
