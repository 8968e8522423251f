package generia

import "math"

// Ceilings are what the operator lets one account do: the most its owners
// may choose for a world's life, and what the account may spend a day
// across all its worlds, generations and lives together. A zero ceiling is
// none. The operator's settings are every account's ceilings, unless the
// operator set other ones for an account (CeilingsChange).
type Ceilings struct {
	// LifeActionsPerHour, LifeDailyCalls and LifeDailyBudgetUSD bound a
	// world's LifeSettings of the same names.
	LifeActionsPerHour float64 `json:"life_actions_per_hour"`
	LifeDailyCalls     int     `json:"life_daily_calls"`
	LifeDailyBudgetUSD float64 `json:"life_daily_budget_usd"`
	// DailyCalls and DailyBudgetUSD bound the provider calls of one account's
	// worlds in one day (UTC), and their cost. Calls of worlds whose
	// providers are both offline cost nothing and are not counted.
	DailyCalls     int     `json:"daily_calls"`
	DailyBudgetUSD float64 `json:"daily_budget_usd"`
}

// The settings that name the operator's ceilings, as messages name them.
const (
	SettingLifeMaxActionsPerHour = "GENERIA_LIFE_MAX_ACTIONS_PER_HOUR"
	SettingLifeMaxDailyCalls     = "GENERIA_LIFE_MAX_DAILY_CALLS"
	SettingLifeMaxDailyBudgetUSD = "GENERIA_LIFE_MAX_DAILY_BUDGET_USD"
	SettingAccountDailyCalls     = "GENERIA_ACCOUNT_DAILY_CALLS"
	SettingAccountDailyBudgetUSD = "GENERIA_ACCOUNT_DAILY_BUDGET_USD"
)

// Validate checks ceilings the operator sets: numbers, none negative.
func (c Ceilings) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"life_actions_per_hour", c.LifeActionsPerHour}, {"life_daily_calls", float64(c.LifeDailyCalls)},
		{"life_daily_budget_usd", c.LifeDailyBudgetUSD}, {"daily_calls", float64(c.DailyCalls)},
		{"daily_budget_usd", c.DailyBudgetUSD},
	} {
		if !finite(f.v) || f.v < 0 {
			return Errorf(KindInvalid, "%s must be a number ≥ 0 (0: no ceiling)", f.name)
		}
	}
	return nil
}

// Allow checks settings an owner asks for against the ceilings: a value
// above one gives KindInvalid naming the ceiling.
func (c Ceilings) Allow(s LifeSettings) error {
	switch {
	case c.LifeActionsPerHour > 0 && s.ActionsPerHour > c.LifeActionsPerHour:
		return Errorf(KindInvalid, "actions_per_hour %g is above this server's ceiling of %g actions an hour (%s)",
			s.ActionsPerHour, c.LifeActionsPerHour, SettingLifeMaxActionsPerHour)
	case c.LifeDailyCalls > 0 && s.DailyCalls > c.LifeDailyCalls:
		return Errorf(KindInvalid, "daily_calls %d is above this server's ceiling of %d calls a day (%s)",
			s.DailyCalls, c.LifeDailyCalls, SettingLifeMaxDailyCalls)
	case c.LifeDailyBudgetUSD > 0 && s.DailyBudgetUSD > c.LifeDailyBudgetUSD:
		return Errorf(KindInvalid, "daily_budget_usd %s is above this server's ceiling of %s a day (%s)",
			USD(s.DailyBudgetUSD), USD(c.LifeDailyBudgetUSD), SettingLifeMaxDailyBudgetUSD)
	}
	return nil
}

// Clamp returns the settings a world lives by: its owner's, each lowered
// to its ceiling. The ceilings are read at each decision, so a ceiling
// lowered after an owner chose takes effect before the world's next call.
func (c Ceilings) Clamp(s LifeSettings) LifeSettings {
	if c.LifeActionsPerHour > 0 {
		s.ActionsPerHour = min(s.ActionsPerHour, c.LifeActionsPerHour)
	}
	if c.LifeDailyCalls > 0 {
		s.DailyCalls = min(s.DailyCalls, c.LifeDailyCalls)
	}
	if c.LifeDailyBudgetUSD > 0 {
		s.DailyBudgetUSD = min(s.DailyBudgetUSD, c.LifeDailyBudgetUSD)
	}
	return s
}

