package pipeline

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/sqlite"
)

// countingTemporal is a real Temporal client that counts the workflow
// queries made through it.
type countingTemporal struct {
	client.Client
	queries atomic.Int32
}

func (c *countingTemporal) QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error) {
	c.queries.Add(1)
	return c.Client.QueryWorkflow(ctx, workflowID, runID, queryType, args...)
}

// A world's life is read from the store, never by a workflow query: on a
// real Temporal server with real workers and a SQLite store, a view makes
// the record say awake at once, the workflow records asleep after the idle
// time, another view wakes it at once again, and the owner's pause shows
// at once; through it all not one query reaches Temporal, while the
// operator's QueryLife still asks the workflow.
func TestLifeIsReadFromTheStoreWithoutAQuery(t *testing.T) {
	ctx := t.Context()
	temporal := &countingTemporal{Client: startTemporal(t)}
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "generia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	acts := &Activities{Store: store}
	for _, q := range []string{QueueMain, QueueProgress} {
		w := worker.New(temporal.Client, q, worker.Options{})
		register(w, q, acts)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	now := time.Now().UTC()
	world := generia.World{ID: "w-life", OwnerID: "u-ada", Name: "Tidewater", Prompt: "A harbour city on a tide that never ebbs",
		CharactersCount: 1, PostsCount: 1, Visibility: generia.VisibilityPublic, Providers: generia.Providers{LLM: "offline", Image: "offline"},
		WorkflowID: generia.WorldWorkflowID("w-life"), CreatedAt: now, UpdatedAt: now}
	if err := store.CreateWorld(ctx, world, generia.NewGenerationStatus(world, generia.NewPlan(1, 1))); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FinishGeneration(ctx, world.ID, generia.StatusCompleted, "", "", now); err != nil {
		t.Fatal(err)
	}
	const idle = 2 * time.Second
	g := &Client{Client: temporal, Store: store, LifeDefaults: LifeDefaults{Idle: idle,
		Settings: generia.LifeSettings{Enabled: true, DailyCalls: 10, DailyBudgetUSD: 0.1}}}
	t.Cleanup(func() { _ = g.EndLife(context.Background(), world.ID) })
	life := func() generia.LifeView {
		t.Helper()
		v, err := g.Life(ctx, world.ID)
		if err != nil {
			t.Fatalf("reading the life: %v", err)
		}
		return v
	}
	waitFor := func(what string, cond func(generia.LifeView) bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(life()); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the life never was %s: %+v", what, life())
			}
		}
	}

	if v := life(); v.State != generia.LifeAsleep {
		t.Errorf("a completed world whose life never ran: %+v, want asleep", v)
	}
	g.Viewed(ctx, world.ID)
	if v := life(); v.State != generia.LifeAwake {
		t.Errorf("right after a first view: %+v, want awake", v)
	}
	// The life starts, records itself, and sleeps after the idle time.
	waitFor("asleep after the idle time", func(v generia.LifeView) bool { return v.State == generia.LifeAsleep })
	rec, err := store.LifeRecord(ctx, world.ID)
	if err != nil || rec.State != generia.LifeAsleep {
		t.Fatalf("the stored record = %+v, %v; want the workflow's asleep", rec, err)
	}
	time.Sleep(g.viewEvery()) // the next view is due
	g.Viewed(ctx, world.ID)
	if v := life(); v.State != generia.LifeAwake || v.LastViewedAt == nil {
		t.Errorf("right after a view of the sleeping world: %+v, want awake", v)
	}
	if err := g.SetLife(ctx, world.ID, generia.LifeSettings{Enabled: true, Paused: true, DailyCalls: 10, DailyBudgetUSD: 0.1}); err != nil {
		t.Fatal(err)
	}
	if v := life(); v.State != generia.LifePaused {
		t.Errorf("right after the owner paused it: %+v, want paused", v)
	}
	waitFor("recorded paused by the workflow", func(generia.LifeView) bool {
		r, err := store.LifeRecord(ctx, world.ID)
		return err == nil && r.State == generia.LifePaused
	})
	if n := temporal.queries.Load(); n != 0 {
		t.Errorf("%d workflow queries to read the life, want none", n)
	}

	// The operator still asks the workflow itself.
	v, err := g.QueryLife(ctx, world.ID)
	if err != nil || v.State != generia.LifePaused || temporal.queries.Load() != 1 {
		t.Errorf("the operator's query = %+v, %v (%d queries); want paused, asked once", v, err, temporal.queries.Load())
	}
}

