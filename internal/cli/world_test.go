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
	"github.com/generia/generia/internal/offline"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/socialtest"
)

// `generia world create` with an idea in another language, written by the
// offline writer, says that the world will be in English.
func TestWorldCreateLanguageNotice(t *testing.T) {
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
	u, err := store.CreateUser(ctx, generia.User{ID: "u-ada", Username: "ada", Email: "ada@example.com", CreatedAt: time.Now().UTC()}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	f := generia.TokenFamily{ID: "f-ada", UserID: u.ID, Generation: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now().UTC()}
	if err := store.StartTokenFamily(ctx, f, "refresh-ada"); err != nil {
		t.Fatal(err)
	}
	token, _, err := tokens.Issue(f, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GENERIA_SERVER", srv.URL)
	t.Setenv("GENERIA_TOKEN", token)
	create := func(prompt string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := Main(ctx, []string{"world", "create", "--prompt", prompt}, Env{Stdout: &out, Stderr: &errOut})
		return code, out.String(), errOut.String()
	}
	code, out, errOut := create("Ein Alpendorf, in dem jede Glocke den Namen einer Familie läutet")
	if code != 0 || !strings.Contains(out, "created") || !strings.Contains(errOut, offline.LanguageNotice) {
		t.Errorf("a German idea: exit %d, stdout %q, stderr %q; want the world created and the notice", code, out, errOut)
	}
	code, out, errOut = create("An Alpine village where every bell rings a family's name")
	if code != 0 || !strings.Contains(out, "created") || strings.Contains(errOut, "not in English") {
		t.Errorf("an English idea: exit %d, stdout %q, stderr %q; want the world created and no notice", code, out, errOut)
	}
}
