package social

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/generia/generia/internal/fsmedia"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/sqlite"
)

// The people of the authorization table. A world's owner is its member
// too; the operator is the local operator token's account, which has no
// power in anyone's world.
const (
	anon     = ""    // a visitor, not signed in
	owner    = "ada" // created both worlds
	member   = "bea" // joined both worlds
	stranger = "cy"  // signed in, joined neither
	operator = "op"  // the account named "operator"
)

// The worlds, both ada's: one public, one private.
const (
	public  = "pub"
	private = "priv"
)

// other is the world that is not w.
func other(w string) string {
	if w == public {
		return private
	}
	return public
}

// In each world: an AI character and one of ada and of bea, each one's
// upload, a post by the AI character, and a comment of ada and of bea on it.
func aiCharacter(w string) string      { return "ai-" + w }
func characterOf(who, w string) string { return who + "-" + w }
func uploadOf(who, w string) string    { return "upload-" + who + "-" + w }
func postOf(w string) string           { return "post-" + w }
func commentOf(who, w string) string   { return "comment-" + who + "-" + w }

// ownCharacter and ownUpload are who's in w; those who have none try bea's.
func ownCharacter(who, w string) string { return characterOf(insider(who), w) }
func ownUpload(who, w string) string    { return uploadOf(insider(who), w) }

// othersCharacter and othersUpload are another person's in w: ada's for
// bea, bea's for everyone else.
func othersCharacter(who, w string) string { return characterOf(otherInsider(who), w) }
func othersUpload(who, w string) string    { return uploadOf(otherInsider(who), w) }

func insider(who string) string {
	if who == owner {
		return owner
	}
	return member
}

func otherInsider(who string) string {
	if who == member {
		return owner
	}
	return member
}

// pipelineStub starts and cancels nothing.
type pipelineStub struct{}

func (pipelineStub) Create(_ context.Context, ownerID string, req generia.NewWorld, _ generia.Providers) (generia.World, error) {
	return generia.World{ID: "new", OwnerID: ownerID, Prompt: req.Prompt}, nil
}

func (pipelineStub) Cancel(context.Context, string) error { return nil }

// town is a store holding the people and worlds above, built once per test
// and copied for each case, which may change it: building one runs every
// migration, which is slow under the race detector.
type town struct{ dir string }

func newTown(t *testing.T) town {
	t.Helper()
	ctx := context.Background()
	tw := town{dir: t.TempDir()}
	db, err := sqlite.Open(ctx, filepath.Join(tw.dir, "generia.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for id, name := range map[string]string{owner: "ada", member: "bea", stranger: "cy", operator: "operator"} {
		_, err := db.CreateUser(ctx, generia.User{ID: id, Username: name, Email: name + "@example.com", CreatedAt: now}, "hash")
		must(err)
	}
	visibility := map[string]string{public: generia.VisibilityPublic, private: generia.VisibilityPrivate}
	for _, v := range []string{public, private} {
		w := generia.World{ID: v, OwnerID: owner, Prompt: "A harbour", CharactersCount: 1, PostsCount: 1, Visibility: visibility[v], CreatedAt: now, UpdatedAt: now}
		must(db.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))))
		must(db.JoinWorld(ctx, v, member, now))
		_, _, err := db.CreateCharacter(ctx, generia.Character{ID: aiCharacter(v), WorldID: v, Username: "ai_" + v, DisplayName: "AI", CreatedAt: now})
		must(err)
		for i, who := range []string{owner, member} {
			_, _, err := db.CreateCharacter(ctx, generia.Character{ID: characterOf(who, v), WorldID: v, OwnerID: who, Username: who + "_" + v, DisplayName: who, Position: 1000 + i, CreatedAt: now})
			must(err)
			_, _, err = db.CreateMedia(ctx, generia.Media{ID: uploadOf(who, v), WorldID: v, OwnerID: who, Kind: generia.MediaUpload, ContentType: "image/png",
				Size: 1000, Width: 80, Height: 70, ObjectKey: fmt.Sprintf("worlds/%s/uploads/%s.png", v, uploadOf(who, v)), CreatedAt: now})
			must(err)
		}
		_, _, err = db.CreatePost(ctx, generia.Post{ID: postOf(v), WorldID: v, CharacterID: aiCharacter(v), Caption: "Morning", CreatedAt: now})
		must(err)
		for _, who := range []string{owner, member} {
			_, err := db.AddComment(ctx, generia.Comment{ID: commentOf(who, v), PostID: postOf(v), UserID: who, Text: "Hello", CreatedAt: now})
			must(err)
		}
	}
	return tw
}

