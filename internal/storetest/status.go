package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// change is a shorthand for a stage change.
func change(stage, status string) generia.StageChange {
	return generia.StageChange{Stage: stage, Status: status}
}

// stage returns the named stage of a status record.
func stage(t *testing.T, st generia.GenerationStatus, name string) generia.Stage {
	t.Helper()
	i := slices.IndexFunc(st.Stages, func(s generia.Stage) bool { return s.Name == name })
	if i < 0 {
		t.Fatalf("the status has no stage %s: %s", name, show(st.Stages))
	}
	return st.Stages[i]
}

// advance applies stage changes and fails the test on error. It checks that
// the stored record is the one returned.
func advance(t *testing.T, s generia.Store, worldID string, now time.Time, changes ...generia.StageChange) generia.GenerationStatus {
	t.Helper()
	st, err := s.AdvanceGeneration(t.Context(), worldID, changes, now)
	ok(t, err, "AdvanceGeneration")
	same(t, "stored status after AdvanceGeneration", status(t, s, worldID), st)
	return st
}

func testAdvanceGeneration(t *testing.T, s generia.Store) {
	w, initial := newWorld(t, s, "w1")
	t1, t2, t3, t4 := at(time.Second), at(2*time.Second), at(3*time.Second), at(4*time.Second)

	st := advance(t, s, w.ID, t1, change(generia.StageInitializing, generia.StageInProgress))
	want := initial
	want.Status = generia.StatusInProgress
	want.StartedAt = ptr(t1)
	want.UpdatedAt = t1
	want.Stages = slices.Clone(initial.Stages)
	want.Stages[0] = generia.Stage{Name: generia.StageInitializing, Status: generia.StageInProgress, StartedAt: ptr(t1)}
	same(t, "status after the first stage started", st, want)

	st = advance(t, s, w.ID, t2,
		change(generia.StageInitializing, generia.StageCompleted),
		change(generia.StageWorldDescription, generia.StageInProgress))
	same(t, "finished stage", stage(t, st, generia.StageInitializing),
		generia.Stage{Name: generia.StageInitializing, Status: generia.StageCompleted, StartedAt: ptr(t1), FinishedAt: ptr(t2)})
	same(t, "started stage", stage(t, st, generia.StageWorldDescription),
		generia.Stage{Name: generia.StageWorldDescription, Status: generia.StageInProgress, StartedAt: ptr(t2)})
	if st.CurrentStage != generia.StageWorldDescription {
		t.Errorf("current stage = %s, want %s", st.CurrentStage, generia.StageWorldDescription)
	}
	if st.StartedAt == nil || !st.StartedAt.Equal(t1) {
		t.Errorf("StartedAt = %v, want it kept at %v", st.StartedAt, t1)
	}

	// Two stages start together: the last one becomes current.
	st = advance(t, s, w.ID, t3,
		change(generia.StageWorldImages, generia.StageInProgress),
		change(generia.StageCharacters, generia.StageInProgress))
	if st.CurrentStage != generia.StageCharacters {
		t.Errorf("current stage = %s, want %s", st.CurrentStage, generia.StageCharacters)
	}
	// A stage that finishes does not move the current stage; one that fails
	// gets its finish time.
	st = advance(t, s, w.ID, t4,
		change(generia.StageWorldImages, generia.StageCompleted),
		change(generia.StageWorldDescription, generia.StageFailed))
	if st.CurrentStage != generia.StageCharacters {
		t.Errorf("current stage = %s, want %s kept", st.CurrentStage, generia.StageCharacters)
	}
	same(t, "failed stage", stage(t, st, generia.StageWorldDescription),
		generia.Stage{Name: generia.StageWorldDescription, Status: generia.StageFailed, StartedAt: ptr(t2), FinishedAt: ptr(t4)})
	if st.Status != generia.StatusInProgress || !st.UpdatedAt.Equal(t4) {
		t.Errorf("status, updated = %s, %v; want %s, %v", st.Status, st.UpdatedAt, generia.StatusInProgress, t4)
	}

	// A repeated change (a retried activity) keeps the first times.
	st = advance(t, s, w.ID, at(time.Minute), change(generia.StageCharacters, generia.StageInProgress))
	same(t, "stage started again", stage(t, st, generia.StageCharacters),
		generia.Stage{Name: generia.StageCharacters, Status: generia.StageInProgress, StartedAt: ptr(t3)})
}

