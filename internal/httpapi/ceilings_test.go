package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/socialtest"
)

// ceilingsAPI is the API of newAPI with the operator's ceilings set, a
// life for ada's world, and the operator's token.
type ceilingsAPI struct {
	*api
	store    generia.Store
	life     *socialtest.Life
	operator string
}

func newCeilingsAPI(t *testing.T) *ceilingsAPI {
	t.Helper()
	a, s := newAPIServer(t)
	c := &ceilingsAPI{api: a, store: s.Social.Store, life: &socialtest.Life{}}
	s.Social.Life = c.life
	c.store.UseCeilings(generia.Ceilings{LifeActionsPerHour: 60, LifeDailyCalls: 500, LifeDailyBudgetUSD: 1, DailyCalls: 2000, DailyBudgetUSD: 5})
	ctx := t.Context()
	op, err := c.store.CreateUser(ctx, generia.User{ID: "u-operator", Username: social.OperatorUsername, Email: "operator@localhost", CreatedAt: time.Now().UTC()}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	f := generia.TokenFamily{ID: "f-operator", UserID: op.ID, Generation: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now().UTC()}
	if err := c.store.StartTokenFamily(ctx, f, "refresh-hash"); err != nil {
		t.Fatal(err)
	}
	if c.operator, _, err = s.Tokens.Issue(f, time.Hour); err != nil {
		t.Fatal(err)
	}
	return c
}

// as calls the API with another token.
func (c *ceilingsAPI) as(t *testing.T, token, method, path, body string, out any) int {
	t.Helper()
	saved := c.token
	defer func() { c.token = saved }()
	c.token = token
	return c.call(t, method, path, body, out)
}

// An owner's life above the operator's ceilings is refused with 400 naming
// the ceiling, as is a number JSON cannot hold, and nothing changes; the
// owner reads the ceilings and the settings clamped to them.
func TestSetLifeHoldsToTheCeilings(t *testing.T) {
	c := newCeilingsAPI(t)
	path := "/api/v1/worlds/" + c.world + "/life"
	before, _ := c.life.LifeSettings(t.Context(), c.world)
	for _, bad := range []struct{ body, says string }{
		{`{"actions_per_hour": 3600}`, generia.SettingLifeMaxActionsPerHour},
		{`{"daily_budget_usd": 1000}`, generia.SettingLifeMaxDailyBudgetUSD},
		{`{"daily_calls": 100000}`, generia.SettingLifeMaxDailyCalls},
		{`{"actions_per_hour": 1e999}`, "not valid JSON"},
		{`{"daily_budget_usd": NaN}`, "not valid JSON"},
		{`{"daily_budget_usd": "Infinity"}`, "not valid JSON"},
		{`{"actions_per_hour": -1}`, "actions_per_hour"},
	} {
		var e struct{ Error struct{ Message string } }
		if code := c.call(t, "POST", path, bad.body, &e); code != http.StatusBadRequest || !strings.Contains(e.Error.Message, bad.says) {
			t.Errorf("POST life %s: HTTP %d %q, want 400 saying %q", bad.body, code, e.Error.Message, bad.says)
		}
	}
	if got, _ := c.life.LifeSettings(t.Context(), c.world); got != before {
		t.Errorf("settings after refused changes = %+v, want %+v", got, before)
	}

	var v generia.LifeView
	if code := c.call(t, "POST", path, `{"actions_per_hour": 60, "daily_budget_usd": 1}`, &v); code != http.StatusOK {
		t.Fatalf("POST life within the ceilings: HTTP %d", code)
	}
	if v.Ceilings == nil || v.Ceilings.LifeActionsPerHour != 60 || v.Settings.ActionsPerHour != 60 {
		t.Errorf("the life after the change = %+v (ceilings %+v), want 60 actions an hour under a ceiling of 60", v.Settings, v.Ceilings)
	}

	// The operator lowers the ceiling: the world lives by it at once.
	c.store.UseCeilings(generia.Ceilings{LifeActionsPerHour: 10, LifeDailyCalls: 500, LifeDailyBudgetUSD: 0.25})
	v = generia.LifeView{}
	if code := c.call(t, "GET", path, "", &v); code != http.StatusOK {
		t.Fatalf("GET life: HTTP %d", code)
	}
	if v.Settings.ActionsPerHour != 10 || v.Settings.DailyBudgetUSD != 0.25 {
		t.Errorf("the life under lowered ceilings = %+v, want 10 actions an hour and $0.25 a day", v.Settings)
	}
}

// The operator reads and raises one account's ceilings; anyone else gets
// 403 (a visitor 401) and changes nothing; the owner may then choose up to
// the raised ceiling.
func TestOperatorRaisesOneAccountsCeilings(t *testing.T) {
	c := newCeilingsAPI(t)
	path := "/api/v1/admin/accounts/ada/ceilings"
	if code := c.call(t, "PUT", path, `{"life_actions_per_hour": 600}`, nil); code != http.StatusForbidden {
		t.Errorf("ada raising her own ceilings: HTTP %d, want 403", code)
	}
	if code := c.call(t, "GET", path, "", nil); code != http.StatusForbidden {
		t.Errorf("ada reading her ceilings at the admin route: HTTP %d, want 403", code)
	}
	if code := c.as(t, "", "PUT", path, `{"life_actions_per_hour": 600}`, nil); code != http.StatusUnauthorized {
		t.Errorf("a visitor raising ada's ceilings: HTTP %d, want 401", code)
	}
	var got generia.AccountCeilings
	if code := c.as(t, c.operator, "GET", path, "", &got); code != http.StatusOK || got.Custom || got.Ceilings.LifeActionsPerHour != 60 {
		t.Fatalf("the operator reading ada's ceilings: HTTP %d %+v, want the settings' 60 actions an hour", code, got)
	}
	if code := c.call(t, "POST", "/api/v1/worlds/"+c.world+"/life", `{"actions_per_hour": 300}`, nil); code != http.StatusBadRequest {
		t.Errorf("300 actions an hour before the raise: HTTP %d, want 400", code)
	}

	for _, bad := range []string{`{"daily_budget_usd": -1}`, `{"daily_calls": 1e999}`, `{"life_daily_calls": "many"}`} {
		if code := c.as(t, c.operator, "PUT", path, bad, nil); code != http.StatusBadRequest {
			t.Errorf("the operator setting %s: HTTP %d, want 400", bad, code)
		}
	}
	if code := c.as(t, c.operator, "PUT", "/api/v1/admin/accounts/nobody/ceilings", `{"daily_calls": 5}`, nil); code != http.StatusNotFound {
		t.Errorf("the operator setting an unknown account's ceilings: HTTP %d, want 404", code)
	}
	got = generia.AccountCeilings{}
	if code := c.as(t, c.operator, "PUT", path, `{"life_actions_per_hour": 600, "daily_budget_usd": 50}`, &got); code != http.StatusOK {
		t.Fatalf("the operator raising ada's ceilings: HTTP %d", code)
	}
	if !got.Custom || got.Ceilings.LifeActionsPerHour != 600 || got.Ceilings.DailyBudgetUSD != 50 || got.Ceilings.LifeDailyCalls != 500 {
		t.Errorf("ada's raised ceilings = %+v", got)
	}
	if code := c.call(t, "POST", "/api/v1/worlds/"+c.world+"/life", `{"actions_per_hour": 300}`, nil); code != http.StatusOK {
		t.Errorf("300 actions an hour after the raise: HTTP %d, want 200", code)
	}
	// By ID as well as by name, and a reset returns to the settings.
	var ada generia.User
	if code := c.call(t, "GET", "/api/v1/auth/me", "", &ada); code != http.StatusOK {
		t.Fatalf("me: HTTP %d", code)
	}
	got = generia.AccountCeilings{}
	if code := c.as(t, c.operator, "PUT", fmt.Sprintf("/api/v1/admin/accounts/%s/ceilings", ada.ID), `{"reset": true}`, &got); code != http.StatusOK || got.Custom {
		t.Errorf("the operator resetting ada's ceilings: HTTP %d %+v", code, got)
	}
}
