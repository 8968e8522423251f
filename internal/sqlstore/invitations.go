package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/generia/generia/internal/generia"
)

// invitationColumns are the columns scanInvitation reads.
const invitationColumns = `id, world_id, created_by, created_at, expires_at, max_uses, uses, revoked_at`

func scanInvitation(r scanner) (generia.Invitation, error) {
	var i generia.Invitation
	err := r.Scan(&i.ID, &i.WorldID, &i.CreatedBy, timeInto(&i.CreatedAt), timeInto(&i.ExpiresAt),
		&i.MaxUses, &i.Uses, optTimeInto(&i.RevokedAt))
	return i, err
}

// CreateInvitation stores an invitation under the hash of its code.
func (s *Store) CreateInvitation(ctx context.Context, inv generia.Invitation, codeHash string) error {
	if err := required("invitation ID", inv.ID, "world ID", inv.WorldID, "code hash", codeHash); err != nil {
		return err
	}
	created := s.stamp(inv.CreatedAt)
	if inv.MaxUses < 1 {
		return generia.Errorf(generia.KindInvalid, "an invitation lets in at least one person")
	}
	if !normTime(inv.ExpiresAt).After(created) {
		return generia.Errorf(generia.KindInvalid, "an invitation must expire after it is made")
	}
	err := s.write(ctx, func(tx handle) error {
		if err := mustExist(ctx, tx, "worlds", "world", inv.WorldID, s.d.ForKeyShare); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO world_invitations (id, code_hash, world_id, created_by, created_at, expires_at, max_uses)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, inv.ID, codeHash, inv.WorldID, inv.CreatedBy, s.at(created), s.at(inv.ExpiresAt), inv.MaxUses)
		if err != nil && s.d.UniqueViolation(err) {
			return generia.Errorf(generia.KindConflict, "invitation %s exists", inv.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("creating an invitation to world %s: %w", inv.WorldID, s.translate(err))
	}
	return nil
}

// Invitations lists a world's invitations, newest first.
func (s *Store) Invitations(ctx context.Context, worldID string) ([]generia.Invitation, error) {
	out, err := list(ctx, s.reads, scanInvitation, `SELECT `+invitationColumns+` FROM world_invitations
		WHERE world_id = ? ORDER BY created_at DESC, id DESC`, worldID)
	if err == nil && len(out) == 0 {
		err = mustExist(ctx, s.reads, "worlds", "world", worldID, "")
	}
	if err != nil {
		return nil, fmt.Errorf("listing the invitations of world %s: %w", worldID, s.translate(err))
	}
	return out, nil
}

// InvitationByHash returns the invitation of a code's hash.
func (s *Store) InvitationByHash(ctx context.Context, codeHash string) (generia.Invitation, error) {
	i, err := scanInvitation(s.reads.QueryRow(ctx, `SELECT `+invitationColumns+` FROM world_invitations WHERE code_hash = ?`, codeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return i, generia.Errorf(generia.KindNotFound, "invitation not found")
	}
	if err != nil {
		return i, fmt.Errorf("reading an invitation: %w", s.translate(err))
	}
	return i, nil
}

// RevokeInvitation revokes one of a world's invitations; again is a no-op.
func (s *Store) RevokeInvitation(ctx context.Context, worldID, id string, now time.Time) error {
	var found bool
	err := s.write(ctx, func(tx handle) error {
		if _, err := tx.Exec(ctx, `UPDATE world_invitations SET revoked_at = ?
			WHERE world_id = ? AND id = ? AND revoked_at IS NULL`, s.at(s.stamp(now)), worldID, id); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM world_invitations WHERE world_id = ? AND id = ?)`, worldID, id).Scan(&found)
	})
	if err != nil {
		return fmt.Errorf("revoking invitation %s: %w", id, s.translate(err))
	}
	if !found {
		return generia.Errorf(generia.KindNotFound, "invitation %s not found", id)
	}
	return nil
}

// AcceptInvitation spends one use of an invitation and makes the user a
// member of its world, and tells its owner (NotifyJoined), in one
// transaction. The use is spent by one
// conditional UPDATE, which PostgreSQL re-evaluates against the latest row
// when a racing accept spent a use first, so the uses never pass the
// invitation's limit.
func (s *Store) AcceptInvitation(ctx context.Context, codeHash, userID string, now time.Time) (generia.Invitation, error) {
	if err := required("code hash", codeHash, "user ID", userID); err != nil {
		return generia.Invitation{}, err
	}
	now = s.stamp(now)
	var inv generia.Invitation
	err := s.write(ctx, func(tx handle) error {
		var err error
		inv, err = scanInvitation(tx.QueryRow(ctx, `SELECT `+invitationColumns+` FROM world_invitations WHERE code_hash = ? `+s.d.ForKeyShare, codeHash))
		if errors.Is(err, sql.ErrNoRows) {
			return generia.Errorf(generia.KindNotFound, "invitation not found")
		}
		if err != nil {
			return err
		}
		if err := s.keepUser(ctx, tx, userID); err != nil {
			return err
		}
		owner, err := worldOwner(ctx, tx, inv.WorldID, s.d.ForKeyShare)
		if err != nil {
			return err
		}
		var member bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM world_members WHERE world_id = ? AND user_id = ?)`,
			inv.WorldID, userID).Scan(&member); err != nil {
			return err
		}
		switch {
		case owner == userID:
			return generia.Errorf(generia.KindConflict, "you own this world: send the link to the people you want to let in")
		case member:
			return generia.Errorf(generia.KindConflict, "you are already a member of this world")
		}
		res, err := tx.Exec(ctx, `UPDATE world_invitations SET uses = uses + 1
			WHERE code_hash = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses`, codeHash, s.at(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Read again: a racing accept may have spent the last use.
			inv, err = scanInvitation(tx.QueryRow(ctx, `SELECT `+invitationColumns+` FROM world_invitations WHERE code_hash = ?`, codeHash))
			if err != nil {
				return err
			}
			if err := inv.Usable(now); err != nil {
				return err
			}
			return fmt.Errorf("invitation %s is usable but was not spent", inv.ID)
		}
		inv.Uses++
		if _, err = tx.Exec(ctx, `INSERT INTO world_members (world_id, user_id, joined_at) VALUES (?, ?, ?)`,
			inv.WorldID, userID, s.at(now)); err != nil {
			return err
		}
		return s.notifyJoined(ctx, tx, inv.WorldID, userID, now)
	})
	if err != nil {
		return generia.Invitation{}, fmt.Errorf("accepting an invitation: %w", s.translate(err))
	}
	return inv, nil
}

// memberPages pages the members of a world by joining time.
var memberPages = keyset[generia.Member]{list: listMembers, columns: `m.joined_at, m.user_id`, scan: scanMember,
	key: func(m generia.Member) cursor { return cursor{Time: micros(m.JoinedAt), ID: m.UserID} }}

func scanMember(r scanner) (generia.Member, error) {
	var m generia.Member
	err := r.Scan(&m.UserID, &m.Username, timeInto(&m.JoinedAt), &m.CoOwner)
	return m, err
}

// Members lists the people who joined a world, by joining time.
func (s *Store) Members(ctx context.Context, worldID string, page generia.Page) ([]generia.Member, string, error) {
	return listPage(ctx, s, memberPages, page, "the members of world "+worldID, func(args *sqlArgs) (string, error) {
		return `SELECT m.user_id, u.username, m.joined_at, m.co_owner FROM world_members m JOIN users u ON u.id = m.user_id
			WHERE m.world_id = ` + args.add(worldID), nil
	}, func() error { return mustExist(ctx, s.reads, "worlds", "world", worldID, "") })
}

// SetCoOwner makes a member a co-owner of a world, or no longer one.
func (s *Store) SetCoOwner(ctx context.Context, worldID, userID string, coOwner bool) error {
	res, err := s.writes.Exec(ctx, `UPDATE world_members SET co_owner = ? WHERE world_id = ? AND user_id = ?`, coOwner, worldID, userID)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return fmt.Errorf("setting a co-owner of world %s: %w", worldID, s.translate(err))
	}
	if n == 0 {
		return generia.Errorf(generia.KindNotFound, "%s is not a member of world %s", userID, worldID)
	}
	return nil
}

// IsCoOwner reports whether a user is a co-owner of a world.
func (s *Store) IsCoOwner(ctx context.Context, worldID, userID string) (bool, error) {
	var co bool
	err := s.reads.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM world_members m WHERE m.world_id = w.id AND m.user_id = ? AND m.co_owner)
		FROM worlds w WHERE w.id = ?`, userID, worldID).Scan(&co)
	if errors.Is(err, sql.ErrNoRows) {
		return false, generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	if err != nil {
		return false, fmt.Errorf("checking a co-owner of world %s: %w", worldID, s.translate(err))
	}
	return co, nil
}