func testAdvanceInvalid(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	cases := []struct {
		name   string
		change generia.StageChange
	}{
		{"unknown stage", change("dreaming", generia.StageInProgress)},
		{"unknown status", change(generia.StagePosts, "sleeping")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AdvanceGeneration(t.Context(), w.ID, []generia.StageChange{tc.change}, t0)
			wantKind(t, err, generia.KindInvalid, "AdvanceGeneration")
		})
	}
	_, err := s.AdvanceGeneration(t.Context(), "w-nowhere", nil, t0)
	wantKind(t, err, generia.KindNotFound, "AdvanceGeneration of an unknown world")
}

func testFinishCompleted(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	advance(t, s, w.ID, at(time.Second), change(generia.StageInitializing, generia.StageInProgress))
	advance(t, s, w.ID, at(2*time.Second),
		change(generia.StageInitializing, generia.StageCompleted),
		change(generia.StagePosts, generia.StageInProgress))
	done := at(time.Hour)
	st, err := s.FinishGeneration(t.Context(), w.ID, generia.StatusCompleted, "", "", done)
	ok(t, err, "FinishGeneration")
	same(t, "stored status", status(t, s, w.ID), st)
	if st.Status != generia.StatusCompleted || st.CurrentStage != generia.StageFinishing || st.Error != "" {
		t.Errorf("status, stage, error = %s, %s, %q; want completed, finishing, none", st.Status, st.CurrentStage, st.Error)
	}
	if st.FinishedAt == nil || !st.FinishedAt.Equal(done) {
		t.Errorf("FinishedAt = %v, want %v", st.FinishedAt, done)
	}
	if st.StartedAt == nil || !st.StartedAt.Equal(at(time.Second)) {
		t.Errorf("StartedAt = %v, want %v", st.StartedAt, at(time.Second))
	}
	same(t, "running stage", stage(t, st, generia.StagePosts),
		generia.Stage{Name: generia.StagePosts, Status: generia.StageCompleted, StartedAt: ptr(at(2 * time.Second)), FinishedAt: ptr(done)})
	for _, stg := range st.Stages {
		if stg.Status == generia.StageInProgress {
			t.Errorf("stage %s is still in progress", stg.Name)
		}
	}
}

func testFinishStopsStages(t *testing.T, s generia.Store) {
	cases := []struct {
		status, errMsg, stage string
	}{
		{generia.StatusFailed, "the image provider has no credits left", generia.StageFailed},
		{generia.StatusCancelled, "", generia.StageCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.status, func(t *testing.T) {
			w, _ := newWorld(t, s, "w-"+tc.status)
			advance(t, s, w.ID, at(time.Second),
				change(generia.StageInitializing, generia.StageCompleted),
				change(generia.StageCharacters, generia.StageInProgress),
				change(generia.StagePosts, generia.StageInProgress))
			done := at(time.Minute)
			st, err := s.FinishGeneration(t.Context(), w.ID, tc.status, tc.errMsg, tc.errMsg, done)
			ok(t, err, "FinishGeneration")
			same(t, "stored status", status(t, s, w.ID), st)
			if st.Status != tc.status || st.Error != tc.errMsg {
				t.Errorf("status, error = %s, %q; want %s, %q", st.Status, st.Error, tc.status, tc.errMsg)
			}
			if st.FinishedAt == nil || !st.FinishedAt.Equal(done) {
				t.Errorf("FinishedAt = %v, want %v", st.FinishedAt, done)
			}
			for _, name := range []string{generia.StageCharacters, generia.StagePosts} {
				same(t, "running stage "+name, stage(t, st, name),
					generia.Stage{Name: name, Status: tc.stage, StartedAt: ptr(at(time.Second)), FinishedAt: ptr(done)})
			}
			same(t, "completed stage", stage(t, st, generia.StageInitializing),
				generia.Stage{Name: generia.StageInitializing, Status: generia.StageCompleted, FinishedAt: ptr(at(time.Second))})
			same(t, "pending stage", stage(t, st, generia.StageFinishing),
				generia.Stage{Name: generia.StageFinishing, Status: generia.StagePending})
		})
	}
}

