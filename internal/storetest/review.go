package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// reviewWorld makes a world w1 with a generated character, a post of it and
// a person's comment on the post.
func reviewWorld(t *testing.T, s generia.Store) (generia.World, generia.Character, generia.Post, generia.Comment) {
	t.Helper()
	w, _ := newWorld(t, s, "w1")
	newUser(t, s, "ann")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	p := createPost(t, s, newPost("p1", c, at(time.Minute)))
	m, err := s.AddComment(t.Context(), generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-ann", Text: "Lovely nets", CreatedAt: at(2 * time.Minute)})
	ok(t, err, "AddComment")
	return w, c, p, m
}

// reviews reads the review state of the world's items through every read
// that returns them, and fails the test unless they all agree with want.
func wantReviews(t *testing.T, s generia.Store, want map[generia.Subject]generia.Review) {
	t.Helper()
	ctx := t.Context()
	for sub, r := range want {
		var got []generia.Review
		switch sub.Type {
		case generia.SubjectWorld:
			w, err := s.World(ctx, sub.ID)
			ok(t, err, "World")
			got = append(got, w.Review)
			list, _, err := s.ListWorlds(ctx, generia.WorldFilter{}, generia.Page{})
			ok(t, err, "ListWorlds")
			for _, w := range list {
				if w.ID == sub.ID {
					got = append(got, w.Review)
				}
			}
		case generia.SubjectCharacter:
			c, err := s.Character(ctx, sub.ID)
			ok(t, err, "Character")
			got = append(got, c.Review)
			list, _, err := s.ListCharacters(ctx, c.WorldID, generia.Page{})
			ok(t, err, "ListCharacters")
			for _, c := range list {
				if c.ID == sub.ID {
					got = append(got, c.Review)
				}
			}
		case generia.SubjectPost:
			p, err := s.Post(ctx, sub.ID, "")
			ok(t, err, "Post")
			got = append(got, p.Review)
			list, _, err := s.ListPosts(ctx, generia.PostFilter{WorldID: p.WorldID}, generia.Page{})
			ok(t, err, "ListPosts")
			for _, p := range list {
				if p.ID == sub.ID {
					got = append(got, p.Review)
				}
			}
			since, err := s.PostsSince(ctx, p.WorldID, t0, 10)
			ok(t, err, "PostsSince")
			for _, p := range since {
				if p.ID == sub.ID {
					got = append(got, p.Review)
				}
			}
		case generia.SubjectComment:
			m, err := s.Comment(ctx, sub.ID)
			ok(t, err, "Comment")
			got = append(got, m.Review)
			list, _, err := s.ListComments(ctx, m.PostID, generia.Page{})
			ok(t, err, "ListComments")
			for _, m := range list {
				if m.ID == sub.ID {
					got = append(got, m.Review)
				}
			}
		}
		if len(got) < 2 {
			t.Fatalf("%s: found in %d reads, want it in every read and list", sub, len(got))
		}
		for i, g := range got {
			same(t, fmt.Sprintf("review of %s in read %d", sub, i), g, r)
		}
	}
}

func testSetReview(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, c, p, m := reviewWorld(t, s)
	subjects := []generia.Subject{
		{Type: generia.SubjectWorld, ID: w.ID}, {Type: generia.SubjectCharacter, ID: c.ID},
		{Type: generia.SubjectPost, ID: p.ID}, {Type: generia.SubjectComment, ID: m.ID},
	}
	want := map[generia.Subject]generia.Review{}
	for _, sub := range subjects {
		want[sub] = generia.Review{}
	}
	wantReviews(t, s, want) // new content is visible

	held := generia.Review{State: generia.ReviewHeld, Reason: "flagged: harassment"}
	labelled := generia.Review{Labels: []generia.Category{generia.CategoryViolence, generia.CategoryViolenceGraphic}}
	hidden := generia.Review{State: generia.ReviewHidden, Labels: []generia.Category{generia.CategorySexual}, Reason: "hidden by a moderator"}
	for i, sub := range subjects {
		r := []generia.Review{held, labelled, hidden, held}[i]
		ok(t, s.SetReview(ctx, sub, r), "SetReview "+sub.String())
		want[sub] = r
	}
	wantReviews(t, s, want)

	// Approving clears the state and its reason.
	ok(t, s.SetReview(ctx, subjects[2], generia.Review{}), "SetReview clears")
	want[subjects[2]] = generia.Review{}
	wantReviews(t, s, want)

	bad := []struct {
		name string
		sub  generia.Subject
		r    generia.Review
		kind generia.Kind
	}{
		{"a user has no review", generia.Subject{Type: generia.SubjectUser, ID: "u-ann"}, held, generia.KindInvalid},
		{"unknown subject type", generia.Subject{Type: "album", ID: "p1"}, held, generia.KindInvalid},
		{"no subject ID", generia.Subject{Type: generia.SubjectPost}, held, generia.KindInvalid},
		{"unknown state", generia.Subject{Type: generia.SubjectPost, ID: "p1"}, generia.Review{State: "deleted"}, generia.KindInvalid},
		{"unknown label", generia.Subject{Type: generia.SubjectPost, ID: "p1"}, generia.Review{Labels: []generia.Category{"gore"}}, generia.KindInvalid},
		{"unknown post", generia.Subject{Type: generia.SubjectPost, ID: "p-none"}, held, generia.KindNotFound},
		{"unknown comment", generia.Subject{Type: generia.SubjectComment, ID: "m-none"}, held, generia.KindNotFound},
		{"unknown character", generia.Subject{Type: generia.SubjectCharacter, ID: "c-none"}, held, generia.KindNotFound},
		{"unknown world", generia.Subject{Type: generia.SubjectWorld, ID: "w-none"}, held, generia.KindNotFound},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, s.SetReview(ctx, tc.sub, tc.r), tc.kind, "SetReview")
			wantKind(t, s.HoldGenerated(ctx, tc.sub, tc.r), tc.kind, "HoldGenerated")
		})
	}
	wantReviews(t, s, want) // the refused changes changed nothing
}

