package cli

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpapi"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/socialtest"
)

// `generia account ceilings` reads and raises one account's ceilings
// through the API with the operator's token; with another token it is
// refused and changes nothing.
func TestAccountCeilingsCommand(t *testing.T) {
	store := localtest.Store(t, ":memory:")
	store.UseCeilings(generia.Ceilings{LifeActionsPerHour: 60, LifeDailyCalls: 500, LifeDailyBudgetUSD: 1, DailyCalls: 2000, DailyBudgetUSD: 5})
	tokens, err := auth.NewTokens([]byte(strings.Repeat("k", 32)), store)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := socialtest.Service(store, localtest.Media(t, t.TempDir()))
	plenty := ratelimit.Rate{N: 1 << 30, Period: time.Second}
	srv := httptest.NewServer((&httpapi.Server{Social: svc, Tokens: tokens, Sessions: &auth.Sessions{Store: store},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: ratelimit.New(nil, plenty, plenty, plenty)}).Handler())
	t.Cleanup(srv.Close)
	ctx := t.Context()
	tokenOf := func(id, username string) string {
		t.Helper()
		u, err := store.CreateUser(ctx, generia.User{ID: id, Username: username, Email: username + "@example.com", CreatedAt: time.Now().UTC()}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		f := generia.TokenFamily{ID: "f-" + id, UserID: u.ID, Generation: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now().UTC()}
		if err := store.StartTokenFamily(ctx, f, "refresh-"+id); err != nil {
			t.Fatal(err)
		}
		token, _, err := tokens.Issue(f, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	operator, ada := tokenOf("u-operator", social.OperatorUsername), tokenOf("u-ada", "ada")
	t.Setenv("GENERIA_SERVER", srv.URL)
	run := func(token string, args ...string) (int, string) {
		t.Helper()
		t.Setenv("GENERIA_TOKEN", token)
		var out, errOut bytes.Buffer
		code := Main(ctx, append([]string{"account", "ceilings"}, args...), Env{Stdout: &out, Stderr: &errOut})
		return code, out.String() + errOut.String()
	}

	if code, out := run(ada, "ada", "--daily-budget-usd", "50"); code == 0 || !strings.Contains(out, "operator") {
		t.Errorf("ada raising her own budget: exit %d\n%s", code, out)
	}
	code, out := run(operator, "ada")
	if code != 0 || !strings.Contains(out, "the operator's settings") || !strings.Contains(out, "$5.00") {
		t.Errorf("reading ada's ceilings: exit %d\n%s", code, out)
	}
	code, out = run(operator, "ada", "--daily-budget-usd", "50", "--life-actions-per-hour", "600")
	if code != 0 || !strings.Contains(out, "set for this account") || !strings.Contains(out, "$50.00") || !strings.Contains(out, "600") {
		t.Errorf("raising ada's ceilings: exit %d\n%s", code, out)
	}
	a, err := store.AccountCeilings(ctx, "u-ada")
	if err != nil {
		t.Fatal(err)
	}
	want := generia.Ceilings{LifeActionsPerHour: 600, LifeDailyCalls: 500, LifeDailyBudgetUSD: 1, DailyCalls: 2000, DailyBudgetUSD: 50}
	if a.Ceilings != want {
		t.Errorf("ada's ceilings in the store = %+v, want %+v", a.Ceilings, want)
	}
	if code, out := run(operator, "ada", "--daily-calls", "-3"); code == 0 {
		t.Errorf("a negative ceiling: exit 0\n%s", out)
	}
	if code, out := run(operator, "ada", "--reset"); code != 0 || !strings.Contains(out, "the operator's settings") {
		t.Errorf("resetting ada's ceilings: exit %d\n%s", code, out)
	}
}
