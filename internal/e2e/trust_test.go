package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline"
)

// Trust and safety on the embedded server, checked by an OpenAI-compatible
// moderation service (the fake, flagging by its markers): a refused prompt
// pays nothing; a flagged post is held and shown to no one but its author
// and moderators; reports past the threshold hide a post; a moderator's
// action makes a strike its person sees and appeals once; the audit log
// records each step.
func TestTrustAndSafety(t *testing.T) {
	mod := httptest.NewServer(fakeprovider.NewModerations(fakeprovider.ModerationsOptions{}))
	defer mod.Close()
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{
		"GENERIA_MODERATION": "openai", "MODERATION_BASE_URL": mod.URL + "/v1", "MODERATION_API_KEY": "sk-test-moderation",
	}})
	defer s.app.Close()
	ctx := context.Background()
	anon := apiclient.New(s.app.URL, "")
	ada, bob, cy, dee, mo := signUp(t, s, "ada"), signUp(t, s, "bob"), signUp(t, s, "cyd"), signUp(t, s, "dee"), signUp(t, s, "moe")
	if _, err := s.client.GrantRole(ctx, "moe", "moderator"); err != nil {
		t.Fatal(err)
	}
	if _, err := ada.GrantRole(ctx, "cyd", "moderator"); status(err) != 403 {
		t.Errorf("a person granting a role: %v, want 403", err)
	}

	// A prompt the policy blocks fails before anything is paid for.
	refused := createWorld(t, ada, apiclient.NewWorld{Prompt: "A school where " + fakeprovider.MarkerSexualMinors + " happens", CharactersCount: 2, PostsCount: 4})
	st := waitEnd(t, ada, refused.ID, time.Minute)
	if st.Status != "failed" || !strings.Contains(st.Error, "refused") {
		t.Errorf("a blocked prompt ended %s (%q), want failed saying it was refused", st.Status, st.Error)
	}
	if st.CallsLLM != 0 || st.CallsImages != 0 || st.LLMCost+st.ImageCost != 0 {
		t.Errorf("a blocked prompt made %d LLM and %d image calls costing %.4f, want none", st.CallsLLM, st.CallsImages, st.LLMCost+st.ImageCost)
	}

	// A world, and bob's character in it.
	w := createWorld(t, ada, apiclient.NewWorld{Prompt: "A harbour town of lamplighters", CharactersCount: 1, PostsCount: 1})
	if st := waitCompleted(t, ada, w.ID, 2*time.Minute); st.ItemsHeld != 0 {
		t.Errorf("a clean world holds %d items", st.ItemsHeld)
	}
	for _, c := range []*apiclient.Client{bob, cy, dee} {
		if err := c.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/join", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	var char apiclient.Character
	if err := bob.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/characters", map[string]string{"display_name": "Bob Wick", "bio": "Trims wicks."}, &char); err != nil {
		t.Fatal(err)
	}
	post := func(caption string) apiclient.Post {
		t.Helper()
		photo, err := bob.Upload(ctx, w.ID, pngBytes(t, 128, 96))
		if err != nil {
			t.Fatal(err)
		}
		var p apiclient.Post
		if err := bob.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts", map[string]any{"character_id": char.ID, "caption": caption, "media_id": photo}, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sees := func(c *apiclient.Client, postID string) bool {
		t.Helper()
		_, posts := contents(t, c, w.ID)
		return slices.ContainsFunc(posts, func(p apiclient.Post) bool { return p.ID == postID })
	}

	// A flagged post is held: its author and moderators see it, marked.
	held := post("Lamps lit tonight " + fakeprovider.MarkerHate)
	if held.Review == nil || held.Review.State != "held" {
		t.Fatalf("a flagged post was published as %+v, want held", held.Review)
	}
	for name, c := range map[string]*apiclient.Client{"its author": bob, "a moderator": mo} {
		if !sees(c, held.ID) {
			t.Errorf("%s does not see the held post", name)
		}
	}
	for name, c := range map[string]*apiclient.Client{"the world's owner": ada, "a member": cy, "a visitor": anon} {
		if sees(c, held.ID) {
			t.Errorf("%s sees the held post", name)
		}
		if err := c.Do(ctx, "GET", "/api/v1/worlds/"+w.ID+"/posts/"+held.ID, nil, nil); status(err) != 404 {
			t.Errorf("%s reading the held post: %v, want 404", name, err)
		}
	}

	// Reports past the threshold hide a clean post pending review.
	clean := post("Lamps lit tonight, all along the quay")
	if !sees(anon, clean.ID) {
		t.Fatal("a visitor does not see a clean post")
	}
	var caseID string
	for i, c := range []*apiclient.Client{ada, cy, dee} {
		var receipt struct {
			ID, Status string
		}
		if err := c.Do(ctx, "POST", "/api/v1/reports", map[string]string{"subject_type": "post", "subject_id": clean.ID, "reason": "spam", "note": "the same lamps again"}, &receipt); err != nil {
			t.Fatal(err)
		}
		caseID = receipt.ID
		if i == 0 {
			if err := c.Do(ctx, "POST", "/api/v1/reports", map[string]string{"subject_type": "post", "subject_id": clean.ID, "reason": "spam"}, nil); status(err) != 409 {
				t.Errorf("a second report by the same person: %v, want 409", err)
			}
		}
	}
	if sees(anon, clean.ID) {
		t.Error("a post reported past the threshold is still shown to visitors")
	}
	if err := cy.Do(ctx, "POST", "/api/v1/reports", map[string]string{"subject_type": "post", "subject_id": "no-such-post", "reason": "spam"}, nil); status(err) != 404 {
		t.Errorf("a report of a post that does not exist: %v, want 404", err)
	}

	// The moderator's queue holds both, each with what it was.
	cases, _, err := mo.Cases(ctx, "open", 20, "")
	if err != nil {
		t.Fatal(err)
	}
	bySubject := map[string]apiclient.Case{}
	for _, c := range cases {
		bySubject[c.Subject.ID] = c
	}
	if c := bySubject[held.ID]; c.Source != "check" || c.Verdict == nil || !strings.Contains(c.Snapshot.Text, "Lamps lit tonight") {
		t.Errorf("the held post's case: %+v, want one opened by the check with its verdict and snapshot", c)
	}
	if c := bySubject[clean.ID]; c.ID != caseID || c.Reports != 3 {
		t.Errorf("the reported post's case: %+v, want case %s with 3 reports", c, caseID)
	}
	if _, _, err := bob.Cases(ctx, "open", 20, ""); status(err) != 403 {
		t.Errorf("a person reading the queue: %v, want 403", err)
	}

	// A moderator hides it: bob sees a strike with its reason, and appeals once.
	action := map[string]string{"action": "hide", "reason": "repeated posts to flood the feed"}
	if err := mo.Do(ctx, "POST", "/api/v1/admin/cases/"+caseID+"/actions", action, nil); err != nil {
		t.Fatal(err)
	}
	var mine struct{ Strikes []apiv1.Strike }
	if err := bob.Do(ctx, "GET", "/api/v1/me/strikes", nil, &mine); err != nil {
		t.Fatal(err)
	}
	strikes := mine.Strikes
	if len(strikes) != 1 || strikes[0].Action != "hide" || strikes[0].Reason != action["reason"] || strikes[0].Snapshot.Text != clean.Caption {
		t.Fatalf("bob's strikes: %+v, want the hide with its reason and his post as it was", strikes)
	}
	appeal := "/api/v1/me/strikes/" + strikes[0].ID + "/appeal"
	if err := cy.Do(ctx, "POST", appeal, map[string]string{"text": "not mine"}, nil); status(err) != 404 {
		t.Errorf("appealing another's strike: %v, want 404", err)
	}
	if err := bob.Do(ctx, "POST", appeal, map[string]string{"text": "Each post was a different evening."}, nil); err != nil {
		t.Fatal(err)
	}
	if err := bob.Do(ctx, "POST", appeal, map[string]string{"text": "again"}, nil); status(err) != 409 {
		t.Errorf("a second appeal: %v, want 409", err)
	}

	// The audit log records each step about the reported post.
	entries, _, err := mo.Audit(ctx, apiclient.AuditQuery{SubjectType: "post", SubjectID: clean.ID}, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var verbs []string
	for i := len(entries) - 1; i >= 0; i-- {
		verbs = append(verbs, entries[i].Verb)
	}
	if got := strings.Join(verbs, ","); got != "report,report,report,hold,hide,appeal" {
		t.Errorf("the audit log of the reported post, oldest first: %s; want report×3, hold, hide, appeal", got)
	}
}