func testFinishTwice(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	first, err := s.FinishGeneration(t.Context(), w.ID, generia.StatusFailed, "openai-compatible: no answer: Post \"http://10.0.0.7/v1\": EOF", "the text provider did not answer", at(time.Second))
	ok(t, err, "FinishGeneration")
	if first.Error != "openai-compatible: no answer: Post \"http://10.0.0.7/v1\": EOF" || first.PublicError != "the text provider did not answer" {
		t.Errorf("finished with error %q, public %q; want the detail and the public reason kept apart", first.Error, first.PublicError)
	}
	for _, st := range []string{generia.StatusCompleted, generia.StatusCancelled, generia.StatusFailed} {
		got, err := s.FinishGeneration(t.Context(), w.ID, st, "", "", at(time.Hour))
		ok(t, err, "FinishGeneration again with "+st)
		same(t, "record after finishing again with "+st, got, first)
	}
	same(t, "stored status", status(t, s, w.ID), first)
}

func testFinishInvalid(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	for _, st := range []string{generia.StatusPending, generia.StatusInProgress, "done"} {
		_, err := s.FinishGeneration(t.Context(), w.ID, st, "", "", t0)
		wantKind(t, err, generia.KindInvalid, "FinishGeneration with "+st)
	}
	_, err := s.FinishGeneration(t.Context(), "w-nowhere", generia.StatusCompleted, "", "", t0)
	wantKind(t, err, generia.KindNotFound, "FinishGeneration of an unknown world")
}

func testEndedGeneration(t *testing.T, s generia.Store) {
	for _, end := range []string{generia.StatusCompleted, generia.StatusFailed, generia.StatusCancelled} {
		t.Run(end, func(t *testing.T) {
			w, _ := newWorld(t, s, "w-"+end)
			c := createCharacter(t, s, newCharacter("c-"+end, w.ID, 0))
			_, err := s.FinishGeneration(t.Context(), w.ID, end, "", "", at(time.Hour))
			ok(t, err, "FinishGeneration")
			before := status(t, s, w.ID)

			_, err = s.AdvanceGeneration(t.Context(), w.ID, []generia.StageChange{change(generia.StagePosts, generia.StageInProgress)}, at(2*time.Hour))
			wantKind(t, err, generia.KindStopped, "AdvanceGeneration")
			wantKind(t, s.RequestCancel(t.Context(), w.ID, at(2*time.Hour)), generia.KindStopped, "RequestCancel")
			for _, kind := range []string{generia.CallLLM, generia.CallImage} {
				wantKind(t, s.ReserveCall(t.Context(), w.ID, kind), generia.KindStopped, "ReserveCall "+kind)
			}
			_, _, err = s.CreateCharacter(t.Context(), newCharacter("c-late-"+end, w.ID, 1))
			wantKind(t, err, generia.KindStopped, "CreateCharacter")
			_, _, err = s.CreatePost(t.Context(), newPost("p-late-"+end, c, t0))
			wantKind(t, err, generia.KindStopped, "CreatePost")

			same(t, "status", status(t, s, w.ID), before)
			same(t, "counts", counts(t, s, w.ID), generia.ContentCounts{Characters: 1})
		})
	}
}