// service is a service over a copy of the town's store, with media on disk
// (the uploads' files are not there: no rule reads them).
func (tw town) service(t *testing.T) *Service {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"generia.db", "generia.db-wal"} {
		b, err := os.ReadFile(filepath.Join(tw.dir, name))
		if errors.Is(err, fs.ErrNotExist) && name != "generia.db" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "generia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	files, err := fsmedia.New(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	return &Service{Store: db, Files: files, Pipeline: pipelineStub{}, Now: func() time.Time { return now }}
}

// allowed is the outcome of an action that succeeds; other outcomes are
// the kind of the error.
const allowed generia.Kind = "allowed"

const (
	unauthorized = generia.KindUnauthorized
	forbidden    = generia.KindForbidden
	notFound     = generia.KindNotFound
	invalid      = generia.KindInvalid
)

// by gives an outcome for each person.
type by struct{ anon, owner, member, stranger, operator generia.Kind }

func (b by) of(who string) generia.Kind {
	return map[string]generia.Kind{anon: b.anon, owner: b.owner, member: b.member, stranger: b.stranger, operator: b.operator}[who]
}

// Outcomes that recur.
var (
	anyone           = by{allowed, allowed, allowed, allowed, allowed}
	insiders         = by{notFound, allowed, allowed, notFound, notFound} // in a private world
	anySignedIn      = by{unauthorized, allowed, allowed, allowed, allowed}
	signedInInsiders = by{unauthorized, allowed, allowed, notFound, notFound}
	membersOnly      = by{unauthorized, allowed, allowed, forbidden, forbidden}
	ownerOnly        = by{unauthorized, allowed, forbidden, forbidden, forbidden}
	ownerOnlyInside  = by{unauthorized, allowed, forbidden, notFound, notFound}
	nobody           = by{unauthorized, forbidden, forbidden, forbidden, forbidden}
	nobodyInside     = by{unauthorized, forbidden, forbidden, notFound, notFound}
	notThere         = by{notFound, notFound, notFound, notFound, notFound}
	notThereSignedIn = by{unauthorized, notFound, notFound, notFound, notFound}
	operatorOnly     = by{unauthorized, forbidden, forbidden, forbidden, allowed}
)

// action is something a person tries in world w.
type action func(ctx context.Context, s *Service, who, w string) error

// makeCharacter is making a character with the avatar upload(who, w).
func makeCharacter(upload func(who, w string) string) action {
	return func(ctx context.Context, s *Service, who, w string) error {
		_, err := s.CreateCharacter(ctx, who, w, NewCharacter{DisplayName: "New One", Username: "new_" + nameOf(who), AvatarMediaID: upload(who, w)})
		return err
	}
}

// worldAction is an action that is a method of the service taking only who
// and w.
func worldAction(do func(s *Service, ctx context.Context, who, w string) error) action {
	return func(ctx context.Context, s *Service, who, w string) error { return do(s, ctx, who, w) }
}

// here is world w itself, as other is the other world.
func here(w string) string { return w }

// like is liking, or unliking, through w the post of world in(w).
func like(in func(w string) string, liked bool) action {
	return func(ctx context.Context, s *Service, who, w string) error {
		_, err := s.Like(ctx, who, w, postOf(in(w)), liked)
		return err
	}
}

// deleteComment is deleting, through the post of w, author's comment in
// world in(w).
func deleteComment(author string, in func(w string) string) action {
	return func(ctx context.Context, s *Service, who, w string) error {
		return s.DeleteComment(ctx, who, w, postOf(w), commentOf(author, in(w)))
	}
}

// editCharacter is renaming character(who, w).
func editCharacter(character func(who, w string) string) action {
	return func(ctx context.Context, s *Service, who, w string) error {
		name := "Renamed"
		_, err := s.EditCharacter(ctx, who, character(who, w), CharacterEdit{DisplayName: &name})
		return err
	}
}

// deleteCharacter is deleting character(who, w).
func deleteCharacter(character func(who, w string) string) action {
	return func(ctx context.Context, s *Service, who, w string) error {
		_, err := s.DeleteCharacter(ctx, who, character(who, w))
		return err
	}
}

