package storetest

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A person speaks as themselves or as their own character, an AI character
// answers in a thread; each comes back with its speaker's names.
func testCommentSpeakers(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s)
	mine := createCharacter(t, s, newUserCharacter("c-mara", p.WorldID, 1))
	ctx := t.Context()

	asSelf := generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: "Who lit the lanterns?", CreatedAt: at(time.Minute)}
	asChar := generia.Comment{ID: "m2", PostID: p.ID, UserID: "u-mara", CharacterID: mine.ID, Text: "I did.", CreatedAt: at(2 * time.Minute)}
	reply := generia.Comment{ID: "m3", PostID: p.ID, CharacterID: "c1", IsAI: true, ParentID: "m1", Text: "Mara did, at dusk.", CreatedAt: at(3 * time.Minute)}
	for _, c := range []generia.Comment{asSelf, asChar, reply} {
		_, err := s.AddComment(ctx, c)
		ok(t, err, "AddComment "+c.ID)
	}
	asSelf.Username = "mara"
	asChar.Username, asChar.CharacterUsername, asChar.DisplayName = "mara", mine.Username, mine.DisplayName
	reply.CharacterUsername, reply.DisplayName = "user_c1", "User c1"
	got, _, err := s.ListComments(ctx, p.ID, generia.Page{})
	ok(t, err, "ListComments")
	same(t, "comments with their speakers", got, []generia.Comment{asSelf, asChar, reply})
	if u, name := got[2].Speaker(); u != "user_c1" || name != "User c1" {
		t.Errorf("the AI reply's speaker = %q %q, want the character's", u, name)
	}
	if u, name := got[0].Speaker(); u != "mara" || name != "mara" {
		t.Errorf("the person's speaker = %q %q, want their username", u, name)
	}

	// Deleting the comment answered keeps it as a deleted place, which
	// its reply still answers.
	ok(t, s.DeleteComment(ctx, "m1"), "DeleteComment")
	left, err := s.Comment(ctx, "m3")
	ok(t, err, "the reply after its parent was deleted")
	if left.ParentID != "m1" || left.Text != reply.Text {
		t.Errorf("reply after its parent was deleted = %+v, want it kept, answering m1", left)
	}
	if n := commentCount(t, s, p.ID); n != 2 {
		t.Errorf("CommentsCount = %d, want 2", n)
	}
}