func testRequestCancel(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	ai := createCharacter(t, s, newCharacter("c-ai", w.ID, 0))
	human := createCharacter(t, s, newUserCharacter("c-human", w.ID, 1))
	ok(t, s.ReserveCall(t.Context(), w.ID, generia.CallLLM), "ReserveCall")
	ok(t, s.RequestCancel(t.Context(), w.ID, at(time.Minute)), "RequestCancel")
	ok(t, s.RequestCancel(t.Context(), w.ID, at(2*time.Minute)), "RequestCancel again")

	st := status(t, s, w.ID)
	if !st.CancelRequested || generia.IsTerminal(st.Status) {
		t.Errorf("cancel requested, status = %v, %s; want true and not ended", st.CancelRequested, st.Status)
	}
	for _, kind := range []string{generia.CallLLM, generia.CallImage} {
		wantKind(t, s.ReserveCall(t.Context(), w.ID, kind), generia.KindStopped, "ReserveCall "+kind)
	}
	_, _, err := s.CreateCharacter(t.Context(), newCharacter("c-late", w.ID, 2))
	wantKind(t, err, generia.KindStopped, "CreateCharacter of a generated character")
	_, err = s.Character(t.Context(), "c-late")
	wantKind(t, err, generia.KindNotFound, "Character refused after the cancel")
	_, _, err = s.CreatePost(t.Context(), newPost("p-late", ai, t0))
	wantKind(t, err, generia.KindStopped, "CreatePost by a generated character")
	_, err = s.Post(t.Context(), "p-late", "")
	wantKind(t, err, generia.KindNotFound, "Post refused after the cancel")

	// A retried activity still gets what it created before the cancel.
	createAgain(t, "CreateCharacter of an existing ID", s.CreateCharacter, newCharacter("c-ai", w.ID, 0), ai)

	// People keep their own characters and posts.
	_, created, err := s.CreatePost(t.Context(), newPost("p-human", human, t0))
	ok(t, err, "CreatePost by a person's character")
	if !created {
		t.Error("CreatePost by a person's character did not create")
	}

	after := status(t, s, w.ID)
	if after.CharactersCreated != 1 || after.PostsCreated != 0 || after.CallsLLM != 1 {
		t.Errorf("users, posts, LLM calls = %d, %d, %d; want 1, 0, 1", after.CharactersCreated, after.PostsCreated, after.CallsLLM)
	}
	if active, err := s.ListActiveGenerations(t.Context()); err != nil || !slices.Contains(active, w.ID) {
		t.Errorf("active generations = %v, %v; want %s among them until it ends", active, err, w.ID)
	}
	st, err = s.FinishGeneration(t.Context(), w.ID, generia.StatusCancelled, "", "", at(time.Hour))
	ok(t, err, "FinishGeneration")
	if st.Status != generia.StatusCancelled {
		t.Errorf("status = %s, want cancelled", st.Status)
	}
}

func testStatusNotFound(t *testing.T, s generia.Store) {
	_, err := s.GenerationStatus(t.Context(), "w-nowhere")
	wantKind(t, err, generia.KindNotFound, "GenerationStatus")
	wantKind(t, s.RequestCancel(t.Context(), "w-nowhere", t0), generia.KindNotFound, "RequestCancel")
	wantKind(t, s.RecordCall(t.Context(), newCall("w-nowhere", generia.CallLLM, 0.25)), generia.KindNotFound, "RecordCall")
	_, err = s.ProviderCalls(t.Context(), "w-nowhere")
	wantKind(t, err, generia.KindNotFound, "ProviderCalls")
}

func testListActiveGenerations(t *testing.T, s generia.Store) {
	active, err := s.ListActiveGenerations(t.Context())
	ok(t, err, "ListActiveGenerations")
	if len(active) != 0 {
		t.Errorf("active generations of an empty store = %v", active)
	}
	newWorld(t, s, "w-pending")
	newWorld(t, s, "w-running")
	advance(t, s, "w-running", at(time.Second), change(generia.StageInitializing, generia.StageInProgress))
	for _, end := range []string{generia.StatusCompleted, generia.StatusFailed, generia.StatusCancelled} {
		newWorld(t, s, "w-"+end)
		_, err := s.FinishGeneration(t.Context(), "w-"+end, end, "", "", at(time.Second))
		ok(t, err, "FinishGeneration")
	}
	active, err = s.ListActiveGenerations(t.Context())
	ok(t, err, "ListActiveGenerations")
	slices.Sort(active)
	if want := []string{"w-pending", "w-running"}; !slices.Equal(active, want) {
		t.Errorf("active generations = %v, want %v", active, want)
	}
}
