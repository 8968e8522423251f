package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/localtest"
)

// A flagged comment is answered by nobody: it is checked while the first
// reply to it is written, and that reply is neither checked nor posted,
// nor any other written; the next comment is answered as usual.
func TestLifeLeavesAFlaggedCommentUnanswered(t *testing.T) {
	w := newLifeWorld(t)
	w.flagPerson = func(st LifeStep) bool { return st.CommentID == "m1" }
	w.at(time.Minute, func() {
		w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"})
		w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m2"})
	})
	var seen generia.LifeView
	w.at(5*time.Minute, func() { seen = w.view() })
	_ = w.run(lifeInput(0, 100), time.Hour)
	written := 0
	for _, r := range w.written {
		if r.CommentID == "m1" {
			written++
		}
	}
	if written > 1 {
		t.Errorf("%d replies to the flagged comment were written, want one at most (written while it was checked)", written)
	}
	if w.saved["life/reply/m1/c1"] != 0 || w.saved["life/reply/m2/c1"] != 1 {
		t.Errorf("saved %v; want m2 answered and m1 not", w.saved)
	}
	if want := []string{"person life/reply/m1", "person life/reply/m2", "reply life/reply/m2/c1 0"}; !slices.Equal(w.checked, want) {
		t.Errorf("checks %v, want %v", w.checked, want)
	}
	if seen.Waiting != 0 || seen.ActionsToday != 1 {
		t.Errorf("after both comments: %+v, want nothing waiting and one action made", seen)
	}
}

// A flagged reply is written again, at most twice, with what it was
// flagged for; one that passes is posted once, one still flagged after
// its rewrites is not posted at all.
func TestLifeRewritesAFlaggedReplyAtMostTwice(t *testing.T) {
	w := newLifeWorld(t)
	w.flagReply = func(r LifeReply) bool {
		return r.CommentID == "m2" || (r.CommentID == "m1" && r.Again < 2)
	}
	w.at(time.Minute, func() {
		w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"})
		w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m2"})
	})
	_ = w.run(lifeInput(0, 100), time.Hour)
	writes := map[string][]int{}
	for _, r := range w.written {
		writes[r.CommentID] = append(writes[r.CommentID], r.Again)
		if r.Again > 0 && !slices.Equal(r.Flagged, []generia.Category{generia.CategoryHate}) {
			t.Errorf("rewrite %d of %s does not say what the last was flagged for: %v", r.Again, r.Key, r.Flagged)
		}
	}
	if !slices.Equal(writes["m1"], []int{0, 1, 2}) || !slices.Equal(writes["m2"], []int{0, 1, 2}) {
		t.Errorf("writes %v, want each reply written three times at most", writes)
	}
	if w.saved["life/reply/m1/c1"] != 1 || w.saved["life/reply/m2/c1"] != 0 {
		t.Errorf("saved %v; want m1's third reply posted and m2's never", w.saved)
	}
}

// A flagged life post is written again under a key of its own, at most
// twice, and its image is painted only for the text that passed; one
// still flagged paints and posts nothing.
func TestLifeRewritesAFlaggedPostBeforeItIsPainted(t *testing.T) {
	w := newLifeWorld(t)
	w.posts = true
	posts := 0
	w.flagPost = func(r LifeReply) bool {
		if r.Again == 0 {
			posts++
		}
		return posts == 1 && r.Again < 2 || posts == 2
	}
	in := lifeInput(60, 1000)
	in.Idle = 10 * time.Minute
	_ = w.run(in, 20*time.Minute)
	if len(w.chain) < 16 {
		t.Fatalf("post activities %v, want at least the first two posts", w.chain)
	}
	first := strings.TrimPrefix(w.chain[0], "write ")
	final := first + "/again/2"
	want := []string{"write " + first, "check " + first, "write " + first + "/again/1", "check " + first + "/again/1",
		"write " + final, "check " + final, "paint " + final + "/image", "save " + final + " media-" + final + "/image"}
	if !slices.Equal(w.chain[:8], want) {
		t.Errorf("the first post: %v, want %v", w.chain[:8], want)
	}
	second := strings.TrimPrefix(w.chain[8], "write ")
	for _, c := range w.chain[8:14] {
		if strings.HasPrefix(c, "paint") || strings.HasPrefix(c, "save") {
			t.Errorf("the second post, flagged every time, went on to %q: %v", c, w.chain[8:14])
		}
	}
	if w.chain[13] != "check "+second+"/again/2" || strings.HasPrefix(w.chain[14], "paint "+second) {
		t.Errorf("the second post: %v, want three writes and checks and nothing more", w.chain[8:])
	}
}

