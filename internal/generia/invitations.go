package generia

import (
	"context"
	"time"
)

// Invitation is a link a world's owner makes to let people join it: it
// expires, lets in at most MaxUses people and can be revoked. Its code is
// secret and stored only hashed; ID names it in lists and revocations.
type Invitation struct {
	ID        string
	WorldID   string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	MaxUses   int
	Uses      int
	// RevokedAt is when the owner revoked it; nil while it stands.
	RevokedAt *time.Time
}

// Usable returns nil when the invitation still lets someone in at now,
// else a KindConflict error that says why not.
func (i Invitation) Usable(now time.Time) error {
	switch {
	case i.RevokedAt != nil:
		return Errorf(KindConflict, "this invitation was revoked")
	case !now.Before(i.ExpiresAt):
		return Errorf(KindConflict, "this invitation has expired")
	case i.Uses >= i.MaxUses:
		return Errorf(KindConflict, "this invitation has been used up")
	}
	return nil
}

// Invitation limits.
const (
	// MaxInvitationHours is the longest an invitation lives: 30 days.
	MaxInvitationHours = 30 * 24
	// MaxInvitationUses is the most people one invitation lets in.
	MaxInvitationUses = 1000
)

// Member is a person who joined a world (its owner is not listed).
type Member struct {
	UserID   string
	Username string
	JoinedAt time.Time
	// CoOwner is whether the owner shares the world's life settings and
	// moderation with them.
	CoOwner bool
}

// InvitationStore holds the invitations of worlds and lists their members.
type InvitationStore interface {
	// CreateInvitation stores an invitation under the hash of its code. An
	// unknown world gives KindNotFound; an ID or hash that exists
	// KindConflict; no uses, or an expiry not after its creation,
	// KindInvalid.
	CreateInvitation(ctx context.Context, inv Invitation, codeHash string) error
	// Invitations lists a world's invitations, newest first, revoked and
	// expired ones included. An unknown world gives KindNotFound.
	Invitations(ctx context.Context, worldID string) ([]Invitation, error)
	// InvitationByHash returns the invitation of a code's hash.
	InvitationByHash(ctx context.Context, codeHash string) (Invitation, error)
	// RevokeInvitation revokes one of a world's invitations; revoking it
	// again is a no-op. An invitation unknown in that world gives
	// KindNotFound.
	RevokeInvitation(ctx context.Context, worldID, id string, now time.Time) error
	// AcceptInvitation spends one use of the invitation of a code's hash
	// and makes the user a member of its world, in one transaction: of
	// racing accepts for its last use one wins. An unknown code gives
	// KindNotFound; an expired, used up or revoked invitation, or a user
	// who owns or already joined the world, KindConflict, and nothing
	// changes. It returns the invitation with its use counted.
	AcceptInvitation(ctx context.Context, codeHash, userID string, now time.Time) (Invitation, error)
	// Members lists the people who joined a world, by joining time. An
	// unknown world gives KindNotFound.
	Members(ctx context.Context, worldID string, page Page) ([]Member, string, error)
	// SetCoOwner makes a member a co-owner of a world, or no longer one. A
	// user who is not a member (the owner included) gives KindNotFound.
	SetCoOwner(ctx context.Context, worldID, userID string, coOwner bool) error
	// IsCoOwner reports whether a user is a co-owner of a world. An unknown
	// world gives KindNotFound.
	IsCoOwner(ctx context.Context, worldID, userID string) (bool, error)
}