// What a reader sees of a life follows its record, corrected by what the
// store knows better and sooner: the owner's settings, the world's
// generation and the day's ledger; an awake life says itself when it rests.
func TestLifeViewFromItsRecord(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	today, yesterday := generia.DayOf(now), generia.DayOf(now.Add(-24*time.Hour))
	live := generia.LifeSettings{Enabled: true, ActionsPerHour: 6, DailyCalls: 10, DailyBudgetUSD: 1}
	completed := generia.World{ID: "w1", Status: generia.StatusCompleted}
	next := now.Add(5 * time.Minute)
	spent := generia.LifeDay{WorldID: "w1", Day: today, Calls: 10}
	fresh := generia.LifeDay{WorldID: "w1", Day: today, Calls: 3, CostUSD: 0.01}
	for _, tc := range []struct {
		name     string
		world    generia.World
		settings generia.LifeSettings
		rec      generia.LifeRecord
		day      generia.LifeDay
		want     string
		check    func(generia.LifeView) bool
	}{
		{"generating", generia.World{ID: "w1", Status: generia.StatusInProgress}, live, generia.LifeRecord{}, fresh, generia.LifeOff, nil},
		{"turned off over an awake record", completed, generia.LifeSettings{DailyCalls: 10}, generia.LifeRecord{State: generia.LifeAwake}, fresh, generia.LifeOff, nil},
		{"paused over an awake record", completed, generia.LifeSettings{Enabled: true, Paused: true, DailyCalls: 10}, generia.LifeRecord{State: generia.LifeAwake}, fresh, generia.LifePaused, nil},
		{"nothing recorded yet", completed, live, generia.LifeRecord{}, fresh, generia.LifeAsleep, nil},
		{"resumed, not yet recorded", completed, live, generia.LifeRecord{State: generia.LifePaused}, fresh, generia.LifeAsleep, nil},
		{"asleep with its day spent", completed, live, generia.LifeRecord{State: generia.LifeAsleep, Day: today}, spent, generia.LifeResting,
			func(v generia.LifeView) bool { return v.RestsUntil != nil && v.RestsUntil.Equal(generia.NextDay(now)) }},
		{"awake saving its last step", completed, live, generia.LifeRecord{State: generia.LifeAwake, Day: today}, spent, generia.LifeAwake, nil},
		{"resting since yesterday", completed, live, generia.LifeRecord{State: generia.LifeResting, Day: yesterday, ActionsToday: 4, RestsUntil: generia.NextDay(now.Add(-24 * time.Hour))},
			generia.LifeDay{WorldID: "w1", Day: today}, generia.LifeAsleep, func(v generia.LifeView) bool { return v.ActionsToday == 0 && v.RestsUntil == nil }},
		{"awake with its next action", completed, live, generia.LifeRecord{State: generia.LifeAwake, Day: today, ActionsToday: 2, Waiting: 1, NextActionAt: next, LastViewedAt: now}, fresh, generia.LifeAwake,
			func(v generia.LifeView) bool {
				return v.NextActionAt != nil && v.NextActionAt.Equal(next) && v.ActionsToday == 2 && v.CallsToday == 3 && v.CostTodayUSD == 0.01 &&
					v.Waiting == 1 && v.LastViewedAt != nil && v.Settings == live && v.Day == today
			}},
		{"asleep has no next action", completed, live, generia.LifeRecord{State: generia.LifeAsleep, Day: today, NextActionAt: next}, fresh, generia.LifeAsleep,
			func(v generia.LifeView) bool { return v.NextActionAt == nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lifeView(tc.world, tc.settings, tc.rec, tc.day, now)
			if v.State != tc.want || (tc.check != nil && !tc.check(v)) {
				t.Errorf("lifeView = %+v, want %s", v, tc.want)
			}
		})
	}
}