// A moderation service that is away makes the life wait: the check is
// asked again until it answers, and no reply is checked nor posted before
// the person's comment passed, nor posted before the reply passed.
func TestLifeWaitsForModeration(t *testing.T) {
	w := newLifeWorld(t)
	w.down = 4
	w.at(time.Minute, func() { w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"}) })
	var saved int
	var checked []string
	w.at(time.Minute+2*time.Second, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		saved, checked = w.saved["life/reply/m1/c1"], slices.Clone(w.checked)
	})
	_ = w.run(lifeInput(0, 100), time.Hour)
	if saved != 0 || len(checked) != 0 {
		t.Errorf("while the comment could not be checked: %d replies saved, checks %v", saved, checked)
	}
	if w.saved["life/reply/m1/c1"] != 1 {
		t.Errorf("saved %v; want the comment answered once moderation came back", w.saved)
	}
	if want := []string{"person life/reply/m1", "reply life/reply/m1/c1 0"}; !slices.Equal(w.checked, want) {
		t.Errorf("checks %v, want %v", w.checked, want)
	}
}

// fakeModerator flags a text that holds one of its words, in its
// category; on a bad day it fails with err instead. It records what it was
// asked.
type fakeModerator struct {
	words map[string]generia.Category
	err   error

	mu    sync.Mutex
	asked []generia.TextCheck
}

func (m *fakeModerator) Name() string { return "fake" }

func (m *fakeModerator) CheckText(_ context.Context, c generia.TextCheck) (generia.Verdict, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.asked = append(m.asked, c)
	if m.err != nil {
		return generia.Verdict{}, m.err
	}
	v := generia.Verdict{Checker: "fake"}
	for w, cat := range m.words {
		if strings.Contains(strings.ToLower(c.Text), w) {
			v.Flagged, v.Terms = append(v.Flagged, cat), append(v.Terms, w)
		}
	}
	return v, nil
}

func (m *fakeModerator) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	return generia.Verdict{Checker: "fake"}, nil
}

// trustStore is the SQLite store with what the trust store's own branch
// writes stood in for: the audit log it is given, and frozen worlds and
// silenced characters.
type trustStore struct {
	generia.Store
	mu       sync.Mutex
	audit    []generia.AuditEntry
	frozen   map[string]bool
	silenced map[string]bool
}

func (s *trustStore) Audit(_ context.Context, e generia.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audit = append(s.audit, e)
	return nil
}

func (s *trustStore) World(ctx context.Context, id string) (generia.World, error) {
	w, err := s.Store.World(ctx, id)
	w.Frozen = s.frozen[id]
	return w, err
}

func (s *trustStore) Character(ctx context.Context, id string) (generia.Character, error) {
	c, err := s.Store.Character(ctx, id)
	c.Silenced = s.silenced[id]
	return c, err
}

func (s *trustStore) ListCharacters(ctx context.Context, worldID string, page generia.Page) ([]generia.Character, string, error) {
	cs, next, err := s.Store.ListCharacters(ctx, worldID, page)
	for i := range cs {
		cs[i].Silenced = s.silenced[cs[i].ID]
	}
	return cs, next, err
}

