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

// StartTokenFamily begins an API client's sign-in: the family and its first
// refresh token, in one transaction.
func (s *Store) StartTokenFamily(ctx context.Context, f generia.TokenFamily, refreshHash string) error {
	if err := required("family ID", f.ID, "user ID", f.UserID, "token hash", refreshHash); err != nil {
		return err
	}
	f.CreatedAt = s.stamp(f.CreatedAt)
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := keepUser(ctx, tx, f.UserID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO token_families (id, user_id, generation, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
			f.ID, f.UserID, f.Generation, normTime(f.ExpiresAt), f.CreatedAt)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, generation) VALUES ($1, $2, $3, $4, $5)`,
				refreshHash, f.UserID, normTime(f.ExpiresAt), f.ID, f.Generation)
		}
		if isUniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "the token family or refresh token exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("starting a token family of user %s: %w", f.UserID, translate(err))
	}
	return nil
}

// RotateRefreshToken spends a refresh token and stores its successor; see
// generia.UserStore. The spend is one conditional update, so of two
// requests racing with one token, one rotates and the other is a replay.
func (s *Store) RotateRefreshToken(ctx context.Context, hash, nextHash string, now, nextExpires time.Time) (generia.TokenFamily, error) {
	var f generia.TokenFamily
	var refused error
	now = normTime(now)
	err := s.write(ctx, func(tx pgx.Tx) error {
		refused = nil
		var familyID string
		var generation int
		var expires time.Time
		err := tx.QueryRow(ctx, `UPDATE refresh_tokens SET spent_at = $1 WHERE token_hash = $2 AND spent_at IS NULL
			RETURNING family_id, generation, expires_at`, now, hash).Scan(&familyID, &generation, &expires)
		if errors.Is(err, pgx.ErrNoRows) {
			// Unknown, or spent already: a replay ends its family.
			err = tx.QueryRow(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = $1`, hash).Scan(&familyID)
			if errors.Is(err, pgx.ErrNoRows) {
				refused = generia.Errorf(generia.KindUnauthorized, "the refresh token is unknown")
				return nil
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, familyID); err != nil {
				return err
			}
			refused = generia.Errorf(generia.KindUnauthorized, "the refresh token was used already; its sign-in has been ended everywhere, so sign in again")
			return nil
		}
		if err != nil {
			return err
		}
		if familyID == "" || !expires.After(now) {
			refused = generia.Errorf(generia.KindUnauthorized, "the refresh token expired; sign in again")
			return nil
		}
		f, err = scanFamily(tx.QueryRow(ctx, `UPDATE token_families SET generation = generation + 1, expires_at = $1
			WHERE id = $2 AND generation = $3 AND revoked_at IS NULL AND expires_at > $4
			RETURNING `+familyColumns, normTime(nextExpires), familyID, generation, now))
		if errors.Is(err, pgx.ErrNoRows) {
			refused = generia.Errorf(generia.KindUnauthorized, "the sign-in of this refresh token has ended; sign in again")
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, generation) VALUES ($1, $2, $3, $4, $5)`,
			nextHash, f.UserID, normTime(nextExpires), f.ID, f.Generation)
		return err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return generia.TokenFamily{}, fmt.Errorf("refreshing a token: %w", translate(err))
	}
	return f, nil
}

const familyColumns = `id, user_id, generation, expires_at, created_at, revoked_at`

func scanFamily(row scanner) (generia.TokenFamily, error) {
	var f generia.TokenFamily
	if err := row.Scan(&f.ID, &f.UserID, &f.Generation, &f.ExpiresAt, &f.CreatedAt, &f.RevokedAt); err != nil {
		return generia.TokenFamily{}, err
	}
	f.ExpiresAt, f.CreatedAt, f.RevokedAt = f.ExpiresAt.UTC(), f.CreatedAt.UTC(), utcPtr(f.RevokedAt)
	return f, nil
}

// TokenFamily returns a family.
func (s *Store) TokenFamily(ctx context.Context, id string) (generia.TokenFamily, error) {
	f, err := scanFamily(s.pool.QueryRow(ctx, `SELECT `+familyColumns+` FROM token_families WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return generia.TokenFamily{}, generia.Errorf(generia.KindNotFound, "token family %s not found", id)
	}
	if err != nil {
		return generia.TokenFamily{}, fmt.Errorf("reading token family %s: %w", id, translate(err))
	}
	return f, nil
}

// RevokeTokenFamily ends a family at once.
func (s *Store) RevokeTokenFamily(ctx context.Context, id string, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE token_families SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, normTime(s.stamp(now)), id)
	if err != nil {
		return fmt.Errorf("revoking token family %s: %w", id, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return generia.Errorf(generia.KindNotFound, "token family %s not found", id)
	}
	return nil
}

// RefreshTokenFamily returns the family of a refresh token.
func (s *Store) RefreshTokenFamily(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = $1`, hash).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && id == "") {
		return "", generia.Errorf(generia.KindNotFound, "the refresh token is unknown")
	}
	if err != nil {
		return "", fmt.Errorf("reading a refresh token: %w", translate(err))
	}
	return id, nil
}