// Speakers that do not fit the post are refused, and change nothing.
func testCommentSpeakersInvalid(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	newUser(t, s, "ilo")
	p := seedPost(t, s)
	other, _ := newWorld(t, s, "w2")
	elsewhere := createCharacter(t, s, newCharacter("c-elsewhere", other.ID, 0))
	otherPost := createPost(t, s, newPost("p2", elsewhere, t0))
	mine := createCharacter(t, s, newUserCharacter("c-mara", p.WorldID, 1))
	_, err := s.AddComment(t.Context(), generia.Comment{ID: "m-other", PostID: otherPost.ID, UserID: "u-mara", Text: "Elsewhere"})
	ok(t, err, "a comment under another post")
	refuseComments(t, s, p.ID, []refusedComment{
		{"AI comment with a user", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", CharacterID: "c1", IsAI: true, Text: "Hi"}, generia.KindInvalid},
		{"AI comment without a character", generia.Comment{ID: "m1", PostID: p.ID, IsAI: true, Text: "Hi"}, generia.KindInvalid},
		{"AI comment by a person's character", generia.Comment{ID: "m1", PostID: p.ID, CharacterID: mine.ID, IsAI: true, Text: "Hi"}, generia.KindInvalid},
		{"someone else's character", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-ilo", CharacterID: mine.ID, Text: "Hi"}, generia.KindInvalid},
		{"an AI character spoken by a person", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", CharacterID: "c1", Text: "Hi"}, generia.KindInvalid},
		{"a character of another world", generia.Comment{ID: "m1", PostID: p.ID, CharacterID: elsewhere.ID, IsAI: true, Text: "Hi"}, generia.KindInvalid},
		{"an unknown character", generia.Comment{ID: "m1", PostID: p.ID, CharacterID: "c-nobody", IsAI: true, Text: "Hi"}, generia.KindNotFound},
		{"a parent under another post", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", ParentID: "m-other", Text: "Hi"}, generia.KindInvalid},
		{"an unknown parent", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", ParentID: "m-nowhere", Text: "Hi"}, generia.KindNotFound},
		{"no user and no AI", generia.Comment{ID: "m1", PostID: p.ID, CharacterID: "c1", Text: "Hi"}, generia.KindInvalid},
	})
}

func lifeSettings(calls int, budget float64) generia.LifeSettings {
	return generia.LifeSettings{Enabled: true, ActionsPerHour: 4, DailyCalls: calls, DailyBudgetUSD: budget}
}

func testLifeSettings(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, _ := newWorld(t, s, "w1")
	_, err := s.LifeSettings(ctx, w.ID)
	wantKind(t, err, generia.KindNotFound, "LifeSettings never set")
	first := lifeSettings(200, 0.5)
	ok(t, s.SetLifeSettings(ctx, w.ID, first, t0), "SetLifeSettings")
	got, err := s.LifeSettings(ctx, w.ID)
	ok(t, err, "LifeSettings")
	same(t, "life settings", got, first)
	second := generia.LifeSettings{Paused: true, ActionsPerHour: 0.5, DailyCalls: 1, DailyBudgetUSD: 0}
	ok(t, s.SetLifeSettings(ctx, w.ID, second, at(time.Hour)), "SetLifeSettings again")
	got, err = s.LifeSettings(ctx, w.ID)
	ok(t, err, "LifeSettings")
	same(t, "life settings replaced", got, second)

	for name, bad := range map[string]generia.LifeSettings{
		"negative pace":  {ActionsPerHour: -1, DailyCalls: 10},
		"no calls":       {DailyCalls: 0},
		"too many calls": {DailyCalls: generia.MaxLifeDailyCalls + 1},
		"negative money": {DailyCalls: 10, DailyBudgetUSD: -0.01},
		// NaN passes every comparison's negation: PostgreSQL stored it and
		// the world's life stopped answering, SQLite answered 500.
		"a NaN pace":      {ActionsPerHour: math.NaN(), DailyCalls: 10},
		"an endless pace": {ActionsPerHour: math.Inf(1), DailyCalls: 10},
		"NaN money":       {DailyCalls: 10, DailyBudgetUSD: math.NaN()},
	} {
		wantKind(t, s.SetLifeSettings(ctx, w.ID, bad, t0), generia.KindInvalid, "SetLifeSettings with "+name)
	}
	got, _ = s.LifeSettings(ctx, w.ID)
	same(t, "life settings after refused changes", got, second)
	wantKind(t, s.SetLifeSettings(ctx, "w-nowhere", first, t0), generia.KindNotFound, "SetLifeSettings of an unknown world")
}

// A day's calls stop at its ceiling of calls, its money at its budget; the
// cost counts in the life day, not in the generation's record.
func testReserveLifeCall(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, _ := newWorld(t, s, "w1")
	limits := lifeSettings(3, 1)
	for i := 1; i <= 3; i++ {
		d, err := s.ReserveLifeCall(ctx, w.ID, "2026-12-01", limits)
		ok(t, err, "ReserveLifeCall")
		if d.Calls != i {
			t.Errorf("reservation %d: the day counts %d calls", i, d.Calls)
		}
	}
	_, err := s.ReserveLifeCall(ctx, w.ID, "2026-12-01", limits)
	wantKind(t, err, generia.KindLimit, "the fourth call of a day of 3")
	_, err = s.ReserveLifeCall(ctx, w.ID, "2026-12-02", limits)
	ok(t, err, "the first call of the next day")

	call := newCall(w.ID, generia.CallLLM, 0.4)
	call.Key, call.LifeDay = "life/reply/m1/c1", "2026-12-02"
	record(t, s, call)
	call.CostUSD = 0.7
	record(t, s, call)
	d, err := s.LifeDay(ctx, w.ID, "2026-12-02")
	ok(t, err, "LifeDay")
	if d.Calls != 1 || !near(d.CostUSD, 1.1) {
		t.Errorf("LifeDay = %+v, want 1 call costing 1.1", d)
	}
	_, err = s.ReserveLifeCall(ctx, w.ID, "2026-12-02", limits)
	wantKind(t, err, generia.KindLimit, "a call past the day's budget")
	st, err := s.GenerationStatus(ctx, w.ID)
	ok(t, err, "GenerationStatus")
	if spent(st) != 0 || st.CallsLLM != 0 {
		t.Errorf("the generation's record counts life calls: %v spent, %d calls", spent(st), st.CallsLLM)
	}
	calls := ledger(t, s, w.ID)
	if len(calls) != 2 || calls[0].LifeDay != "2026-12-02" {
		t.Errorf("ledger = %+v, want the two life calls with their day", calls)
	}

	empty, err := s.LifeDay(ctx, w.ID, "2030-01-01")
	if err != nil || empty.Calls != 0 || empty.CostUSD != 0 {
		t.Errorf("LifeDay of a day without calls = %+v, %v; want zero", empty, err)
	}
	_, err = s.LifeDay(ctx, "w-nowhere", "2026-12-01")
	wantKind(t, err, generia.KindNotFound, "LifeDay of an unknown world")
	_, err = s.ReserveLifeCall(ctx, "w-nowhere", "2026-12-01", limits)
	wantKind(t, err, generia.KindNotFound, "ReserveLifeCall of an unknown world")
	bad := call
	bad.LifeDay = "2031-01-01"
	wantKind(t, s.RecordCall(ctx, bad), generia.KindNotFound, "RecordCall of a life day never reserved")
}

func testReserveLifeCallConcurrent(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	var granted atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := s.ReserveLifeCall(t.Context(), w.ID, "2026-12-01", lifeSettings(5, 1))
			switch {
			case err == nil:
				granted.Add(1)
			case !generia.IsKind(err, generia.KindLimit):
				t.Errorf("ReserveLifeCall: %v", err)
			}
		})
	}
	wg.Wait()
	if n := granted.Load(); n != 5 {
		t.Errorf("%d of 20 concurrent reservations passed a ceiling of 5", n)
	}
}

// After the generation, the world's life posts as its characters and
// keeps their images; the generation's record counts neither, and still
// refuses a generated post.
func testLifePosts(t *testing.T, s generia.Store) {
	ctx := t.Context()
	newUser(t, s, "mara")
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	mine := createCharacter(t, s, newUserCharacter("c-mara", w.ID, 1))
	_, err := s.FinishGeneration(ctx, w.ID, generia.StatusCompleted, "", "", t0)
	ok(t, err, "FinishGeneration")
	before, err := s.GenerationStatus(ctx, w.ID)
	ok(t, err, "GenerationStatus")

	m, created, err := s.CreateMedia(ctx, generia.Media{ID: "m-life", WorldID: w.ID, CharacterID: c.ID, Kind: generia.MediaPostImage,
		ContentType: "image/png", ObjectKey: "worlds/w1/m-life.png", Life: true})
	ok(t, err, "CreateMedia of the life")
	if !created || m.ID != "m-life" {
		t.Errorf("the life's image: created %v, %+v", created, m)
	}
	p := newPost("p-life", c, at(time.Hour))
	p.MediaID, p.Life = m.ID, true
	got, created, err := s.CreatePost(ctx, p)
	ok(t, err, "CreatePost of the life")
	if !created || got.ID != p.ID || !got.IsAI || got.MediaID != m.ID {
		t.Errorf("the life's post: created %v, %+v", created, got)
	}
	_, created, err = s.CreatePost(ctx, p)
	if err != nil || created {
		t.Errorf("the life's post again: created %v, %v; want the stored one", created, err)
	}
	after, err := s.GenerationStatus(ctx, w.ID)
	ok(t, err, "GenerationStatus")
	if after.PostsCreated != before.PostsCreated || after.ImagesCreated != before.ImagesCreated {
		t.Errorf("the generation counts the life's work: posts %d → %d, images %d → %d",
			before.PostsCreated, after.PostsCreated, before.ImagesCreated, after.ImagesCreated)
	}
	_, _, err = s.CreatePost(ctx, newPost("p-generated", c, t0))
	wantKind(t, err, generia.KindStopped, "a generated post after the generation")
	bad := newPost("p-bad", mine, t0)
	bad.Life = true
	_, _, err = s.CreatePost(ctx, bad)
	wantKind(t, err, generia.KindInvalid, "a life post by a person's character")
}

// An AI character likes a post of its world once; its like counts with
// people's, is listed with its name, and is not a person's like.
func testCharacterLikes(t *testing.T, s generia.Store) {
	ctx := t.Context()
	newUser(t, s, "mara")
	p := seedPost(t, s)
	liker := createCharacter(t, s, newCharacter("c2", p.WorldID, 1))
	mine := createCharacter(t, s, newUserCharacter("c-mara", p.WorldID, 2))
	other, _ := newWorld(t, s, "w2")
	stranger := createCharacter(t, s, newCharacter("c-far", other.ID, 0))

	like(t, s, p.ID, "u-mara", t0)
	for range 2 {
		n, err := s.LikeAsCharacter(ctx, p.ID, liker.ID, at(time.Minute))
		if err != nil || n != 2 {
			t.Errorf("a character likes: %d, %v; want 2 however often", n, err)
		}
	}
	likes, _, err := s.ListLikes(ctx, p.ID, generia.Page{})
	ok(t, err, "ListLikes")
	want := []generia.Like{
		{PostID: p.ID, CharacterID: liker.ID, CharacterUsername: liker.Username, DisplayName: liker.DisplayName, CreatedAt: at(time.Minute)},
		{PostID: p.ID, UserID: "u-mara", Username: "mara", CreatedAt: t0},
	}
	same(t, "likes, people's and characters'", likes, want)
	first, next, err := s.ListLikes(ctx, p.ID, generia.Page{Limit: 1})
	ok(t, err, "ListLikes, a page of 1")
	rest, _, err := s.ListLikes(ctx, p.ID, generia.Page{Limit: 1, Cursor: next})
	ok(t, err, "ListLikes, the next page")
	same(t, "likes page after page", append(first, rest...), want)

	liked, err := s.LikedPosts(ctx, "u-mara", []string{p.ID})
	ok(t, err, "LikedPosts")
	if !liked[p.ID] {
		t.Error("the person's like is lost beside the character's")
	}
	n, err := s.Unlike(ctx, p.ID, liker.ID) // no person's like of that ID
	if err != nil || n != 2 {
		t.Errorf("unliking as a character's ID: %d, %v; want nothing removed", n, err)
	}
	_, err = s.LikeAsCharacter(ctx, p.ID, mine.ID, t0)
	wantKind(t, err, generia.KindInvalid, "a like as a person's character")
	_, err = s.LikeAsCharacter(ctx, p.ID, stranger.ID, t0)
	wantKind(t, err, generia.KindInvalid, "a like by a character of another world")
	_, err = s.LikeAsCharacter(ctx, p.ID, "c-nobody", t0)
	wantKind(t, err, generia.KindNotFound, "a like by an unknown character")
	_, err = s.LikeAsCharacter(ctx, "p-nowhere", liker.ID, t0)
	wantKind(t, err, generia.KindNotFound, "a like of an unknown post")
	if got := postByID(t, s, p.ID); got.LikesCount != 2 {
		t.Errorf("LikesCount = %d, want 2", got.LikesCount)
	}
}

// Deleting a character deletes what it said and did: its posts with their
// likes and comments, its comments elsewhere, the likes it gave; what
// others said and did stays.
func testDeleteCharacter(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s) // by c1, an AI character
	ctx := t.Context()
	mine := createCharacter(t, s, newUserCharacter("c-mara", p.WorldID, 1))
	other := createCharacter(t, s, newCharacter("c2", p.WorldID, 2))
	minePost := createPost(t, s, newPost("p-mara", mine, t0))
	for _, c := range []generia.Comment{
		{ID: "m1", PostID: p.ID, UserID: "u-mara", CharacterID: mine.ID, Text: "As Mara's character.", CreatedAt: at(time.Minute)},
		{ID: "m2", PostID: p.ID, UserID: "u-mara", Text: "As Mara herself.", CreatedAt: at(2 * time.Minute)},
		{ID: "m3", PostID: minePost.ID, CharacterID: "c1", IsAI: true, Text: "On Mara's post.", CreatedAt: at(3 * time.Minute)},
		{ID: "m4", PostID: p.ID, CharacterID: other.ID, IsAI: true, ParentID: "m1", Text: "Answering the character.", CreatedAt: at(4 * time.Minute)},
	} {
		_, err := s.AddComment(ctx, c)
		ok(t, err, "AddComment "+c.ID)
	}
	_, err := s.Like(ctx, p.ID, "u-mara", at(time.Minute))
	ok(t, err, "Like")
	_, err = s.LikeAsCharacter(ctx, p.ID, other.ID, at(time.Minute))
	ok(t, err, "LikeAsCharacter")
	_, err = s.LikeAsCharacter(ctx, minePost.ID, "c1", at(time.Minute))
	ok(t, err, "LikeAsCharacter on Mara's post")

	ok(t, s.DeleteCharacter(ctx, mine.ID), "DeleteCharacter")
	wantKind(t, func() error { _, err := s.Character(ctx, mine.ID); return err }(), generia.KindNotFound, "the deleted character")
	wantKind(t, func() error { _, err := s.Post(ctx, minePost.ID, ""); return err }(), generia.KindNotFound, "the deleted character's post")
	wantKind(t, func() error { _, err := s.Comment(ctx, "m3"); return err }(), generia.KindNotFound, "a comment on the deleted character's post")
	comments, _, err := s.ListComments(ctx, p.ID, generia.Page{})
	ok(t, err, "ListComments")
	var texts []string
	for _, c := range comments {
		texts = append(texts, c.Text+"|"+c.ParentID)
	}
	same(t, "comments left on the other post", texts, []string{"As Mara herself.|", "Answering the character.|"})

	ok(t, s.DeleteCharacter(ctx, other.ID), "DeleteCharacter of a character who liked and commented")
	likes, _, err := s.ListLikes(ctx, p.ID, generia.Page{})
	ok(t, err, "ListLikes")
	if len(likes) != 1 || likes[0].UserID != "u-mara" {
		t.Errorf("likes left = %+v, want Mara's own", likes)
	}
	got := postByID(t, s, p.ID)
	same(t, "the post's counts", []int{got.LikesCount, got.CommentsCount}, []int{1, 1})
	wantKind(t, s.DeleteCharacter(ctx, "c-nowhere"), generia.KindNotFound, "DeleteCharacter of an unknown character")
}

// A world's life record is what its pages read: it round-trips whole, a
// view wakes it only from asleep (or from nothing recorded), and what the
// store refuses changes nothing.
func testLifeRecords(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, _ := newWorld(t, s, "w1")
	_, err := s.LifeRecord(ctx, w.ID)
	wantKind(t, err, generia.KindNotFound, "LifeRecord never recorded")

	// A view of a world whose life recorded nothing yet records it awake.
	woke, err := s.WakeLife(ctx, w.ID, at(time.Minute))
	ok(t, err, "WakeLife with no record")
	got, err := s.LifeRecord(ctx, w.ID)
	ok(t, err, "LifeRecord after a wake")
	if !woke || got.State != generia.LifeAwake || !got.LastViewedAt.Equal(at(time.Minute)) || got.Day != generia.DayOf(at(time.Minute)) {
		t.Errorf("after a first view: woke %v, record %+v; want awake, viewed at %v", woke, got, at(time.Minute))
	}

	asleep := generia.LifeRecord{WorldID: w.ID, State: generia.LifeAsleep, Day: "2025-03-14", ActionsToday: 3, CallsToday: 7,
		CostTodayUSD: 0.0125, Waiting: 2, LastViewedAt: at(2 * time.Minute), UpdatedAt: at(12 * time.Minute)}
	ok(t, s.RecordLife(ctx, asleep), "RecordLife asleep")
	got, err = s.LifeRecord(ctx, w.ID)
	ok(t, err, "LifeRecord")
	same(t, "the recorded life", got, asleep)

	// A view wakes a sleeping world and keeps what it counted.
	woke, err = s.WakeLife(ctx, w.ID, at(20*time.Minute))
	ok(t, err, "WakeLife asleep")
	awake := asleep
	awake.State, awake.LastViewedAt, awake.UpdatedAt = generia.LifeAwake, at(20*time.Minute), at(20*time.Minute)
	got, _ = s.LifeRecord(ctx, w.ID)
	if !woke {
		t.Error("WakeLife of a sleeping world reported it did not wake it")
	}
	same(t, "the life after a view woke it", got, awake)

	// Every optional time round-trips.
	acting := awake
	acting.NextActionAt, acting.UpdatedAt = at(25*time.Minute+time.Second/4), at(21*time.Minute)
	ok(t, s.RecordLife(ctx, acting), "RecordLife with the next action")
	got, _ = s.LifeRecord(ctx, w.ID)
	same(t, "the life with its next action", got, acting)

	// A life recorded awake, paused, off or resting keeps its state on a view.
	for _, state := range []string{generia.LifeAwake, generia.LifePaused, generia.LifeOff, generia.LifeResting} {
		r := generia.LifeRecord{WorldID: w.ID, State: state, Day: "2025-03-14", UpdatedAt: at(30 * time.Minute)}
		if state == generia.LifeResting {
			r.RestsUntil = generia.NextDay(at(30 * time.Minute))
		}
		ok(t, s.RecordLife(ctx, r), "RecordLife "+state)
		woke, err := s.WakeLife(ctx, w.ID, at(31*time.Minute))
		ok(t, err, "WakeLife "+state)
		got, _ := s.LifeRecord(ctx, w.ID)
		if woke {
			t.Errorf("WakeLife of a life recorded %s reported it woke it", state)
		}
		same(t, "a life recorded "+state+" after a view", got, r)
	}

	// Refused records change nothing.
	before, _ := s.LifeRecord(ctx, w.ID)
	for name, bad := range map[string]generia.LifeRecord{
		"an unknown state":   {WorldID: w.ID, State: "dreaming", Day: "2025-03-14"},
		"no state":           {WorldID: w.ID, Day: "2025-03-14"},
		"negative calls":     {WorldID: w.ID, State: generia.LifeAwake, CallsToday: -1},
		"a cost that is NaN": {WorldID: w.ID, State: generia.LifeAwake, CostTodayUSD: math.NaN()},
	} {
		wantKind(t, s.RecordLife(ctx, bad), generia.KindInvalid, "RecordLife with "+name)
	}
	got, _ = s.LifeRecord(ctx, w.ID)
	same(t, "the record after refused ones", got, before)
	wantKind(t, s.RecordLife(ctx, generia.LifeRecord{WorldID: "w-nowhere", State: generia.LifeAwake}), generia.KindNotFound, "RecordLife of an unknown world")
	_, err = s.WakeLife(ctx, "w-nowhere", t0)
	wantKind(t, err, generia.KindNotFound, "WakeLife of an unknown world")
	_, err = s.LifeRecord(ctx, "w-nowhere")
	wantKind(t, err, generia.KindNotFound, "LifeRecord of an unknown world")

	// A deleted world's record goes with it.
	_, err = s.DeleteWorld(ctx, w.ID)
	ok(t, err, "DeleteWorld")
	_, err = s.LifeRecord(ctx, w.ID)
	wantKind(t, err, generia.KindNotFound, "LifeRecord of a deleted world")
}