// LifeMax returns the most an owner may choose of each of a world's life
// settings: the ceiling, or the absolute bound where there is none.
func (c Ceilings) LifeMax() LifeSettings {
	m := LifeSettings{ActionsPerHour: MaxLifeActionsPerHour, DailyCalls: MaxLifeDailyCalls, DailyBudgetUSD: MaxLifeDailyBudgetUSD}
	if c.LifeActionsPerHour > 0 {
		m.ActionsPerHour = min(m.ActionsPerHour, c.LifeActionsPerHour)
	}
	if c.LifeDailyCalls > 0 {
		m.DailyCalls = min(m.DailyCalls, c.LifeDailyCalls)
	}
	if c.LifeDailyBudgetUSD > 0 {
		m.DailyBudgetUSD = min(m.DailyBudgetUSD, c.LifeDailyBudgetUSD)
	}
	return m
}

// CeilingsChange is what the operator sets of one account's ceilings; a
// nil field keeps it as it is, and Reset returns every one to the
// operator's settings.
type CeilingsChange struct {
	LifeActionsPerHour *float64 `json:"life_actions_per_hour"`
	LifeDailyCalls     *int     `json:"life_daily_calls"`
	LifeDailyBudgetUSD *float64 `json:"life_daily_budget_usd"`
	DailyCalls         *int     `json:"daily_calls"`
	DailyBudgetUSD     *float64 `json:"daily_budget_usd"`
	Reset              bool     `json:"reset,omitempty"`
}

// Sets counts the ceilings the change sets.
func (ch CeilingsChange) Sets() int {
	n := 0
	for _, set := range []bool{ch.LifeActionsPerHour != nil, ch.LifeDailyCalls != nil, ch.LifeDailyBudgetUSD != nil,
		ch.DailyCalls != nil, ch.DailyBudgetUSD != nil} {
		if set {
			n++
		}
	}
	return n
}

// Apply returns c with the change's values; the result is validated.
func (ch CeilingsChange) Apply(c Ceilings) (Ceilings, error) {
	put(&c.LifeActionsPerHour, ch.LifeActionsPerHour)
	put(&c.LifeDailyCalls, ch.LifeDailyCalls)
	put(&c.LifeDailyBudgetUSD, ch.LifeDailyBudgetUSD)
	put(&c.DailyCalls, ch.DailyCalls)
	put(&c.DailyBudgetUSD, ch.DailyBudgetUSD)
	return c, c.Validate()
}

func put[T any](to *T, v *T) {
	if v != nil {
		*to = *v
	}
}

// AccountDay is what one day (UTC) of an account's worlds spent on
// providers, as the store counts it.
type AccountDay struct {
	UserID  string  `json:"user_id"`
	Day     string  `json:"day"`
	Calls   int     `json:"calls"`
	CostUSD float64 `json:"cost_usd"`
}

// Refuse says why the account's day refuses one more call under the
// ceilings, or nil when it allows it. As a world's life day, the budget
// sees the cost of the calls recorded, so the last call may pass it by its
// own cost.
func (d AccountDay) Refuse(c Ceilings) error {
	switch {
	case c.DailyCalls > 0 && d.Calls >= c.DailyCalls:
		return Errorf(KindLimit, "the account of this world's owner made the %d provider calls it may make on %s (%s); its worlds make no call until the next day (UTC), or until the operator raises the account's ceiling",
			c.DailyCalls, d.Day, SettingAccountDailyCalls)
	case c.DailyBudgetUSD > 0 && d.CostUSD >= c.DailyBudgetUSD:
		return Errorf(KindLimit, "the account of this world's owner spent its budget of %s for %s (%s); its worlds make no call until the next day (UTC), or until the operator raises the account's ceiling",
			USD(c.DailyBudgetUSD), d.Day, SettingAccountDailyBudgetUSD)
	}
	return nil
}

// AccountCeilings is an account's ceilings as the operator reads them:
// those in effect, whether the operator set them for this account, and
// what its worlds spent today.
type AccountCeilings struct {
	UserID   string     `json:"user_id"`
	Ceilings Ceilings   `json:"ceilings"`
	Custom   bool       `json:"custom"`
	Today    AccountDay `json:"today"`
}

// Spent reports whether the account's worlds have spent what they may
// today: its next call would be refused.
func (a AccountCeilings) Spent() bool { return a.Today.Refuse(a.Ceilings) != nil }

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Number checks that a number a person sent is finite (NaN and infinities
// pass no comparison, so a range check alone lets them through).
func Number(field string, f float64) error {
	if !finite(f) {
		return Errorf(KindInvalid, "%s must be a number", field)
	}
	return nil
}
