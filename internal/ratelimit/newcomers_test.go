package ratelimit

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

func TestNewcomersHaveLowerLimits(t *testing.T) {
	l := New(nil, Rate{N: 10, Period: time.Minute}, Rate{N: 5, Period: time.Hour}, Rate{N: 20, Period: time.Hour})
	rates, err := ParseNewcomerRates("worlds=2/24h, comments=3/24h")
	if err != nil {
		t.Fatal(err)
	}
	newcomers := map[string]bool{"new": true}
	l.SetNewcomers(func(_ context.Context, account string) (bool, error) { return newcomers[account], nil }, rates)

	spend := func(rule, account, addr string) error {
		r := httptest.NewRequest("POST", "/api/v1/worlds", nil)
		r.RemoteAddr = addr + ":1234"
		_, err := l.Spend(httptest.NewRecorder(), r, rule, account)
		return err
	}
	for i := range 2 {
		if err := spend(Worlds, "new", "192.0.2.1"); err != nil {
			t.Fatalf("a newcomer's world %d: %v", i+1, err)
		}
	}
	err = spend(Worlds, "new", "192.0.2.1")
	if !generia.IsKind(err, generia.KindLimit) || !strings.Contains(err.Error(), "new account") {
		t.Fatalf("a newcomer's third world of the day: %v; want refused, saying a new account's limits", err)
	}
	for i := range 5 {
		if err := spend(Worlds, "old", "192.0.2.2"); err != nil {
			t.Fatalf("an older account's world %d: %v", i+1, err)
		}
	}
	// Posts have no newcomer rate here: a newcomer posts at the account's.
	for i := range 5 {
		if err := spend(Posts, "new", "192.0.2.1"); err != nil {
			t.Fatalf("a newcomer's post %d: %v", i+1, err)
		}
	}
}

func TestParseNewcomerRates(t *testing.T) {
	for _, bad := range []string{"friends=2/24h", "worlds=2", "worlds", "worlds=0/24h", "worlds=2/1d"} {
		if _, err := ParseNewcomerRates(bad); err == nil {
			t.Errorf("ParseNewcomerRates(%q) = nil error", bad)
		}
	}
	got, err := ParseNewcomerRates("lives=1/1h,uploads=4/24h")
	if err != nil || got[Life] != (Rate{N: 1, Period: time.Hour}) || got[Uploads] != (Rate{N: 4, Period: 24 * time.Hour}) {
		t.Errorf("ParseNewcomerRates: %v, %v", got, err)
	}
}