// postAs is posting as character(who, w) with the image upload(who, w).
func postAs(character, upload func(who, w string) string) action {
	return func(ctx context.Context, s *Service, who, w string) error {
		_, err := s.CreatePost(ctx, who, w, NewPost{CharacterID: character(who, w), MediaID: upload(who, w), Caption: "Hi"})
		return err
	}
}

// Every rule of who may do what, in a public and in a private world. A
// private world is, to those outside it, not there at all.
func TestAuthorization(t *testing.T) {
	page := generia.Page{}
	img := encoded(t, "png")
	rules := []struct {
		name                string
		do                  action
		inPublic, inPrivate by
	}{
		// Reading.
		{"see the world", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.World(ctx, who, w)
			return err
		}, anyone, insiders},
		{"find the world in the catalog", func(ctx context.Context, s *Service, who, w string) error {
			ws, _, err := s.Worlds(ctx, who, WorldQuery{Scope: generia.ScopeAll}, page)
			if err != nil {
				return err
			}
			for _, x := range ws {
				if x.ID == w {
					return nil
				}
			}
			return generia.Errorf(notFound, "not listed")
		}, anyone, insiders},
		{"read the generation status", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.Status(ctx, who, w)
			return err
		}, anyone, insiders},
		{"list the characters", func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.Characters(ctx, who, w, page)
			return err
		}, anyone, insiders},
		{"list a person's characters", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.UserCharacters(ctx, who, w, member)
			return err
		}, anyone, insiders},
		{"see a character", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.Character(ctx, who, aiCharacter(w))
			return err
		}, anyone, insiders},
		{"list a character's posts", func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.CharacterPosts(ctx, who, characterOf(member, w), page)
			return err
		}, anyone, insiders},
		{"read the feed", func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.Feed(ctx, who, w, page)
			return err
		}, anyone, insiders},
		{"read the feed encoded", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.EncodedFeed(ctx, who, w, page, func([]generia.Post, string) ([]byte, error) { return []byte("[]"), nil })
			return err
		}, anyone, insiders},
		{"read a post", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.Post(ctx, who, w, postOf(w))
			return err
		}, anyone, insiders},
		{"read the other world's post through this one", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.Post(ctx, who, w, postOf(other(w)))
			return err
		}, notThere, notThere},
		{"list a post's likes", func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.Likes(ctx, who, w, postOf(w), page)
			return err
		}, anyone, insiders},
		{"list a post's comments", func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.Comments(ctx, who, w, postOf(w), page)
			return err
		}, anyone, insiders},
		{"see an upload", func(ctx context.Context, s *Service, who, w string) error {
			_, _, err := s.Media(ctx, who, uploadOf(member, w))
			return err
		}, anyone, insiders},
		{"watch the world's live stream", func(ctx context.Context, s *Service, who, w string) error {
			st, err := s.Watch(ctx, who, "192.0.2.1", w, time.Time{})
			if err == nil {
				st.Close()
			}
			return err
		}, anyone, insiders},
		{"watch the generation status", func(ctx context.Context, s *Service, who, w string) error {
			st, err := s.WatchStatus(ctx, who, "192.0.2.1", w)
			if err == nil {
				st.Close()
			}
			return err
		}, anyone, insiders},

		// Belonging.
		{"join the world", worldAction((*Service).JoinWorld), anySignedIn, signedInInsiders},
		{"leave the world", worldAction((*Service).LeaveWorld),
			by{unauthorized, invalid, allowed, allowed, allowed}, by{unauthorized, invalid, allowed, notFound, notFound}},

		// Owning.
		{"cancel the generation", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.CancelWorld(ctx, who, w)
			return err
		}, ownerOnly, ownerOnlyInside},
		{"delete the world", worldAction((*Service).DeleteWorld), ownerOnly, ownerOnlyInside},
		{"edit the world", func(ctx context.Context, s *Service, who, w string) error {
			name := "Renamed"
			_, err := s.EditWorld(ctx, who, w, WorldEdit{Name: &name})
			return err
		}, ownerOnly, ownerOnlyInside},

		// Making things: members only.
		{"upload an image", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.Upload(ctx, who, w, bytes.NewReader(img))
			return err
		}, membersOnly, signedInInsiders},
		{"make a character", makeCharacter(ownUpload), membersOnly, signedInInsiders},
		{"make a character with another's upload", makeCharacter(othersUpload), nobody, nobodyInside},
		{"post as one's own character", postAs(ownCharacter, ownUpload), membersOnly, signedInInsiders},
		{"post as another person's character", postAs(othersCharacter, ownUpload), nobody, nobodyInside},
		{"post as an AI character", postAs(func(_, w string) string { return aiCharacter(w) }, ownUpload), nobody, nobodyInside},
		{"post with another's upload", postAs(ownCharacter, othersUpload), nobody, nobodyInside},
		{"post as one's character of the other world", postAs(func(who, w string) string { return ownCharacter(who, other(w)) }, ownUpload),
			by{unauthorized, invalid, invalid, forbidden, forbidden}, by{unauthorized, invalid, invalid, notFound, notFound}},

		// Editing: one's own characters and their posts, nobody else's.
		{"edit one's own character", editCharacter(ownCharacter), membersOnly, signedInInsiders},
		{"edit another person's character", editCharacter(othersCharacter), nobody, nobodyInside},
		{"edit an AI character", editCharacter(func(_, w string) string { return aiCharacter(w) }), nobody, nobodyInside},
		{"delete one's own character", deleteCharacter(ownCharacter), membersOnly, signedInInsiders},
		{"delete another person's character", deleteCharacter(othersCharacter), nobody, nobodyInside},
		{"delete an AI character", deleteCharacter(func(_, w string) string { return aiCharacter(w) }), nobody, nobodyInside},
		{"edit one's own post", func(ctx context.Context, s *Service, who, w string) error {
			p, err := s.CreatePost(ctx, insider(who), w, NewPost{CharacterID: ownCharacter(who, w), MediaID: ownUpload(who, w), Caption: "Hi"})
			if err != nil {
				return err
			}
			caption := "Hello"
			_, err = s.EditPost(ctx, who, w, p.ID, PostEdit{Caption: &caption})
			return err
		}, membersOnly, signedInInsiders},
		{"edit an AI character's post", func(ctx context.Context, s *Service, who, w string) error {
			caption := "Hello"
			_, err := s.EditPost(ctx, who, w, postOf(w), PostEdit{Caption: &caption})
			return err
		}, nobody, nobodyInside},

		// Liking and commenting: anyone signed in who sees the post.
		{"like a post", like(here, true), anySignedIn, signedInInsiders},
		{"unlike a post", like(here, false), anySignedIn, signedInInsiders},
		{"like the other world's post through this one", like(other, true), notThereSignedIn, notThereSignedIn},
		{"comment on a post", func(ctx context.Context, s *Service, who, w string) error {
			_, err := s.AddComment(ctx, who, w, postOf(w), NewComment{Text: "Nice"})
			return err
		}, anySignedIn, signedInInsiders},
		{"delete bea's comment (the author's)", deleteComment(member, here), membersOnly, signedInInsiders},
		{"delete ada's comment (the world owner's)", deleteComment(owner, here), ownerOnly, ownerOnlyInside},
		{"delete a comment of the other world through this one", deleteComment(member, other), notThereSignedIn, notThereSignedIn},
	}
	ctx := context.Background()
	tw := newTown(t)
	for _, r := range rules {
		for _, w := range []string{public, private} {
			want := r.inPublic
			if w == private {
				want = r.inPrivate
			}
			for _, who := range []string{anon, owner, member, stranger, operator} {
				name := fmt.Sprintf("%s/%s/%s", r.name, w, nameOf(who))
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					if got := outcome(r.do(ctx, tw.service(t), who, w)); got != want.of(who) {
						t.Errorf("%s: %s, want %s", name, got, want.of(who))
					}
				})
			}
		}
	}
}

