package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/generia/generia/internal/generia"
)

const userColumns = `id, username, email, created_at, role, standing`

func scanUser(row scanner, extra ...any) (generia.User, error) {
	var u generia.User
	if err := row.Scan(append([]any{&u.ID, &u.Username, &u.Email, timeInto(&u.CreatedAt), &u.Role, &u.Standing}, extra...)...); err != nil {
		return generia.User{}, err
	}
	return u, nil
}

// loginKey is the case-insensitive form of a username or email. It is Go's
// lower case, the same on every database, rather than SQL's lower(), which
// depends on the database (its locale, or ASCII only in SQLite).
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
	err := s.write(ctx, func(tx handle) error {
		stored, isStored, err := existing(func(row scanner) (generia.User, error) { return scanUser(row) }, tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, u.ID))
		if isStored || err != nil {
			out = stored
			return err
		}
		// A row of the same ID is not a conflict: it is a concurrent
		// create of this account, found by the insert below.
		var takenUsername, takenEmail bool
		err = tx.QueryRow(ctx, `SELECT
				EXISTS (SELECT 1 FROM users WHERE username_key = ? AND id <> ?),
				EXISTS (SELECT 1 FROM users WHERE email_key = ? AND email_key <> '' AND id <> ?)`,
			loginKey(u.Username), u.ID, loginKey(u.Email), u.ID).Scan(&takenUsername, &takenEmail)
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
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING RETURNING `+userColumns,
			u.ID, u.Username, loginKey(u.Username), u.Email, loginKey(u.Email), passwordHash, s.at(u.CreatedAt)))
		if errors.Is(err, sql.ErrNoRows) {
			// Created meanwhile by a concurrent request: keep that one.
			out, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, u.ID))
		}
		return err
	})
	if s.d.UniqueViolation(err) {
		// The username or email was taken meanwhile, maybe by a concurrent
		// create of this very account, which the retry returns.
		if stored, err2 := s.UserByID(ctx, u.ID); err2 == nil {
			return stored, nil
		}
		err = generia.WrapError(generia.KindConflict, err, "the username or email is taken")
	}
	if err != nil {
		return generia.User{}, fmt.Errorf("creating user %s: %w", u.ID, s.translate(err))
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
	u, err := scanUser(s.reads.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE (email_key = ? AND email_key <> '') OR username_key = ?
		ORDER BY email_key = ? DESC LIMIT 1`, key, key, key), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return generia.User{}, "", generia.Errorf(generia.KindNotFound, "no account with username or email %q", emailOrUsername)
	}
	if err != nil {
		return generia.User{}, "", fmt.Errorf("finding user %q: %w", emailOrUsername, s.translate(err))
	}
	return u, hash, nil
}

