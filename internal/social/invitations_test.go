package social

import (
	"context"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Only a world's owner makes, lists and revokes its invitations and sees
// and removes its members; to strangers a private world does not exist.
func TestInvitationsAndMembersAreTheOwners(t *testing.T) {
	tw := newTown(t)
	actions := map[string]action{
		"create an invitation": func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.CreateInvitation(ctx, who, w, NewInvitation{})
			return err
		},
		"list invitations": func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.Invitations(ctx, who, w)
			return err
		},
		"revoke an invitation": func(ctx context.Context, s *Service, who, w string) error {
			inv, _, err := s.CreateInvitation(ctx, owner, w, NewInvitation{})
			if err != nil {
				return err
			}
			return s.RevokeInvitation(ctx, who, w, inv.ID)
		},
		"list members": func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.Members(ctx, who, w, generia.Page{})
			return err
		},
		"remove a member": func(ctx context.Context, s *Service, who, w string) error {
			return s.RemoveMember(ctx, who, w, member)
		},
	}
	for name, act := range actions {
		for w, want := range map[string]by{public: ownerOnly, private: ownerOnlyInside} {
			for _, who := range []string{anon, owner, member, stranger, operator} {
				t.Run(name+"/"+w+"/"+nameOf(who), func(t *testing.T) {
					s := tw.service(t)
					err := act(t.Context(), s, who, w)
					got := allowed
					if err != nil {
						got = generia.ErrorKind(err)
					}
					if got != want.of(who) {
						t.Errorf("got %s (%v), want %s", got, err, want.of(who))
					}
					if who != owner {
						if m, err := s.Store.IsMember(t.Context(), w, member); err != nil || !m {
							t.Errorf("bea is no longer a member after a refused removal: %v, %v", m, err)
						}
					}
				})
			}
		}
	}
}

// A stranger with an invitation opens it, sees the private world's name,
// joins and sees the world; the invitation then refuses whoever it must.
func TestAnInvitationLetsAStrangerIn(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	inv, code, err := s.CreateInvitation(ctx, owner, private, NewInvitation{ExpiresInHours: 2, MaxUses: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(code) < 26 || inv.ExpiresAt.Sub(inv.CreatedAt) != 2*time.Hour || inv.MaxUses != 1 {
		t.Errorf("invitation %+v with code %q: want a code of at least 128 bits, 2 hours, 1 use", inv, code)
	}
	if _, err := s.Store.InvitationByHash(ctx, code); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("the code itself is stored: %v", err)
	}

	if _, err := s.OpenInvitation(ctx, anon, code); !generia.IsKind(err, generia.KindUnauthorized) {
		t.Errorf("a visitor opens the invitation: %v, want unauthorized", err)
	}
	view, err := s.OpenInvitation(ctx, stranger, code)
	if err != nil || view.World.ID != private || view.Member {
		t.Fatalf("the stranger opens the invitation: %+v, %v", view, err)
	}
	for who, want := range map[string]generia.Kind{owner: generia.KindConflict, member: generia.KindConflict, anon: generia.KindUnauthorized} {
		if _, err := s.AcceptInvitation(ctx, who, code); !generia.IsKind(err, want) {
			t.Errorf("%s accepts: %v, want %s", nameOf(who), err, want)
		}
	}
	if _, err := s.AcceptInvitation(ctx, stranger, "not-a-code"); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("a wrong code: %v, want not found", err)
	}
	w, err := s.AcceptInvitation(ctx, stranger, code)
	if err != nil || w.ID != private {
		t.Fatalf("the stranger accepts: %v, %v", w.ID, err)
	}
	if _, err := s.visible(ctx, stranger, private); err != nil {
		t.Errorf("the private world after accepting: %v", err)
	}
	if _, err := s.AcceptInvitation(ctx, stranger, code); !generia.IsKind(err, generia.KindConflict) {
		t.Errorf("accepting again: %v, want conflict", err)
	}
	if view, err := s.OpenInvitation(ctx, stranger, code); err != nil || !view.Member {
		t.Errorf("the new member opens the used up invitation: %+v, %v; want it shown as joined", view, err)
	}
	if _, err := s.OpenInvitation(ctx, operator, code); generia.ErrorMessage(err) != "this invitation has been used up" {
		t.Errorf("another person opens the used up invitation: %v", err)
	}
	list, err := s.Invitations(ctx, owner, private)
	if err != nil || len(list) != 1 || list[0].Uses != 1 {
		t.Errorf("the owner's invitations: %+v, %v; want one, used once", list, err)
	}
	members, _, err := s.Members(ctx, owner, private, generia.Page{})
	if err != nil || len(members) != 2 {
		t.Errorf("members: %+v, %v; want bea and cy", members, err)
	}
}