// Actions in no world: making a world and listing one's own.
func TestAuthorizationOutsideWorlds(t *testing.T) {
	rules := []struct {
		name string
		do   func(ctx context.Context, s *Service, who string) error
		want by
	}{
		{"create a world", func(ctx context.Context, s *Service, who string) error {
			_, err := s.CreateWorld(ctx, who, generia.NewWorld{Prompt: "A harbour"})
			return err
		}, anySignedIn},
		{"list the public worlds", func(ctx context.Context, s *Service, who string) error {
			_, _, err := s.Worlds(ctx, who, WorldQuery{Scope: generia.ScopePublic}, generia.Page{})
			return err
		}, anyone},
		{"list one's own worlds", func(ctx context.Context, s *Service, who string) error {
			_, _, err := s.Worlds(ctx, who, WorldQuery{Scope: generia.ScopeMine}, generia.Page{})
			return err
		}, anySignedIn},
		{"list the worlds one joined", func(ctx context.Context, s *Service, who string) error {
			_, _, err := s.Worlds(ctx, who, WorldQuery{Scope: generia.ScopeJoined}, generia.Page{})
			return err
		}, anySignedIn},
		{"read an account's ceilings", func(ctx context.Context, s *Service, who string) error {
			_, err := s.AccountCeilings(ctx, who, "ada")
			return err
		}, operatorOnly},
		{"raise an account's ceilings", func(ctx context.Context, s *Service, who string) error {
			budget := 100.0
			_, err := s.SetAccountCeilings(ctx, who, "ada", generia.CeilingsChange{DailyBudgetUSD: &budget})
			return err
		}, operatorOnly},
	}
	ctx := context.Background()
	tw := newTown(t)
	for _, r := range rules {
		for _, who := range []string{anon, owner, member, stranger, operator} {
			name := r.name + "/" + nameOf(who)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if got := outcome(r.do(ctx, tw.service(t), who)); got != r.want.of(who) {
					t.Errorf("%s: %s, want %s", name, got, r.want.of(who))
				}
			})
		}
	}
}

