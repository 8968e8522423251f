package social

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
)

// Invitation defaults: what a link lets in when its owner asks for nothing
// else.
const (
	DefaultInvitationHours = 7 * 24
	DefaultInvitationUses  = 10
)

// NewInvitation is what a world's owner asks of an invitation; zero takes
// the default.
type NewInvitation struct {
	ExpiresInHours int
	MaxUses        int
	// Username, if set, names a person the invitation is for: they are
	// told of it (generia.NotifyInvitation) and accept it from there.
	Username string
}

// InvitationCode hashes an invitation's code into its stored form, as
// refresh tokens are stored: a leaked database lets nobody in.
func InvitationCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// newInvitationCode returns a fresh code: 130 random bits, URL-safe.
func newInvitationCode() string { return rand.Text() }

// CreateInvitation makes an invitation link to a world the viewer owns and
// returns it with its code, which is shown this once: only its hash is
// kept. An invitation for a person by name (req.Username) tells them of
// it; a name nobody has gives KindInvalid and makes nothing.
func (s *Service) CreateInvitation(ctx context.Context, viewerID, ref string, req NewInvitation) (generia.Invitation, string, error) {
	w, err := s.owned(ctx, viewerID, ref, "invite people to")
	if err != nil {
		return generia.Invitation{}, "", err
	}
	if err := s.active(ctx, viewerID); err != nil {
		return generia.Invitation{}, "", err
	}
	var invitee generia.User
	if req.Username != "" {
		if invitee, err = s.invitee(ctx, viewerID, req.Username); err != nil {
			return generia.Invitation{}, "", err
		}
	}
	if req.ExpiresInHours == 0 {
		req.ExpiresInHours = DefaultInvitationHours
	}
	if req.MaxUses == 0 {
		req.MaxUses = DefaultInvitationUses
	}
	if req.ExpiresInHours < 1 || req.ExpiresInHours > generia.MaxInvitationHours {
		return generia.Invitation{}, "", generia.FieldErrorf("expires_in_hours", "expires_in_hours must be 1 to %d", generia.MaxInvitationHours)
	}
	if req.MaxUses < 1 || req.MaxUses > generia.MaxInvitationUses {
		return generia.Invitation{}, "", generia.FieldErrorf("max_uses", "max_uses must be 1 to %d", generia.MaxInvitationUses)
	}
	now := s.now()
	inv := generia.Invitation{ID: uuid.NewString(), WorldID: w.ID, CreatedBy: viewerID, CreatedAt: now,
		ExpiresAt: now.Add(time.Duration(req.ExpiresInHours) * time.Hour), MaxUses: req.MaxUses}
	code := newInvitationCode()
	if err := s.Store.CreateInvitation(ctx, inv, InvitationCode(code)); err != nil {
		return generia.Invitation{}, "", err
	}
	if invitee.ID != "" {
		if err := s.tellInvitee(ctx, inv, InvitationCode(code), viewerID, invitee.ID); err != nil {
			return generia.Invitation{}, "", err
		}
	}
	return inv, code, nil
}

// invitee is the person an owner invites by name.
func (s *Service) invitee(ctx context.Context, viewerID, username string) (generia.User, error) {
	noSuch := generia.FieldErrorf("username", "no such person: %q", username)
	if strings.Contains(username, "@") || len(username) > 100 {
		return generia.User{}, noSuch // UserByLogin finds emails too
	}
	u, _, err := s.Store.UserByLogin(ctx, username)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && !strings.EqualFold(u.Username, username)) {
		return generia.User{}, noSuch
	}
	if err != nil {
		return generia.User{}, err
	}
	if u.ID == viewerID {
		return generia.User{}, generia.FieldErrorf("username", "you cannot invite yourself to your own world")
	}
	return u, nil
}

// tellInvitee tells a person invited by name of their invitation, once.
func (s *Service) tellInvitee(ctx context.Context, inv generia.Invitation, hash, ownerID, inviteeID string) error {
	owner, err := s.Store.UserByID(ctx, ownerID)
	if err != nil {
		return err
	}
	w, err := s.Store.World(ctx, inv.WorldID)
	if err != nil {
		return err
	}
	key := "invitation:" + inv.ID + ":" + inviteeID
	_, err = s.Store.Notify(ctx, generia.Notification{ID: uuid.NewString(), UserID: inviteeID, Kind: generia.NotifyInvitation,
		Key: key, Group: key, WorldID: w.ID, InvitationHash: hash, ActorUserID: ownerID, ActorName: owner.Username,
		Text: w.Name, CreatedAt: inv.CreatedAt})
	return err
}

// Invitations lists the invitations of a world the viewer owns, newest
// first.
func (s *Service) Invitations(ctx context.Context, viewerID, ref string) ([]generia.Invitation, error) {
	w, err := s.owned(ctx, viewerID, ref, "see the invitations of")
	if err != nil {
		return nil, err
	}
	return s.Store.Invitations(ctx, w.ID)
}