func testHoldGenerated(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, c, p, _ := reviewWorld(t, s)
	p2 := createPost(t, s, newPost("p2", c, at(3*time.Minute)))
	if n := status(t, s, w.ID).ItemsHeld; n != 0 {
		t.Fatalf("items held of a new world = %d, want 0", n)
	}
	post := generia.Subject{Type: generia.SubjectPost, ID: p.ID}
	r := generia.Review{State: generia.ReviewHeld, Reason: "the check could not judge it"}
	ok(t, s.HoldGenerated(ctx, post, r), "HoldGenerated")
	ok(t, s.HoldGenerated(ctx, post, r), "HoldGenerated again")
	if n := status(t, s, w.ID).ItemsHeld; n != 1 {
		t.Errorf("items held after holding one post twice = %d, want 1", n)
	}
	ok(t, s.HoldGenerated(ctx, generia.Subject{Type: generia.SubjectPost, ID: p2.ID}, generia.Review{}), "HoldGenerated with no state")
	ok(t, s.HoldGenerated(ctx, generia.Subject{Type: generia.SubjectCharacter, ID: c.ID}, r), "HoldGenerated a character")
	if n := status(t, s, w.ID).ItemsHeld; n != 3 {
		t.Errorf("items held after three items = %d, want 3", n)
	}
	wantReviews(t, s, map[generia.Subject]generia.Review{
		post:                                   r,
		{Type: generia.SubjectPost, ID: p2.ID}: {State: generia.ReviewHeld},
		{Type: generia.SubjectCharacter, ID: c.ID}: r,
	})
	// Released by a moderator and held again: still one item.
	ok(t, s.SetReview(ctx, post, generia.Review{}), "SetReview releases")
	ok(t, s.HoldGenerated(ctx, post, r), "HoldGenerated after a release")
	if n := status(t, s, w.ID).ItemsHeld; n != 3 {
		t.Errorf("items held after holding a released item again = %d, want 3", n)
	}
	// Another world's count is its own.
	w2, _ := newWorld(t, s, "w2")
	if n := status(t, s, w2.ID).ItemsHeld; n != 0 {
		t.Errorf("items held of another world = %d, want 0", n)
	}
}

