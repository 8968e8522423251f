package cli

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpapi"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/socialtest"
)

// `generia admin grant` gives roles with the operator's token (and not
// with a person's); `generia admin cases` and `audit` show a moderator the
// queue and the log as tables, and refuse a person without a role.
func TestAdminCommands(t *testing.T) {
	store := localtest.Store(t, ":memory:")
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
	operator, ada, bob := tokenOf("u-operator", social.OperatorUsername), tokenOf("u-ada", "ada"), tokenOf("u-bob", "bob")
	tokenOf("u-carol", "carol")
	t.Setenv("GENERIA_SERVER", srv.URL)
	run := func(token string, args ...string) (int, string) {
		t.Helper()
		t.Setenv("GENERIA_TOKEN", token)
		var out, errOut bytes.Buffer
		code := Main(ctx, append([]string{"admin"}, args...), Env{Stdout: &out, Stderr: &errOut})
		return code, out.String() + errOut.String()
	}
	role := func(id string) string {
		t.Helper()
		u, err := store.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.Role
	}

	if code, out := run(ada, "grant", "ada", "admin"); code == 0 || !strings.Contains(out, "only admins") || role("u-ada") != "" {
		t.Errorf("ada making herself an admin: exit %d\n%s", code, out)
	}
	if code, out := run(operator, "grant", "bob", "king"); code != 2 || role("u-bob") != "" {
		t.Errorf("an unknown role: exit %d, want 2\n%s", code, out)
	}
	if code, out := run(operator, "grant", "bob", "moderator"); code != 0 || !strings.Contains(out, "bob (u-bob) is now a moderator") || role("u-bob") != "moderator" {
		t.Errorf("the operator making bob a moderator: exit %d, role %q\n%s", code, role("u-bob"), out)
	}

	// ada reports carol; bob, a moderator now, reads the queue and the log.
	if err := apiclient.New(srv.URL, ada).Do(ctx, "POST", "/api/v1/reports",
		map[string]string{"subject_type": "user", "subject_id": "carol", "reason": "spam", "note": "sells watches"}, nil); err != nil {
		t.Fatal(err)
	}
	if code, out := run(ada, "cases"); code == 0 || !strings.Contains(out, "only moderators") {
		t.Errorf("ada reading the queue: exit %d\n%s", code, out)
	}
	code, out := run(bob, "cases", "--status", "open")
	if code != 0 || !regexp.MustCompile(`(?m)^\S+\s+open\s+user/u-carol\s+report\s+1\s+1\.0\s+.*@carol$`).MatchString(out) {
		t.Errorf("bob reading the open cases: exit %d\n%s", code, out)
	}
	if code, out := run(bob, "cases", "--status", "resolved"); code != 0 || strings.TrimSpace(out) != "no cases" {
		t.Errorf("bob reading the resolved cases: exit %d\n%s", code, out)
	}
	if code, out := run(bob, "cases", "--status", "closed"); code != 2 {
		t.Errorf("an unknown status: exit %d, want 2\n%s", code, out)
	}
	code, out = run(bob, "audit")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "WHEN") ||
		!regexp.MustCompile(`\su-ada\s+report\s+user/u-carol\s+\S+\s+spam: sells watches$`).MatchString(lines[1]) ||
		!regexp.MustCompile(`\soperator\s+grant\s+user/u-bob\s+-\s+role moderator$`).MatchString(lines[2]) {
		t.Errorf("bob reading the audit log: exit %d, want the report above the grant\n%s", code, out)
	}
	if code, out := run(bob, "audit", "--subject", "user/u-bob"); code != 0 || strings.Contains(out, "report") || !strings.Contains(out, "grant") {
		t.Errorf("bob reading his own entries: exit %d\n%s", code, out)
	}
	if code, out := run(bob, "audit", "--subject", "u-bob"); code != 2 {
		t.Errorf("a subject without its type: exit %d, want 2\n%s", code, out)
	}
	if code, out := run(operator, "grant", "bob", "none"); code != 0 || !strings.Contains(out, "has no role now") || role("u-bob") != "" {
		t.Errorf("the operator taking bob's role: exit %d\n%s", code, out)
	}
}