// RevokeInvitation revokes an invitation of a world the viewer owns, named
// by its ID or by its code.
func (s *Service) RevokeInvitation(ctx context.Context, viewerID, ref, idOrCode string) error {
	w, err := s.owned(ctx, viewerID, ref, "revoke the invitations of")
	if err != nil {
		return err
	}
	err = s.Store.RevokeInvitation(ctx, w.ID, idOrCode, s.now())
	if !generia.IsKind(err, generia.KindNotFound) {
		return err
	}
	inv, err := s.Store.InvitationByHash(ctx, InvitationCode(idOrCode))
	if err != nil || inv.WorldID != w.ID {
		return generia.Errorf(generia.KindNotFound, "invitation not found")
	}
	return s.Store.RevokeInvitation(ctx, w.ID, inv.ID, s.now())
}

// InvitationView is what the person who opens an invitation sees of it.
type InvitationView struct {
	Invitation generia.Invitation
	World      generia.World
	// Member is whether the viewer already belongs to the world.
	Member bool
}

// OpenInvitation returns an invitation with its world, for a signed-in
// person who holds its code: the code is what lets them see a private
// world's name. An unknown code, or one of a deleted world or one
// moderators hide, gives KindNotFound; a used up, expired or revoked one
// KindConflict.
func (s *Service) OpenInvitation(ctx context.Context, viewerID, code string) (InvitationView, error) {
	if err := signedIn(viewerID); err != nil {
		return InvitationView{}, err
	}
	inv, w, err := s.invitation(ctx, code)
	if err != nil {
		return InvitationView{}, err
	}
	member, err := s.Store.IsMember(ctx, w.ID, viewerID)
	if err != nil {
		return InvitationView{}, err
	}
	if err := inv.Usable(s.now()); err != nil && !member {
		return InvitationView{}, err
	}
	return InvitationView{Invitation: inv, World: w, Member: member}, nil
}

// AcceptInvitation makes the viewer a member of the world of an
// invitation, spending one of its uses, and returns the world.
func (s *Service) AcceptInvitation(ctx context.Context, viewerID, code string) (generia.World, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.World{}, err
	}
	if err := s.active(ctx, viewerID); err != nil {
		return generia.World{}, err
	}
	_, w, err := s.invitation(ctx, code)
	if err != nil {
		return generia.World{}, err
	}
	if _, err := s.Store.AcceptInvitation(ctx, InvitationCode(code), viewerID, s.now()); err != nil {
		return generia.World{}, err
	}
	return w, nil
}

// invitation finds the invitation of a code and its world, which must be
// one moderators let people see.
func (s *Service) invitation(ctx context.Context, code string) (generia.Invitation, generia.World, error) {
	if code == "" || len(code) > 200 {
		return generia.Invitation{}, generia.World{}, generia.Errorf(generia.KindNotFound, "this invitation does not exist")
	}
	return s.invitationByHash(ctx, InvitationCode(code))
}

// invitationByHash finds the invitation of a code's hash and its world, as
// invitation does.
func (s *Service) invitationByHash(ctx context.Context, hash string) (generia.Invitation, generia.World, error) {
	notFound := generia.Errorf(generia.KindNotFound, "this invitation does not exist")
	inv, err := s.Store.InvitationByHash(ctx, hash)
	if generia.IsKind(err, generia.KindNotFound) {
		return inv, generia.World{}, notFound
	}
	if err != nil {
		return inv, generia.World{}, err
	}
	w, err := s.Store.World(ctx, inv.WorldID)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && !w.Review.Visible()) {
		return inv, generia.World{}, notFound
	}
	return inv, w, err
}

// Members lists the people who joined a world the viewer owns.
func (s *Service) Members(ctx context.Context, viewerID, ref string, page generia.Page) ([]generia.Member, string, error) {
	w, err := s.owned(ctx, viewerID, ref, "see the members of")
	if err != nil {
		return nil, "", err
	}
	return s.Store.Members(ctx, w.ID, page)
}

// RemoveMember ends a person's membership of a world the viewer owns. The
// removed person loses a private world at once: every page and every
// stream's next event check membership again (mayView).
func (s *Service) RemoveMember(ctx context.Context, viewerID, ref, userID string) error {
	w, err := s.owned(ctx, viewerID, ref, "remove the members of")
	if err != nil {
		return err
	}
	if userID == w.OwnerID {
		return generia.Errorf(generia.KindInvalid, "the creator of a world cannot be removed from it")
	}
	member := false
	if userID != "" {
		if member, err = s.Store.IsMember(ctx, w.ID, userID); err != nil {
			return err
		}
	}
	if !member {
		return generia.Errorf(generia.KindNotFound, "that person is not a member of this world")
	}
	if err := s.Store.LeaveWorld(ctx, w.ID, userID); err != nil {
		return err
	}
	return nil
}

// SetCoOwner makes a member of a world the viewer owns a co-owner of its
// life settings and moderation (deleting its posts and comments), or no
// longer one. Only the owner decides; a co-owner does not make others.
func (s *Service) SetCoOwner(ctx context.Context, viewerID, ref, userID string, coOwner bool) error {
	w, err := s.owned(ctx, viewerID, ref, "choose the co-owners of")
	if err != nil {
		return err
	}
	if userID == w.OwnerID {
		return generia.Errorf(generia.KindInvalid, "the creator of a world owns it already")
	}
	err = s.Store.SetCoOwner(ctx, w.ID, userID, coOwner)
	if generia.IsKind(err, generia.KindNotFound) {
		return generia.Errorf(generia.KindNotFound, "that person is not a member of this world")
	}
	return err
}
