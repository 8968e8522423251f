package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/generia/generia/internal/generia"
)

// fakeLife keeps each world's life settings and answers them as its life,
// awake, as the pipeline's client would.
type fakeLife struct {
	mu       sync.Mutex
	settings map[string]generia.LifeSettings
}

func (l *fakeLife) Viewed(context.Context, string)                  {}
func (l *fakeLife) Commented(context.Context, string, string) error { return nil }
func (l *fakeLife) Posted(context.Context, string, string) error    { return nil }
func (l *fakeLife) EndLife(context.Context, string) error           { return nil }
func (l *fakeLife) CeilingsChanged(context.Context, string) error   { return nil }
func (l *fakeLife) SetLife(_ context.Context, id string, s generia.LifeSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.settings[id] = s
	return nil
}

func (l *fakeLife) LifeSettings(_ context.Context, id string) (generia.LifeSettings, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.settings[id], nil
}

func (l *fakeLife) Life(ctx context.Context, id string) (generia.LifeView, error) {
	s, _ := l.LifeSettings(ctx, id)
	state := generia.LifeAwake
	if s.Paused {
		state = generia.LifePaused
	}
	return generia.LifeView{State: state, Settings: s, CallsToday: 7}, nil
}

// The owner sees their world's life and changes it from the world page;
// anyone else sees only its state, and may not change it.
func TestWorldPageShowsAndChangesItsLife(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	life := &fakeLife{settings: map[string]generia.LifeSettings{
		"tidewater": {Enabled: true, ActionsPerHour: 6, DailyCalls: 200, DailyBudgetUSD: 0.5},
	}}
	f.social.Life = life
	ada, bob := f.signedIn(f.ada), f.signedIn(f.bob)

	ada.get("/worlds/tidewater").want(http.StatusOK, `data-life-state`, `>awake</span>`, `data-life-panel`,
		"7 of 200 calls", `name="daily_calls" min="1" max="100000" step="1" value="200"`)
	f.browser().get("/worlds/tidewater").want(http.StatusOK, `>awake</span>`).lacks(`data-life-panel`, "of 200 calls")

	form := url.Values{"_csrf": {ada.csrf}, "enabled": {"1"}, "paused": {"1"}, "actions_per_hour": {"12"}, "daily_calls": {"50"}, "daily_budget_usd": {"0.25"}}
	ada.postForm("/worlds/tidewater/life", form).want(http.StatusSeeOther)
	want := generia.LifeSettings{Enabled: true, Paused: true, ActionsPerHour: 12, DailyCalls: 50, DailyBudgetUSD: 0.25}
	if got, _ := life.LifeSettings(t.Context(), "tidewater"); got != want {
		t.Errorf("settings after the form = %+v, want %+v", got, want)
	}
	ada.get("/worlds/tidewater").want(http.StatusOK, `>paused</span>`, `name="paused" value="1" checked`)

	for name, bad := range map[string]url.Values{
		"no calls":        {"daily_calls": {"0"}},
		"a word for pace": {"actions_per_hour": {"many"}},
		"half a call":     {"daily_calls": {"2.5"}},
	} {
		bad.Set("_csrf", ada.csrf)
		bad.Set("enabled", "1")
		if r := ada.postForm("/worlds/tidewater/life", bad); r.status != http.StatusBadRequest {
			t.Errorf("the life form with %s: %d, want 400", name, r.status)
		}
	}
	bob.postForm("/worlds/tidewater/life", url.Values{"_csrf": {bob.csrf}, "enabled": {"1"}}).want(http.StatusForbidden)
	if got, _ := life.LifeSettings(t.Context(), "tidewater"); got != want {
		t.Errorf("settings after refused forms = %+v, want %+v", got, want)
	}
}

// The owner's life form shows the operator's ceilings and holds to them: a
// value above one is refused naming it, NaN and infinities are refused,
// and nothing changes; a ceiling lowered later shows the world's settings
// clamped at once.
func TestLifeFormHoldsToTheCeilings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.store.UseCeilings(generia.Ceilings{LifeActionsPerHour: 60, LifeDailyCalls: 500, LifeDailyBudgetUSD: 1, DailyBudgetUSD: 5})
	start := generia.LifeSettings{Enabled: true, ActionsPerHour: 30, DailyCalls: 200, DailyBudgetUSD: 0.5}
	life := &fakeLife{settings: map[string]generia.LifeSettings{"tidewater": start}}
	f.social.Life = life
	ada := f.signedIn(f.ada)

	ada.get("/worlds/tidewater").want(http.StatusOK, `name="actions_per_hour" min="0" max="60"`, `name="daily_calls" min="1" max="500"`,
		`name="daily_budget_usd" min="0" max="1.00"`, "data-life-ceilings", "all your worlds together $5.00 a day")

	for name, c := range map[string]struct {
		form    url.Values
		message string
	}{
		"3600 actions an hour": {url.Values{"actions_per_hour": {"3600"}}, generia.SettingLifeMaxActionsPerHour},
		"$1000 a day":          {url.Values{"daily_budget_usd": {"1000"}}, generia.SettingLifeMaxDailyBudgetUSD},
		"100000 calls a day":   {url.Values{"daily_calls": {"100000"}}, generia.SettingLifeMaxDailyCalls},
		"a NaN pace":           {url.Values{"actions_per_hour": {"NaN"}}, "must be a number"},
		"an infinite budget":   {url.Values{"daily_budget_usd": {"Inf"}}, "must be a number"},
		"a NaN budget":         {url.Values{"daily_budget_usd": {"nan"}}, "must be a number"},
		"NaN calls":            {url.Values{"daily_calls": {"NaN"}}, "must be a number"},
		"a negative infinity":  {url.Values{"actions_per_hour": {"-Infinity"}}, "must be a number"},
	} {
		c.form.Set("_csrf", ada.csrf)
		c.form.Set("enabled", "1")
		r := ada.postForm("/worlds/tidewater/life", c.form)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, c.message) {
			t.Errorf("the life form with %s: %d, want 400 saying %q", name, r.status, c.message)
		}
	}
	if got, _ := life.LifeSettings(t.Context(), "tidewater"); got != start {
		t.Errorf("settings after refused forms = %+v, want %+v", got, start)
	}

	// Within the ceilings, the form is taken.
	ok := url.Values{"_csrf": {ada.csrf}, "enabled": {"1"}, "actions_per_hour": {"60"}, "daily_calls": {"500"}, "daily_budget_usd": {"1"}}
	ada.postForm("/worlds/tidewater/life", ok).want(http.StatusSeeOther)

	// The operator lowers a ceiling: the owner sees what the world lives by.
	f.store.UseCeilings(generia.Ceilings{LifeActionsPerHour: 4, LifeDailyCalls: 500, LifeDailyBudgetUSD: 1})
	ada.get("/worlds/tidewater").want(http.StatusOK, `name="actions_per_hour" min="0" max="4" step="any" value="4"`)
}