// Why a generation failed is the owner's to read in detail; anyone else
// who sees the world reads its public form. (Streams: how they follow a
// viewer's access as it changes is in streams_test.go.)
func TestFailureDetailIsTheOwners(t *testing.T) {
	ctx := context.Background()
	s := newTown(t).service(t)
	now := s.now()
	if _, err := s.Store.FinishGeneration(ctx, public, generia.StatusFailed, "openrouter: 401 invalid key sk-or-123", "the LLM provider refused the key", now); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{anon, owner, member, stranger, operator} {
		st, err := s.Status(ctx, who, public)
		if err != nil {
			t.Fatalf("%s: %v", nameOf(who), err)
		}
		want := "the LLM provider refused the key"
		if who == owner {
			want = "openrouter: 401 invalid key sk-or-123"
		}
		if st.Error != want {
			t.Errorf("%s reads the failure as %q, want %q", nameOf(who), st.Error, want)
		}
	}
}

func nameOf(who string) string {
	return map[string]string{anon: "anonymous", owner: "owner", member: "member", stranger: "stranger", operator: "operator"}[who]
}

// outcome is allowed for no error, else the error's kind.
func outcome(err error) generia.Kind {
	if err == nil {
		return allowed
	}
	return generia.ErrorKind(err)
}

// A world its owner makes private is hidden at once from every process on
// the store, also from one that has just shown it to a visitor; its owner
// and members still see it, and making it public again shows it at once.
func TestAWorldMadePrivateIsHiddenAtOnce(t *testing.T) {
	ctx := context.Background()
	tw := newTown(t)
	// Two API processes: each its own connection to the one database.
	process := func() *Service {
		db, err := sqlite.Open(ctx, filepath.Join(tw.dir, "generia.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &Service{Store: db, Pipeline: pipelineStub{}}
	}
	a, b := process(), process() // the owner edits in a
	sees := func(who string) generia.Kind {
		t.Helper()
		_, err := b.World(ctx, who, public)
		if err == nil {
			_, err = b.Post(ctx, who, public, postOf(public))
		}
		return outcome(err)
	}
	for _, who := range []string{anon, stranger, member, owner} {
		if got := sees(who); got != allowed {
			t.Fatalf("before: %q sees the public world: %s", who, got)
		}
	}
	set := func(v string) {
		t.Helper()
		name := "Harbour" // the town's worlds were made without one
		if _, err := a.EditWorld(ctx, owner, public, WorldEdit{Name: &name, Visibility: &v}); err != nil {
			t.Fatal(err)
		}
	}
	set(generia.VisibilityPrivate)
	for who, want := range map[string]generia.Kind{anon: notFound, stranger: notFound, member: allowed, owner: allowed} {
		if got := sees(who); got != want {
			t.Errorf("made private: %q gets %s from the other process, want %s", who, got, want)
		}
	}
	set(generia.VisibilityPublic)
	if got := sees(anon); got != allowed {
		t.Errorf("made public again: a visitor gets %s, want to see it", got)
	}
}
