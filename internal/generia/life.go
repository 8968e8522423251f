package generia

import (
	"math"
	"time"
)

// The states of a world's life.
const (
	// LifeAwake: someone watches; characters act and answer.
	LifeAwake = "awake"
	// LifeAsleep: nobody watched for the idle time; nothing runs until a
	// view or a comment wakes the world.
	LifeAsleep = "asleep"
	// LifeResting: a daily ceiling is reached; the world rests until its
	// next day.
	LifeResting = "resting"
	// LifePaused: the owner paused it.
	LifePaused = "paused"
	// LifeOff: the owner turned life off, or the world has not completed.
	LifeOff = "off"
)

// A world answers at most LifeAnswersPerMinute comments a minute; at most
// LifeMaxWaiting wait for their answer, and those past it are declined
// (each person's comments are rate-limited before they get here).
const (
	LifeAnswersPerMinute = 20
	LifeMaxWaiting       = 100
)

// LifeWorkflowID is the Temporal workflow ID of a world's life.
func LifeWorkflowID(worldID string) string { return "world-life-" + worldID }

// LifeSettings are what a world's owner sets of its life.
type LifeSettings struct {
	Enabled bool `json:"enabled"`
	Paused  bool `json:"paused"`
	// ActionsPerHour is how often characters act on their own while the
	// world is awake; 0 keeps them to answering.
	ActionsPerHour float64 `json:"actions_per_hour"`
	// DailyCalls and DailyBudgetUSD are the ceilings of one day's provider
	// calls and their cost.
	DailyCalls     int     `json:"daily_calls"`
	DailyBudgetUSD float64 `json:"daily_budget_usd"`
}

// Bounds of the life settings, whatever the operator's Ceilings.
const (
	MaxLifeActionsPerHour = 3600
	MaxLifeDailyCalls     = 100_000
	MaxLifeDailyBudgetUSD = 1000
)

// Validate checks settings an owner asks for. NaN and infinities are
// refused: NaN passes no comparison, so a range check alone would store it
// (and a world whose pace is NaN never acts again). The operator's
// Ceilings bound them further (Ceilings.Allow).
func (s LifeSettings) Validate() error {
	switch {
	case !finite(s.ActionsPerHour) || s.ActionsPerHour < 0 || s.ActionsPerHour > MaxLifeActionsPerHour:
		return FieldErrorf("actions_per_hour", "actions_per_hour must be from 0 to %d", MaxLifeActionsPerHour)
	case s.DailyCalls < 1 || s.DailyCalls > MaxLifeDailyCalls:
		return FieldErrorf("daily_calls", "daily_calls must be from 1 to %d", MaxLifeDailyCalls)
	case !finite(s.DailyBudgetUSD) || s.DailyBudgetUSD < 0 || s.DailyBudgetUSD > MaxLifeDailyBudgetUSD:
		return FieldErrorf("daily_budget_usd", "daily_budget_usd must be from 0 to %d", MaxLifeDailyBudgetUSD)
	}
	return nil
}

// LifeDay is what one day of a world's life has spent, as the store
// counts it.
type LifeDay struct {
	WorldID string
	// Day is the date, in UTC, "2006-01-02".
	Day     string
	Calls   int
	CostUSD float64
}

// DayOf is the life day of a time.
func DayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// NextDay is when the life day of t ends.
func NextDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Refuse says why a day's ceilings refuse one more call, or nil when they
// allow it. A call is allowed while the calls are under the ceiling and
// the cost spent is under the budget (a call's cost is known only after
// it, so the last call of a day may pass the budget by its own cost).
func (d LifeDay) Refuse(s LifeSettings) error {
	switch {
	case d.Calls >= s.DailyCalls:
		return Errorf(KindLimit, "the world made its %d provider calls of %s; it rests until the next day", s.DailyCalls, d.Day)
	case d.CostUSD >= s.DailyBudgetUSD && d.CostUSD > 0:
		return Errorf(KindLimit, "the world spent its budget of %s for %s; it rests until the next day", USD(s.DailyBudgetUSD), d.Day)
	}
	return nil
}

// LifeView is a world's life as its owner and the API see it.
type LifeView struct {
	State        string       `json:"state"`
	Settings     LifeSettings `json:"settings"`
	Day          string       `json:"day"`
	ActionsToday int          `json:"actions_today"`
	CallsToday   int          `json:"calls_today"`
	CostTodayUSD float64      `json:"cost_today_usd"`
	// Waiting counts the comments that wait for an answer.
	Waiting      int        `json:"waiting"`
	NextActionAt *time.Time `json:"next_action_at"`
	LastViewedAt *time.Time `json:"last_viewed_at"`
	RestsUntil   *time.Time `json:"rests_until,omitempty"`
	// Ceilings are what the world's owner may choose, shown to the owner
	// only; Settings are then within them.
	Ceilings *Ceilings `json:"ceilings,omitempty"`
}

// LifeRecord is a world's life as its workflow last recorded it in the
// store, where pages, the API and streams read it: a page view asks the
// store, never the workflow. The workflow records it when its state, its
// day's actions or its next action change; a view that wakes a sleeping
// world records it awake at once.
type LifeRecord struct {
	WorldID string
	// State is one of the Life* states.
	State string
	// Day is the life day ActionsToday, CallsToday and CostTodayUSD count
	// in, as the workflow last saw them.
	Day          string
	ActionsToday int
	CallsToday   int
	CostTodayUSD float64
	// Waiting counts the comments and posts that wait for an answer.
	Waiting int
	// NextActionAt is when an awake world acts on its own next,
	// LastViewedAt when someone last viewed it, RestsUntil when a resting
	// world's day ends; zero when there is none.
	NextActionAt, LastViewedAt, RestsUntil time.Time
	// UpdatedAt is when it was recorded.
	UpdatedAt time.Time
}

// Validate checks a record before it is stored.
func (r LifeRecord) Validate() error {
	switch r.State {
	case LifeAwake, LifeAsleep, LifeResting, LifePaused, LifeOff:
	default:
		return Errorf(KindInvalid, "life state %q is none of awake, asleep, resting, paused, off", r.State)
	}
	if r.WorldID == "" {
		return Errorf(KindInvalid, "world ID is required")
	}
	if r.ActionsToday < 0 || r.CallsToday < 0 || r.Waiting < 0 || r.CostTodayUSD < 0 || math.IsNaN(r.CostTodayUSD) || math.IsInf(r.CostTodayUSD, 0) {
		return Errorf(KindInvalid, "a life record counts nothing below zero")
	}
	return nil
}