func testFrozenSilenced(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, c, _, _ := reviewWorld(t, s)
	ok(t, s.SetWorldFrozen(ctx, w.ID, true), "SetWorldFrozen")
	ok(t, s.SetCharacterSilenced(ctx, c.ID, true), "SetCharacterSilenced")
	gw, err := s.World(ctx, w.ID)
	ok(t, err, "World")
	gc, err := s.Character(ctx, c.ID)
	ok(t, err, "Character")
	if !gw.Frozen || !gc.Silenced {
		t.Errorf("frozen = %v, silenced = %v; want both true", gw.Frozen, gc.Silenced)
	}
	list, _, err := s.ListCharacters(ctx, w.ID, generia.Page{})
	ok(t, err, "ListCharacters")
	if len(list) != 1 || !list[0].Silenced {
		t.Errorf("listed characters %+v, want the one silenced", list)
	}
	worlds, _, err := s.ListWorlds(ctx, generia.WorldFilter{}, generia.Page{})
	ok(t, err, "ListWorlds")
	if len(worlds) != 1 || !worlds[0].Frozen {
		t.Errorf("listed worlds %+v, want the one frozen", worlds)
	}
	ok(t, s.SetWorldFrozen(ctx, w.ID, false), "thawing")
	ok(t, s.SetCharacterSilenced(ctx, c.ID, false), "letting speak")
	gw, _ = s.World(ctx, w.ID)
	gc, _ = s.Character(ctx, c.ID)
	if gw.Frozen || gc.Silenced {
		t.Errorf("after thawing: frozen = %v, silenced = %v; want both false", gw.Frozen, gc.Silenced)
	}
	wantKind(t, s.SetWorldFrozen(ctx, "w-none", true), generia.KindNotFound, "freezing an unknown world")
	wantKind(t, s.SetCharacterSilenced(ctx, "c-none", true), generia.KindNotFound, "silencing an unknown character")
}

func testRolesStanding(t *testing.T, s generia.Store) {
	ctx := t.Context()
	ann := newUser(t, s, "ann")
	if ann.Role != generia.RoleNone || ann.Standing != generia.StandingGood {
		t.Errorf("a new account has role %q and standing %q, want none and good", ann.Role, ann.Standing)
	}
	ok(t, s.SetRole(ctx, ann.ID, generia.RoleModerator), "SetRole")
	ok(t, s.SetStanding(ctx, ann.ID, generia.StandingSuspended), "SetStanding")
	got, err := s.UserByID(ctx, ann.ID)
	ok(t, err, "UserByID")
	if got.Role != generia.RoleModerator || got.Standing != generia.StandingSuspended {
		t.Errorf("UserByID: role %q, standing %q; want moderator, suspended", got.Role, got.Standing)
	}
	got, _, err = s.UserByLogin(ctx, "ANN")
	ok(t, err, "UserByLogin")
	if got.Role != generia.RoleModerator || got.Standing != generia.StandingSuspended {
		t.Errorf("UserByLogin: role %q, standing %q; want moderator, suspended", got.Role, got.Standing)
	}
	ok(t, s.SetRole(ctx, ann.ID, generia.RoleAdmin), "SetRole admin")
	ok(t, s.SetStanding(ctx, ann.ID, generia.StandingGood), "SetStanding good")
	got, _ = s.UserByID(ctx, ann.ID)
	if got.Role != generia.RoleAdmin || got.Standing != generia.StandingGood {
		t.Errorf("after a change: role %q, standing %q; want admin, good", got.Role, got.Standing)
	}
	wantKind(t, s.SetRole(ctx, ann.ID, "owner"), generia.KindInvalid, "an unknown role")
	wantKind(t, s.SetStanding(ctx, ann.ID, "banned"), generia.KindInvalid, "an unknown standing")
	wantKind(t, s.SetRole(ctx, "u-none", generia.RoleModerator), generia.KindNotFound, "role of an unknown account")
	wantKind(t, s.SetStanding(ctx, "u-none", generia.StandingLimited), generia.KindNotFound, "standing of an unknown account")
	got, _ = s.UserByID(ctx, ann.ID)
	if got.Role != generia.RoleAdmin || got.Standing != generia.StandingGood {
		t.Errorf("refused changes changed the account: role %q, standing %q", got.Role, got.Standing)
	}
}

