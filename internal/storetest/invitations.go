package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// invitation is an invitation to world w of the user u-owner, made at t0.
func invitation(id, world string, hours, uses int) generia.Invitation {
	return generia.Invitation{ID: id, WorldID: world, CreatedBy: "u-owner", CreatedAt: t0,
		ExpiresAt: at(time.Duration(hours) * time.Hour), MaxUses: uses}
}

// An invitation lets people in until it is used up, expires or is revoked;
// whoever it refuses changes nothing.
func testInvitations(t *testing.T, s generia.Store) {
	ctx := t.Context()
	for _, name := range []string{"owner", "mara", "theo", "ines", "joel"} {
		newUser(t, s, name)
	}
	w, _ := newWorld(t, s, "w1", func(w *generia.World, _ *generia.GenerationStatus) {
		w.OwnerID, w.Visibility = "u-owner", generia.VisibilityPrivate
	})
	ok(t, s.CreateInvitation(ctx, invitation("i-two", w.ID, 24, 2), "hash-two"), "CreateInvitation")
	short := invitation("i-short", w.ID, 1, 5)
	short.CreatedAt = at(time.Second)
	ok(t, s.CreateInvitation(ctx, short, "hash-short"), "CreateInvitation")

	got, err := s.InvitationByHash(ctx, "hash-two")
	ok(t, err, "InvitationByHash")
	same(t, "the stored invitation", got, invitation("i-two", w.ID, 24, 2))

	// Two people come in, the third finds it used up.
	for _, u := range []string{"u-mara", "u-theo"} {
		inv, err := s.AcceptInvitation(ctx, "hash-two", u, at(time.Minute))
		ok(t, err, "AcceptInvitation by "+u)
		if m, err := s.IsMember(ctx, w.ID, u); err != nil || !m {
			t.Errorf("%s is a member after accepting: %v, %v", u, m, err)
		}
		if inv.WorldID != w.ID {
			t.Errorf("accepted invitation of world %q, want %q", inv.WorldID, w.ID)
		}
	}
	refused := func(hash, user string, now time.Time, kind generia.Kind, msg string) {
		t.Helper()
		_, err := s.AcceptInvitation(ctx, hash, user, now)
		wantKind(t, err, kind, "accepting "+hash+" as "+user)
		if msg != "" && generia.ErrorMessage(err) != msg {
			t.Errorf("accepting %s as %s: message %q, want %q", hash, user, generia.ErrorMessage(err), msg)
		}
		if user == "u-ines" {
			if m, err := s.IsMember(ctx, w.ID, user); err != nil || m {
				t.Errorf("ines is a member after a refused accept: %v, %v", m, err)
			}
		}
	}
	refused("hash-two", "u-ines", at(time.Minute), generia.KindConflict, "this invitation has been used up")
	refused("hash-short", "u-ines", at(time.Hour), generia.KindConflict, "this invitation has expired")
	refused("hash-short", "u-mara", at(time.Minute), generia.KindConflict, "you are already a member of this world")
	refused("hash-short", "u-owner", at(time.Minute), generia.KindConflict, "you own this world: send the link to the people you want to let in")
	refused("hash-nowhere", "u-ines", at(time.Minute), generia.KindNotFound, "")
	refused("hash-short", "u-nobody", at(time.Minute), generia.KindNotFound, "")
	refused("", "u-ines", at(time.Minute), generia.KindInvalid, "")

	// Revoked, it lets nobody in; revoking again is a no-op.
	for range 2 {
		ok(t, s.RevokeInvitation(ctx, w.ID, "i-short", at(2*time.Minute)), "RevokeInvitation")
	}
	refused("hash-short", "u-ines", at(3*time.Minute), generia.KindConflict, "this invitation was revoked")
	wantKind(t, s.RevokeInvitation(ctx, "w-other", "i-short", t0), generia.KindNotFound, "revoking through another world")
	wantKind(t, s.RevokeInvitation(ctx, w.ID, "i-nowhere", t0), generia.KindNotFound, "revoking an unknown invitation")

	list, err := s.Invitations(ctx, w.ID)
	ok(t, err, "Invitations")
	if len(list) != 2 || list[0].Uses != 0 || list[1].Uses != 2 || list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(at(2*time.Minute)) || list[1].RevokedAt != nil {
		t.Errorf("invitations = %+v, want i-short (revoked at +2m, no uses) then i-two (2 uses)", list)
	}
	if list[0].Usable(at(time.Minute)) == nil || list[1].Usable(at(time.Minute)) == nil {
		t.Error("a revoked or used up invitation is usable")
	}

	// The members, by joining time, page by page.
	ok(t, s.JoinWorld(ctx, w.ID, "u-joel", at(time.Hour)), "JoinWorld")
	members, _ := allPages(t, 2, func(p generia.Page) ([]generia.Member, string, error) { return s.Members(ctx, w.ID, p) })
	var names []string
	for _, m := range members {
		names = append(names, m.Username)
	}
	if want := []string{"mara", "theo", "joel"}; !slices.Equal(names, want) && !slices.Equal(names, []string{"theo", "mara", "joel"}) {
		t.Errorf("members = %v, want %v", names, want)
	}
	empty, _ := newWorld(t, s, "w-empty")
	if got, _, err := s.Members(ctx, empty.ID, generia.Page{}); err != nil || len(got) != 0 {
		t.Errorf("members of a world nobody joined = %v, %v", got, err)
	}
	_, _, err = s.Members(ctx, "w-nowhere", generia.Page{})
	wantKind(t, err, generia.KindNotFound, "Members of an unknown world")

	// Bad input.
	for what, inv := range map[string]generia.Invitation{
		"no uses":             invitation("i-bad", w.ID, 1, 0),
		"expired when made":   invitation("i-bad", w.ID, 0, 1),
		"of an unknown world": invitation("i-bad", "w-nowhere", 1, 1),
		"an ID that exists":   invitation("i-two", w.ID, 1, 1),
	} {
		if err := s.CreateInvitation(ctx, inv, "hash-bad"); err == nil {
			t.Errorf("CreateInvitation %s: no error", what)
		}
	}
	wantKind(t, s.CreateInvitation(ctx, invitation("i-new", w.ID, 1, 1), "hash-two"), generia.KindConflict, "a hash that exists")
	_, err = s.Invitations(ctx, "w-nowhere")
	wantKind(t, err, generia.KindNotFound, "Invitations of an unknown world")

	// A deleted world takes its invitations along.
	_, err = s.DeleteWorld(ctx, w.ID)
	ok(t, err, "DeleteWorld")
	_, err = s.InvitationByHash(ctx, "hash-two")
	wantKind(t, err, generia.KindNotFound, "an invitation of a deleted world")
	refused("hash-two", "u-joel", at(time.Minute), generia.KindNotFound, "")
}