// Invitations refuse bad numbers, and revoked ones, named by ID or by
// code, let nobody in.
func TestInvitationsRefuseBadInput(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	for _, req := range []NewInvitation{{ExpiresInHours: -1}, {ExpiresInHours: generia.MaxInvitationHours + 1}, {MaxUses: -3}, {MaxUses: generia.MaxInvitationUses + 1}} {
		_, _, err := s.CreateInvitation(ctx, owner, private, req)
		if !generia.IsKind(err, generia.KindInvalid) || generia.ErrorField(err) == "" {
			t.Errorf("invitation %+v: %v, want invalid with its field", req, err)
		}
	}
	if list, _ := s.Invitations(ctx, owner, private); len(list) != 0 {
		t.Errorf("refused invitations were stored: %+v", list)
	}
	byID, idCode, err := s.CreateInvitation(ctx, owner, private, NewInvitation{})
	if err != nil {
		t.Fatal(err)
	}
	_, code, err := s.CreateInvitation(ctx, owner, private, NewInvitation{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeInvitation(ctx, owner, private, byID.ID); err != nil {
		t.Errorf("revoking by ID: %v", err)
	}
	if err := s.RevokeInvitation(ctx, owner, private, code); err != nil {
		t.Errorf("revoking by code: %v", err)
	}
	for _, c := range []string{idCode, code} {
		if _, err := s.AcceptInvitation(ctx, stranger, c); generia.ErrorMessage(err) != "this invitation was revoked" {
			t.Errorf("accepting a revoked invitation: %v", err)
		}
	}
	if err := s.RevokeInvitation(ctx, owner, public, code); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("revoking through another world: %v, want not found", err)
	}
	if _, err := s.Store.DeleteWorld(ctx, private); err != nil {
		t.Fatal(err)
	}
	_, fresh, err := s.CreateInvitation(ctx, owner, public, NewInvitation{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvitation(ctx, stranger, idCode); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("an invitation of a deleted world: %v, want not found", err)
	}
	if _, err := s.AcceptInvitation(ctx, stranger, fresh); err != nil {
		t.Errorf("an invitation to the public world: %v", err)
	}
}

// A removed member loses the private world at once, its open stream
// included; the owner cannot be removed, nor a stranger.
func TestARemovedMemberLosesTheWorldAndItsStream(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	stream, err := s.Watch(ctx, member, address, private, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(ctx, owner, private, owner); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("removing the owner: %v, want invalid", err)
	}
	if err := s.RemoveMember(ctx, owner, private, stranger); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("removing a stranger: %v, want not found", err)
	}
	if err := s.RemoveMember(ctx, owner, private, member); err != nil {
		t.Fatal(err)
	}
	if _, err := s.visible(ctx, member, private); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("the removed member reads the world: %v, want not found", err)
	}
	newPost(t, s, private, "post-after")
	if got, open := watchUntil(t, stream, never); open || hasPost(got, "post-after") {
		t.Errorf("the removed member's stream: open %v, sent the new post %v", open, hasPost(got, "post-after"))
	}
	if err := s.RemoveMember(ctx, owner, private, member); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("removing again: %v, want not found", err)
	}
}

// A co-owner the owner chose changes the world's life and deletes others'
// posts and comments; before, and once removed, they cannot. Only the owner
// chooses co-owners.
func TestACoOwnerLooksAfterTheWorld(t *testing.T) {
	for _, w := range []string{public, private} {
		t.Run(w, func(t *testing.T) {
			s := newTown(t).service(t)
			ctx := t.Context()
			if _, err := s.LifeCeilings(ctx, member, w); !generia.IsKind(err, generia.KindForbidden) {
				t.Errorf("bea reads the life's ceilings before: %v, want forbidden", err)
			}
			if err := s.DeleteComment(ctx, member, w, postOf(w), commentOf(owner, w)); !generia.IsKind(err, generia.KindForbidden) {
				t.Errorf("bea deletes ada's comment before: %v, want forbidden", err)
			}
			for who, want := range map[string]generia.Kind{member: generia.KindForbidden, anon: generia.KindUnauthorized} {
				if err := s.SetCoOwner(ctx, who, w, member, true); !generia.IsKind(err, want) {
					t.Errorf("%s makes bea a co-owner: %v, want %s", nameOf(who), err, want)
				}
			}
			if err := s.SetCoOwner(ctx, owner, w, owner, true); !generia.IsKind(err, generia.KindInvalid) {
				t.Errorf("making the owner a co-owner: %v, want invalid", err)
			}
			if err := s.SetCoOwner(ctx, owner, w, stranger, true); !generia.IsKind(err, generia.KindNotFound) {
				t.Errorf("making a stranger a co-owner: %v, want not found", err)
			}
			if err := s.SetCoOwner(ctx, owner, w, member, true); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LifeCeilings(ctx, member, w); err != nil {
				t.Errorf("the co-owner reads the life's ceilings: %v", err)
			}
			if err := s.SetCoOwner(ctx, member, w, member, false); !generia.IsKind(err, generia.KindForbidden) {
				t.Errorf("a co-owner chooses co-owners: %v, want forbidden", err)
			}
			if err := s.DeleteComment(ctx, member, w, postOf(w), commentOf(owner, w)); err != nil {
				t.Errorf("the co-owner deletes ada's comment: %v", err)
			}
			if err := s.DeletePost(ctx, stranger, w, postOf(w)); err == nil {
				t.Error("a stranger deletes the world's post")
			}
			if err := s.DeletePost(ctx, member, w, postOf(w)); err != nil {
				t.Errorf("the co-owner deletes the world's post: %v", err)
			}
			if err := s.RemoveMember(ctx, owner, w, member); err != nil {
				t.Fatal(err)
			}
			if err := s.JoinWorld(ctx, member, w); w == public && err != nil {
				t.Fatal(err)
			}
			if _, err := s.LifeCeilings(ctx, member, w); err == nil {
				t.Error("a removed co-owner reads the life's ceilings")
			}
		})
	}
}
