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

// StartTokenFamily begins an API client's sign-in: the family and its first
// refresh token, in one transaction.
func (s *Store) StartTokenFamily(ctx context.Context, f generia.TokenFamily, refreshHash string) error {
	if err := required("family ID", f.ID, "user ID", f.UserID, "token hash", refreshHash); err != nil {
		return err
	}
	f.CreatedAt = s.stamp(f.CreatedAt)
	err := s.write(ctx, func(tx *sql.Tx) error {
		ok, err := exists(ctx, tx, "users", f.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return generia.Errorf(generia.KindNotFound, "user %s not found", f.UserID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO token_families (id, user_id, generation, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			f.ID, f.UserID, f.Generation, micros(f.ExpiresAt), micros(f.CreatedAt))
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, generation) VALUES (?, ?, ?, ?, ?)`,
				refreshHash, f.UserID, micros(f.ExpiresAt), f.ID, f.Generation)
		}
		if isUniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "the token family or refresh token exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("starting a token family of user %s: %w", f.UserID, err)
	}
	return nil
}

// RotateRefreshToken spends a refresh token and stores its successor; see
// generia.UserStore. The spend is one conditional update, so of two
// requests racing with one token, one rotates and the other is a replay.
func (s *Store) RotateRefreshToken(ctx context.Context, hash, nextHash string, now, nextExpires time.Time) (generia.TokenFamily, error) {
	var f generia.TokenFamily
	var refused error
	err := s.write(ctx, func(tx *sql.Tx) error {
		refused = nil
		var familyID string
		var generation int
		var expires int64
		err := tx.QueryRowContext(ctx, `UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL
			RETURNING family_id, generation, expires_at`, micros(now), hash).Scan(&familyID, &generation, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			// Unknown, or spent already: a replay ends its family.
			err = tx.QueryRowContext(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, hash).Scan(&familyID)
			if errors.Is(err, sql.ErrNoRows) {
				refused = generia.Errorf(generia.KindUnauthorized, "the refresh token is unknown")
				return nil
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(now), familyID); err != nil {
				return err
			}
			refused = generia.Errorf(generia.KindUnauthorized, "the refresh token was used already; its sign-in has been ended everywhere, so sign in again")
			return nil
		}
		if err != nil {
			return err
		}
		if familyID == "" || expires <= micros(now) {
			refused = generia.Errorf(generia.KindUnauthorized, "the refresh token expired; sign in again")
			return nil
		}
		f, err = scanFamily(tx.QueryRowContext(ctx, `UPDATE token_families SET generation = generation + 1, expires_at = ?
			WHERE id = ? AND generation = ? AND revoked_at IS NULL AND expires_at > ?
			RETURNING `+familyColumns, micros(nextExpires), familyID, generation, micros(now)))
		if errors.Is(err, sql.ErrNoRows) {
			refused = generia.Errorf(generia.KindUnauthorized, "the sign-in of this refresh token has ended; sign in again")
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, generation) VALUES (?, ?, ?, ?, ?)`,
			nextHash, f.UserID, micros(nextExpires), f.ID, f.Generation)
		return err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return generia.TokenFamily{}, fmt.Errorf("refreshing a token: %w", err)
	}
	return f, nil
}

const familyColumns = `id, user_id, generation, expires_at, created_at, revoked_at`

func scanFamily(row scanner) (generia.TokenFamily, error) {
	var f generia.TokenFamily
	var expires, created int64
	var revoked sql.NullInt64
	if err := row.Scan(&f.ID, &f.UserID, &f.Generation, &expires, &created, &revoked); err != nil {
		return generia.TokenFamily{}, err
	}
	f.ExpiresAt, f.CreatedAt, f.RevokedAt = fromMicros(expires), fromMicros(created), fromNullMicros(revoked)
	return f, nil
}

// TokenFamily returns a family.
func (s *Store) TokenFamily(ctx context.Context, id string) (generia.TokenFamily, error) {
	f, err := scanFamily(s.read.QueryRowContext(ctx, `SELECT `+familyColumns+` FROM token_families WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.TokenFamily{}, generia.Errorf(generia.KindNotFound, "token family %s not found", id)
	}
	if err != nil {
		return generia.TokenFamily{}, fmt.Errorf("reading token family %s: %w", id, err)
	}
	return f, nil
}

// RevokeTokenFamily ends a family at once.
func (s *Store) RevokeTokenFamily(ctx context.Context, id string, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE token_families SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(s.stamp(now)), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, generia.Errorf(generia.KindNotFound, "token family %s not found", id))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoking token family %s: %w", id, err)
	}
	return nil
}

// RefreshTokenFamily returns the family of a refresh token.
func (s *Store) RefreshTokenFamily(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && id == "") {
		return "", generia.Errorf(generia.KindNotFound, "the refresh token is unknown")
	}
	if err != nil {
		return "", fmt.Errorf("reading a refresh token: %w", err)
	}
	return id, nil
}