// UserByID returns an account.
func (s *Store) UserByID(ctx context.Context, id string) (generia.User, error) {
	return readOne(ctx, s, func(row scanner) (generia.User, error) { return scanUser(row) }, "user "+id, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

// StartTokenFamily begins an API client's sign-in: the family and its first
// refresh token, in one transaction.
func (s *Store) StartTokenFamily(ctx context.Context, f generia.TokenFamily, refreshHash string) error {
	if err := required("family ID", f.ID, "user ID", f.UserID, "token hash", refreshHash); err != nil {
		return err
	}
	f.CreatedAt = s.stamp(f.CreatedAt)
	err := s.insertForUser(ctx, f.UserID, "the token family or refresh token exists",
		stmt{`INSERT INTO token_families (id, user_id, generation, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			[]any{f.ID, f.UserID, f.Generation, s.at(f.ExpiresAt), s.at(f.CreatedAt)}},
		stmt{`INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, generation) VALUES (?, ?, ?, ?, ?)`,
			[]any{refreshHash, f.UserID, s.at(f.ExpiresAt), f.ID, f.Generation}})
	if err != nil {
		return fmt.Errorf("starting a token family of user %s: %w", f.UserID, s.translate(err))
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
	err := s.write(ctx, func(tx handle) error {
		refused = nil
		var familyID string
		var generation int
		var expires time.Time
		err := tx.QueryRow(ctx, `UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL
			RETURNING family_id, generation, expires_at`, s.at(now), hash).Scan(&familyID, &generation, timeInto(&expires))
		if errors.Is(err, sql.ErrNoRows) {
			// Unknown, or spent already: a replay ends its family.
			err = tx.QueryRow(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, hash).Scan(&familyID)
			if errors.Is(err, sql.ErrNoRows) {
				refused = generia.Errorf(generia.KindUnauthorized, "the refresh token is unknown")
				return nil
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.at(now), familyID); err != nil {
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
		f, err = scanFamily(tx.QueryRow(ctx, `UPDATE token_families SET generation = generation + 1, expires_at = ?
			WHERE id = ? AND generation = ? AND revoked_at IS NULL AND expires_at > ?
			RETURNING `+familyColumns, s.at(nextExpires), familyID, generation, s.at(now)))
		if errors.Is(err, sql.ErrNoRows) {
			refused = generia.Errorf(generia.KindUnauthorized, "the sign-in of this refresh token has ended; sign in again")
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, generation) VALUES (?, ?, ?, ?, ?)`,
			nextHash, f.UserID, s.at(nextExpires), f.ID, f.Generation)
		return err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return generia.TokenFamily{}, fmt.Errorf("refreshing a token: %w", s.translate(err))
	}
	return f, nil
}

const familyColumns = `id, user_id, generation, expires_at, created_at, revoked_at`

func scanFamily(row scanner) (generia.TokenFamily, error) {
	var f generia.TokenFamily
	if err := row.Scan(&f.ID, &f.UserID, &f.Generation, timeInto(&f.ExpiresAt), timeInto(&f.CreatedAt), optTimeInto(&f.RevokedAt)); err != nil {
		return generia.TokenFamily{}, err
	}
	return f, nil
}

// TokenFamily returns a family.
func (s *Store) TokenFamily(ctx context.Context, id string) (generia.TokenFamily, error) {
	return readOne(ctx, s, scanFamily, "token family "+id, `SELECT `+familyColumns+` FROM token_families WHERE id = ?`, id)
}

// RevokeTokenFamily ends a family at once.
func (s *Store) RevokeTokenFamily(ctx context.Context, id string, now time.Time) error {
	tag, err := s.writes.Exec(ctx, `UPDATE token_families SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, s.at(s.stamp(now)), id)
	if err != nil {
		return fmt.Errorf("revoking token family %s: %w", id, s.translate(err))
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "token family %s not found", id)
	}
	return nil
}

// RefreshTokenFamily returns the family of a refresh token.
func (s *Store) RefreshTokenFamily(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.reads.QueryRow(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && id == "") {
		return "", generia.Errorf(generia.KindNotFound, "the refresh token is unknown")
	}
	if err != nil {
		return "", fmt.Errorf("reading a refresh token: %w", s.translate(err))
	}
	return id, nil
}

// setUserColumn sets a column of an account to one of the allowed values;
// another value gives KindInvalid, an unknown account KindNotFound.
func (s *Store) setUserColumn(ctx context.Context, column, userID, value string, allowed ...string) error {
	if err := required("user ID", userID); err != nil {
		return err
	}
	if !slices.Contains(allowed, value) {
		return generia.Errorf(generia.KindInvalid, "unknown %s %q: want one of %q", column, value, allowed)
	}
	tag, err := s.writes.Exec(ctx, `UPDATE users SET `+column+` = ? WHERE id = ?`, value, userID)
	if err != nil {
		return fmt.Errorf("setting the %s of user %s: %w", column, userID, s.translate(err))
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "user %s not found", userID)
	}
	return nil
}

// SetRole sets an account's role: generia.RoleNone, RoleModerator or
// RoleAdmin.
func (s *Store) SetRole(ctx context.Context, userID, role string) error {
	return s.setUserColumn(ctx, "role", userID, role, generia.RoleNone, generia.RoleModerator, generia.RoleAdmin)
}

// SetStanding sets an account's standing: generia.StandingGood,
// StandingLimited or StandingSuspended.
func (s *Store) SetStanding(ctx context.Context, userID, standing string) error {
	return s.setUserColumn(ctx, "standing", userID, standing, generia.StandingGood, generia.StandingLimited, generia.StandingSuspended)
}

// userPages pages accounts, newest first.
var userPages = keyset[generia.User]{list: listUsers, columns: `created_at, id`, desc: true,
	scan: func(row scanner) (generia.User, error) { return scanUser(row) },
	key:  func(u generia.User) cursor { return cursor{Time: micros(u.CreatedAt), ID: u.ID} }}

// FindUsers lists the accounts whose username or email starts with q,
// compared case-insensitively (as logins are), newest first; an empty q
// lists every account.
func (s *Store) FindUsers(ctx context.Context, q string, page generia.Page) ([]generia.User, string, error) {
	key := loginKey(strings.TrimSpace(q))
	return listPage(ctx, s, userPages, page, "accounts", func(args *sqlArgs) (string, error) {
		if key == "" {
			return `SELECT ` + userColumns + ` FROM users WHERE 1 = 1`, nil
		}
		// substr rather than LIKE: a % or _ in q is a character, and
		// no escaping differs between the databases.
		n := strconv.Itoa(utf8.RuneCountInString(key))
		return `SELECT ` + userColumns + ` FROM users WHERE (substr(username_key, 1, ` + n + `) = ` + args.add(key) +
			` OR substr(email_key, 1, ` + n + `) = ` + args.add(key) + `)`, nil
	}, nil)
}
