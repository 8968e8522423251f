package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline"
)

// queryCountingTemporal is a Temporal that takes signals and counts them, and
// counts and fails every workflow query: no life workflow runs, so only
// the store can say what a life is.
type queryCountingTemporal struct {
	client.Client
	queries, signals atomic.Int32
}

func (c *queryCountingTemporal) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	c.queries.Add(1)
	return nil, errors.New("Temporal is not reachable in this test")
}

func (c *queryCountingTemporal) SignalWithStartWorkflow(context.Context, string, string, any, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	c.signals.Add(1)
	return nil, nil
}

// The world page reads the life from the store, as its workflow recorded
// it, and never asks the workflow: a visitor who enters a sleeping world
// sees it awake at once, as its owner's panel does, and the owner's pause
// shows at once on both; not one query reaches Temporal.
func TestPagesReadTheLifeFromTheStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	temporal := &queryCountingTemporal{}
	f.social.Life = &pipeline.Client{Client: temporal, Store: f.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LifeDefaults: pipeline.LifeDefaults{Idle: time.Minute, Settings: generia.LifeSettings{Enabled: true, ActionsPerHour: 6, DailyCalls: 200, DailyBudgetUSD: 0.5}}}
	ctx := t.Context()
	asleep := generia.LifeRecord{WorldID: f.world.ID, State: generia.LifeAsleep, Day: generia.DayOf(time.Now()), ActionsToday: 2,
		LastViewedAt: time.Now().Add(-time.Hour), UpdatedAt: time.Now().Add(-time.Hour)}
	if err := f.store.RecordLife(ctx, asleep); err != nil {
		t.Fatal(err)
	}
	ada := f.signedIn(f.ada)
	page := "/worlds/" + f.world.ID

	f.browser().get(page).want(http.StatusOK, `>awake</span>`).lacks(`>asleep</span>`, `data-life-panel`)
	ada.get(page).want(http.StatusOK, `>awake</span>`, `data-life-panel`)
	if r, err := f.store.LifeRecord(ctx, f.world.ID); err != nil || r.State != generia.LifeAwake || r.ActionsToday != 2 {
		t.Errorf("the stored record after a view = %+v, %v; want awake, its counts kept", r, err)
	}

	form := url.Values{"_csrf": {ada.csrf}, "enabled": {"1"}, "paused": {"1"}, "actions_per_hour": {"6"}, "daily_calls": {"200"}, "daily_budget_usd": {"0.5"}}
	ada.postForm(page+"/life", form).want(http.StatusSeeOther)
	ada.get(page).want(http.StatusOK, `>paused</span>`, `data-life-panel`)
	f.browser().get(page).want(http.StatusOK, `>paused</span>`)
	if n := temporal.queries.Load(); n != 0 {
		t.Errorf("%d workflow queries to show the world's life, want none", n)
	}
}

// A visitor's page, kept for the crowd, still shows at once what is
// written through this server, and never what a signed-in person sees.
func TestAVisitorsWorldPageShowsWritesAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	post := f.posts[len(f.posts)-1] // the newest, on the first page
	page := "/worlds/" + f.world.ID
	count := regexp.MustCompile(`href="/login\?next=/worlds/` + regexp.QuoteMeta(f.world.ID) + `/posts/` + regexp.QuoteMeta(post.ID) + `"[^>]*>\s*<svg[^>]*>.*?</svg>\s*<span class="count">(\d+)</span>`)
	likes := func() int {
		t.Helper()
		m := count.FindStringSubmatch(f.browser().get(page).want(http.StatusOK).body)
		if m == nil {
			t.Fatalf("no like count of post %s on a visitor's page", post.ID)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before := likes()
	cy := f.signedIn(f.cy)
	cy.get(page).want(http.StatusOK, `name="_csrf"`)
	cy.postForm(page+"/posts/"+post.ID+"/like", url.Values{"_csrf": {cy.csrf}, "like": {"1"}}).want(http.StatusSeeOther)
	if after := likes(); after != before+1 {
		t.Errorf("a visitor's page shows %d likes after a like, want %d", after, before+1)
	}
	f.browser().get(page).lacks(`name="_csrf"`, "@"+f.cy.Username)
}