// While the moderation service is down, people's comments wait held; once
// it answers again, a workflow checks them again: the clean one is shown,
// the flagged one stays held for a moderator.
func TestHeldWhileTheCheckIsDownIsCheckedAgain(t *testing.T) {
	var down atomic.Bool
	fake := fakeprovider.NewModerations(fakeprovider.ModerationsOptions{})
	mod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer mod.Close()
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{
		"GENERIA_MODERATION": "openai", "MODERATION_BASE_URL": mod.URL + "/v1", "MODERATION_API_KEY": "sk-test-moderation",
	}})
	defer s.app.Close()
	ctx := context.Background()
	ada, bob := signUp(t, s, "ada"), signUp(t, s, "bob")
	anon := apiclient.New(s.app.URL, "")
	w := createWorld(t, ada, apiclient.NewWorld{Prompt: "A harbour town of lamplighters", CharactersCount: 1, PostsCount: 1})
	waitCompleted(t, ada, w.ID, 2*time.Minute)
	if err := bob.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/join", nil, nil); err != nil {
		t.Fatal(err)
	}
	_, posts := contents(t, ada, w.ID)
	path := "/api/v1/worlds/" + w.ID + "/posts/" + posts[0].ID + "/comments"

	down.Store(true)
	comment := func(text string) apiclient.Comment {
		t.Helper()
		var c apiclient.Comment
		if err := bob.Do(ctx, "POST", path, map[string]string{"text": text}, &c); err != nil {
			t.Fatal(err)
		}
		if c.Review == nil || c.Review.State != "held" {
			t.Fatalf("a comment sent while the check is down was stored %+v, want held", c.Review)
		}
		return c
	}
	clean, flagged := comment("What a bright quay tonight"), comment("You lamplighters are "+fakeprovider.MarkerHate)
	shown := func(id string) bool {
		var page struct{ Comments []apiclient.Comment }
		if err := anon.Do(ctx, "GET", path, nil, &page); err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(page.Comments, func(c apiclient.Comment) bool { return c.ID == id })
	}
	if shown(clean.ID) || shown(flagged.ID) {
		t.Fatal("a visitor sees a comment no check has passed")
	}

	down.Store(false)
	deadline := time.Now().Add(90 * time.Second)
	for !shown(clean.ID) {
		if time.Now().After(deadline) {
			t.Fatal("the clean comment is still held 90 s after the check came back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	var held apiclient.Comment
	for deadline = time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var page struct{ Comments []apiclient.Comment }
		if err := bob.Do(ctx, "GET", path, nil, &page); err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Comments {
			if c.ID == flagged.ID {
				held = c
			}
		}
		if held.Review != nil && strings.Contains(held.Review.Reason, "hate") || time.Now().After(deadline) {
			break
		}
	}
	if held.Review == nil || held.Review.State != "held" || !strings.Contains(held.Review.Reason, "hate") || shown(flagged.ID) {
		t.Errorf("the flagged comment after the check came back: %+v, want still held, for hate", held.Review)
	}
	recordHistory(t, s, pipeline.RecheckWorkflowID(generia.Subject{Type: generia.SubjectComment, ID: clean.ID}), "content-recheck-held-then-passed.json")
}