// checkedWorld is a world w1 with two AI characters (c1 mara, c2 ilo), a
// post of c1's (p1), and a person's comment (m1) on it that @mentions
// ilo.
func checkedWorld(t testing.TB, comment string) (*trustStore, *Activities) {
	t.Helper()
	ctx := context.Background()
	db := &trustStore{Store: localtest.Store(t, filepath.Join(t.TempDir(), "generia.db")), frozen: map[string]bool{}, silenced: map[string]bool{}}
	ownedWorld(t, db, "w1", "", generia.Providers{LLM: generia.OfflineProvider, Image: generia.OfflineProvider})
	for _, ch := range []generia.Character{{ID: "c1", Username: "mara", DisplayName: "Mara"}, {ID: "c2", Username: "ilo", DisplayName: "Ilo", Position: 1}} {
		ch.WorldID = "w1"
		if _, _, err := db.CreateCharacter(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CreateUser(ctx, generia.User{ID: "u-sam", Username: "sam", Email: "sam@example.com", CreatedAt: time.Now().UTC()}, "hash"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreatePost(ctx, generia.Post{ID: "p1", WorldID: "w1", CharacterID: "c1", Caption: "Nets drying.", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddComment(ctx, generia.Comment{ID: "m1", PostID: "p1", UserID: "u-sam", Text: comment, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	return db, &Activities{Store: db}
}

func step(comment string) LifeStep {
	return LifeStep{WorldRef: WorldRef{WorldID: "w1", Provider: generia.OfflineProvider}, Key: "life/reply/" + comment, CommentID: comment, Day: "2026-12-07",
		Settings: generia.LifeSettings{Enabled: true, DailyCalls: 100, DailyBudgetUSD: 1}}
}

// A person's comment is judged by the moderator under the operator's
// policy: held or blocked categories wake nobody (and the audit log says
// so), labelled ones do; a service that fails is retried, one that cannot
// judge the text counts as flagged, and no moderator (moderation off)
// lets everything through.
func TestCheckPersonAppliesThePolicy(t *testing.T) {
	ctx := context.Background()
	db, acts := checkedWorld(t, "you are all idiots @ilo")
	m := &fakeModerator{words: map[string]generia.Category{"idiots": generia.CategoryHarassment}}
	acts.Moderator = m

	got, err := acts.CheckPerson(ctx, step("m1"))
	if err != nil || got.Allowed || got.Decision != generia.DecisionHold {
		t.Errorf("a harassing comment under the default policy: %+v, %v; want it held, not answered", got, err)
	}
	if len(m.asked) != 1 || m.asked[0].Kind != generia.CheckComment || m.asked[0].UserID != generia.SafetyID("u-sam") {
		t.Errorf("the moderator was asked %+v; want the comment, with its author's safety id", m.asked)
	}
	if len(db.audit) != 1 || db.audit[0].Verb != VerbUnanswered || db.audit[0].Subject != (generia.Subject{Type: generia.SubjectComment, ID: "m1"}) {
		t.Errorf("audit log %+v; want the comment recorded unanswered", db.audit)
	}

	acts.Policy, _ = generia.ParsePolicy("harassment=label")
	if got, err := acts.CheckPerson(ctx, step("m1")); err != nil || !got.Allowed {
		t.Errorf("the same comment when harassment is only labelled: %+v, %v; want it answered", got, err)
	}

	m.err = &generia.ProviderError{Provider: "moderation", Kind: generia.KindUnavailable, Status: 503, Message: "down"}
	_, err = acts.CheckPerson(ctx, step("m1"))
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.NonRetryable() {
		t.Errorf("with the service down: %v; want an error the life retries", err)
	}

	m.err = generia.Errorf(generia.KindInvalid, "the input is too long")
	if got, err := acts.CheckPerson(ctx, step("m1")); err != nil || got.Allowed {
		t.Errorf("a comment the service cannot judge: %+v, %v; want it not answered", got, err)
	}

	acts.Moderator = nil
	if got, err := acts.CheckPerson(ctx, step("m1")); err != nil || !got.Allowed {
		t.Errorf("with moderation off: %+v, %v; want it answered", got, err)
	}
}

// A reply is judged in its conversation (the comment it answers, for the
// person's safety id); one flagged at its last rewrite is withheld, and
// the audit log keeps what it said.
func TestCheckReplyJudgesItInItsConversation(t *testing.T) {
	ctx := context.Background()
	db, acts := checkedWorld(t, "what do you think of the menders?")
	m := &fakeModerator{words: map[string]generia.Category{"vermin": generia.CategoryHate}}
	acts.Moderator = m
	r := LifeReply{LifeStep: step("m1"), CharacterID: "c1", ParentID: "m1", PostID: "p1"}
	r.Key += "/c1"
	save := func(r LifeReply, text string) {
		data, _ := json.Marshal(content.Reply{Text: text, Mentions: []string{}})
		if _, err := db.SaveArtifact(ctx, generia.Artifact{WorldID: "w1", Key: r.replyKey(), Step: "reply", Output: data, CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	save(r, "They are vermin, all of them.")
	got, err := acts.CheckReply(ctx, r)
	if err != nil || got.Allowed {
		t.Fatalf("a hateful reply: %+v, %v; want it flagged", got, err)
	}
	if c := m.asked[0]; c.Kind != generia.CheckReply || c.Answers != "what do you think of the menders?" || c.UserID != generia.SafetyID("u-sam") {
		t.Errorf("the moderator was asked %+v; want the reply with the comment it answers", c)
	}
	if len(db.audit) != 0 {
		t.Errorf("audit %+v before the last rewrite; want nothing yet", db.audit)
	}
	r.Again = maxRewrites
	save(r, "Vermin, I said.")
	if got, err := acts.CheckReply(ctx, r); err != nil || got.Allowed {
		t.Fatalf("the last rewrite, still hateful: %+v, %v", got, err)
	}
	if len(db.audit) != 1 || db.audit[0].Verb != VerbWithheld || db.audit[0].Snapshot == nil || db.audit[0].Snapshot.Text != "Vermin, I said." {
		t.Errorf("audit %+v; want the withheld reply with what it said", db.audit)
	}
	r.Again = 1
	save(r, "The menders keep us afloat, grudgingly.")
	if got, err := acts.CheckReply(ctx, r); err != nil || !got.Allowed {
		t.Errorf("a fair rewrite: %+v, %v; want it allowed", got, err)
	}
}

// A frozen world's life plans nothing; a silenced character is not asked
// to answer (here: ilo, whom the comment mentions) and posts nothing it
// wrote before it was silenced.
func TestLifeSkipsFrozenWorldsAndSilencedCharacters(t *testing.T) {
	ctx := context.Background()
	db, acts := checkedWorld(t, "hello @ilo")
	plan, err := acts.PlanLife(ctx, step("m1"))
	if err != nil || len(plan) != 2 {
		t.Fatalf("plan %+v, %v; want mara (the post's) and ilo (mentioned)", plan, err)
	}
	db.silenced["c2"] = true
	plan, err = acts.PlanLife(ctx, step("m1"))
	if err != nil || len(plan) != 1 || plan[0].CharacterID != "c1" {
		t.Errorf("with ilo silenced: %+v, %v; want mara alone", plan, err)
	}
	data, _ := json.Marshal(content.Reply{Text: "Hello from ilo.", Mentions: []string{}})
	r := LifeReply{LifeStep: step("m1"), CharacterID: "c2", ParentID: "m1", PostID: "p1"}
	r.Key += "/c2"
	if _, err := db.SaveArtifact(ctx, generia.Artifact{WorldID: "w1", Key: r.Key, Step: "reply", Output: data, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := acts.SaveReply(ctx, r); err != nil {
		t.Fatal(err)
	}
	if thread, _, _ := db.ListComments(ctx, "p1", generia.Page{Limit: 10}); len(thread) != 1 {
		t.Errorf("the thread holds %d comments; want the silenced character's reply not posted", len(thread))
	}
	db.frozen["w1"] = true
	if plan, err := acts.PlanLife(ctx, step("m1")); err != nil || len(plan) != 0 {
		t.Errorf("a frozen world: %+v, %v; want nothing planned", plan, err)
	}
}