func testFindUsers(t *testing.T, s generia.Store) {
	ctx := t.Context()
	for i, u := range []generia.User{
		{ID: "u-1", Username: "Annika", Email: "annika@example.com"},
		{ID: "u-2", Username: "anna_b", Email: "b@example.org"},
		{ID: "u-3", Username: "bob", Email: "Anselm@Example.com"},
		{ID: "u-4", Username: "carl", Email: "carl@example.com"},
		{ID: "u-5", Username: "ann%", Email: ""},
		{ID: "u-6", Username: "Ångström", Email: "angstrom@example.com"},
	} {
		u.CreatedAt = at(time.Duration(i) * time.Minute)
		_, err := s.CreateUser(ctx, u, "hash")
		ok(t, err, "CreateUser")
	}
	find := func(q string) []string {
		t.Helper()
		got, _ := allPages(t, 2, func(p generia.Page) ([]generia.User, string, error) { return s.FindUsers(ctx, q, p) })
		return ids(got, func(u generia.User) string { return u.ID })
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"ann", []string{"u-5", "u-2", "u-1"}},
		{"ANN", []string{"u-5", "u-2", "u-1"}},
		{"an", []string{"u-6", "u-5", "u-3", "u-2", "u-1"}}, // bob by his email, Ångström by his
		{"ann%", []string{"u-5"}},                           // % is a character
		{"ann_", []string{}},                                // _ too
		{"annika@", []string{"u-1"}},
		{"åNG", []string{"u-6"}},
		{"nika", []string{}}, // a prefix, not a substring
		{"", []string{"u-6", "u-5", "u-4", "u-3", "u-2", "u-1"}},
	} {
		got := find(tc.q)
		same(t, "FindUsers "+tc.q, got, tc.want)
	}
	list, _, err := s.FindUsers(ctx, "carl", generia.Page{})
	ok(t, err, "FindUsers")
	if len(list) != 1 || list[0].Username != "carl" || list[0].Email != "carl@example.com" {
		t.Errorf("FindUsers carl = %+v, want carl with his email", list)
	}
	_, _, err = s.FindUsers(ctx, "ann", generia.Page{Cursor: "not-a-cursor"})
	wantKind(t, err, generia.KindInvalid, "FindUsers with a malformed cursor")
}

// A post counts the comments its visitors see: a comment held or hidden is
// not counted, one released is, and deleting one not shown changes
// nothing.
func testCommentsCountShown(t *testing.T, s generia.Store) {
	ctx := t.Context()
	_, _, p, m := reviewWorld(t, s)
	held := generia.Review{State: generia.ReviewHeld, Reason: "waiting for a moderation check"}
	h, err := s.AddComment(ctx, generia.Comment{ID: "m2", PostID: p.ID, UserID: "u-ann", Text: "Held at once", Review: held, CreatedAt: at(3 * time.Minute)})
	ok(t, err, "AddComment held")
	steps := []struct {
		what string
		do   func() error
		want int
	}{
		{"a shown comment and a held one", func() error { return nil }, 1},
		{"the held one released", func() error {
			return s.SetReview(ctx, generia.Subject{Type: generia.SubjectComment, ID: h.ID}, generia.Review{})
		}, 2},
		{"released again", func() error {
			return s.SetReview(ctx, generia.Subject{Type: generia.SubjectComment, ID: h.ID}, generia.Review{})
		}, 2},
		{"the first hidden", func() error {
			return s.SetReview(ctx, generia.Subject{Type: generia.SubjectComment, ID: m.ID}, generia.Review{State: generia.ReviewHidden})
		}, 1},
		{"then held (still not shown)", func() error { return s.SetReview(ctx, generia.Subject{Type: generia.SubjectComment, ID: m.ID}, held) }, 1},
		{"labelled (shown)", func() error {
			return s.SetReview(ctx, generia.Subject{Type: generia.SubjectComment, ID: h.ID}, generia.Review{Labels: []generia.Category{generia.CategoryViolence}})
		}, 1},
		{"the held one deleted", func() error { return s.DeleteComment(ctx, m.ID) }, 1},
		{"the shown one deleted", func() error { return s.DeleteComment(ctx, h.ID) }, 0},
	}
	for _, st := range steps {
		ok(t, st.do(), st.what)
		if n := commentCount(t, s, p.ID); n != st.want {
			t.Errorf("after %s: CommentsCount = %d, want %d", st.what, n, st.want)
		}
	}
}