// Of people racing for an invitation's last uses, exactly that many get in.
func testInvitationRace(t *testing.T, s generia.Store) {
	ctx := t.Context()
	newUser(t, s, "owner")
	w, _ := newWorld(t, s, "w1", func(w *generia.World, _ *generia.GenerationStatus) {
		w.OwnerID, w.Visibility = "u-owner", generia.VisibilityPrivate
	})
	const racers, uses = 12, 3
	for i := range racers {
		newUser(t, s, fmt.Sprint("racer", i))
	}
	ok(t, s.CreateInvitation(ctx, invitation("i1", w.ID, 24, uses), "hash"), "CreateInvitation")
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			_, errs[i] = s.AcceptInvitation(ctx, "hash", fmt.Sprint("u-racer", i), at(time.Minute))
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !generia.IsKind(err, generia.KindConflict):
			t.Errorf("racer %d: %v, want a conflict", i, err)
		}
	}
	members, _, err := s.Members(ctx, w.ID, generia.Page{})
	ok(t, err, "Members")
	inv, err := s.InvitationByHash(ctx, "hash")
	ok(t, err, "InvitationByHash")
	if won != uses || len(members) != uses || inv.Uses != uses {
		t.Errorf("%d accepted, %d members, %d uses counted; want %d each", won, len(members), inv.Uses, uses)
	}
}

// The owner makes a member a co-owner and no longer one; a person who is
// not a member cannot be one, and leaving ends it.
func testCoOwners(t *testing.T, s generia.Store) {
	ctx := t.Context()
	for _, name := range []string{"owner", "mara", "theo"} {
		newUser(t, s, name)
	}
	w, _ := newWorld(t, s, "w1", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID = "u-owner" })
	ok(t, s.JoinWorld(ctx, w.ID, "u-mara", t0), "JoinWorld")
	co := func(user string) bool {
		t.Helper()
		c, err := s.IsCoOwner(ctx, w.ID, user)
		ok(t, err, "IsCoOwner")
		return c
	}
	if co("u-mara") || co("u-owner") || co("") {
		t.Error("a co-owner before anyone was made one")
	}
	ok(t, s.SetCoOwner(ctx, w.ID, "u-mara", true), "SetCoOwner")
	if !co("u-mara") || co("u-theo") {
		t.Errorf("after making mara a co-owner: mara %v, theo %v", co("u-mara"), co("u-theo"))
	}
	members, _, err := s.Members(ctx, w.ID, generia.Page{})
	ok(t, err, "Members")
	if len(members) != 1 || !members[0].CoOwner {
		t.Errorf("members = %+v, want mara as a co-owner", members)
	}
	wantKind(t, s.SetCoOwner(ctx, w.ID, "u-theo", true), generia.KindNotFound, "making a stranger a co-owner")
	wantKind(t, s.SetCoOwner(ctx, w.ID, "u-owner", true), generia.KindNotFound, "making the owner a co-owner")
	wantKind(t, s.SetCoOwner(ctx, "w-nowhere", "u-mara", true), generia.KindNotFound, "a co-owner of an unknown world")
	_, err = s.IsCoOwner(ctx, "w-nowhere", "u-mara")
	wantKind(t, err, generia.KindNotFound, "IsCoOwner of an unknown world")
	ok(t, s.SetCoOwner(ctx, w.ID, "u-mara", false), "SetCoOwner false")
	if co("u-mara") {
		t.Error("mara is still a co-owner")
	}
	ok(t, s.SetCoOwner(ctx, w.ID, "u-mara", true), "SetCoOwner")
	ok(t, s.LeaveWorld(ctx, w.ID, "u-mara"), "LeaveWorld")
	ok(t, s.JoinWorld(ctx, w.ID, "u-mara", t0), "JoinWorld again")
	if co("u-mara") {
		t.Error("mara is a co-owner again after leaving and joining")
	}
}
