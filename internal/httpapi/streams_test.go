package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/socialtest"
)

// streamAPI is the JSON API over a SQLite store on disk, with ada signed
// in and a public world of hers, for the tests of its streams.
type streamAPI struct {
	srv    *httptest.Server
	store  generia.Store
	social *social.Service
	token  string
	world  string
	limits *ratelimit.Limits
}

func newStreamAPI(t testing.TB) *streamAPI {
	t.Helper()
	store := localtest.Store(t, t.TempDir()+"/db")
	tokens, err := auth.NewTokens([]byte(strings.Repeat("k", 32)), store)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := socialtest.Service(store, localtest.Media(t, t.TempDir()))
	plenty := ratelimit.Rate{N: 1 << 30, Period: time.Second}
	s := &Server{Social: svc, Tokens: tokens, Sessions: &auth.Sessions{Store: store},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: ratelimit.New(nil, plenty, plenty, plenty)}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	a := &streamAPI{srv: srv, store: store, social: svc, limits: s.Limits}
	// ada signs in as the API's sign-in does, without the API's own store.
	ctx := t.Context()
	u, err := svc.Register(ctx, "ada", "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	_, hash, err := auth.NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	f := generia.TokenFamily{ID: "family-ada", UserID: u.ID, Generation: 1, ExpiresAt: now.Add(auth.RefreshTokenTTL), CreatedAt: now}
	if err := store.StartTokenFamily(ctx, f, hash); err != nil {
		t.Fatal(err)
	}
	if a.token, _, err = tokens.Issue(f, auth.AccessTokenTTL); err != nil {
		t.Fatal(err)
	}
	var w struct{ ID string }
	if code := a.call(t, "POST", "/api/v1/worlds", `{"prompt":"A harbour","characters_count":1,"posts_count":1}`, &w); code != 201 {
		t.Fatalf("create world: HTTP %d", code)
	}
	a.world = w.ID
	return a
}

func (a *streamAPI) call(t testing.TB, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// openStream opens a stream as token's person (a visitor without one):
// its answer, and its events as they come, the channel closed when the
// stream ends. The stream closes with the test, or with cancel.
func (a *streamAPI) openStream(t *testing.T, path, token string) (*http.Response, <-chan sseEvent, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", a.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan sseEvent, 64)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		close(events)
		return resp, events, cancel
	}
	go func() {
		defer resp.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data += strings.TrimPrefix(line, "data: ")
			case line == "" && e.name != "":
				events <- e
				e = sseEvent{}
			}
		}
	}()
	return resp, events, cancel
}

// untilEnd reads a stream's events until it ends; it fails the test after
// 30 s.
func untilEnd(t *testing.T, events <-chan sseEvent) []sseEvent {
	t.Helper()
	var got []sseEvent
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return got
			}
			got = append(got, e)
		case <-deadline:
			t.Fatalf("the stream is still open after 30 s, with %d events", len(got))
		}
	}
}

// A world fails while its status stream is open: the owner's stream ends
// with why in detail, a visitor's with its public form only (the
// provider's message, which may echo a key, is the owner's).
func TestStatusStreamShowsOthersOnlyThePublicFailure(t *testing.T) {
	a := newStreamAPI(t)
	path := "/api/v1/worlds/" + a.world + "/status/stream"
	_, visitor, _ := a.openStream(t, path, "")
	_, owner, _ := a.openStream(t, path, a.token)
	for _, events := range []<-chan sseEvent{visitor, owner} {
		select {
		case e := <-events:
			if e.name != "status" {
				t.Fatalf("first event %q", e.name)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no first status in 30 s")
		}
	}
	detail := "openrouter: 402 Insufficient credits for Bearer sk-or-v1-0123456789abcdef"
	if _, err := a.store.FinishGeneration(t.Context(), a.world, generia.StatusFailed, detail, "the LLM provider is out of credits", time.Now()); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string]string{"a visitor": "the LLM provider is out of credits", "the owner": detail} {
		events := visitor
		if who == "the owner" {
			events = owner
		}
		got := untilEnd(t, events)
		if len(got) == 0 {
			t.Fatalf("%s's stream ended without the failure", who)
		}
		var st struct{ Status, Error string }
		if err := json.Unmarshal([]byte(got[len(got)-1].data), &st); err != nil {
			t.Fatal(err)
		}
		if st.Status != generia.StatusFailed || st.Error != want {
			t.Errorf("%s's stream ends with %s %q, want failed %q", who, st.Status, st.Error, want)
		}
		for _, e := range got {
			if strings.Contains(e.data, "sk-or-v1") && who != "the owner" {
				t.Errorf("%s's stream sent the provider's message: %s", who, e.data)
			}
		}
	}
}

// A visitor's streams (events and status) end when the world is made
// private.
func TestAPIStreamsEndWhenTheWorldIsMadePrivate(t *testing.T) {
	a := newStreamAPI(t)
	_, events, _ := a.openStream(t, "/api/v1/worlds/"+a.world+"/events", "")
	_, status, _ := a.openStream(t, "/api/v1/worlds/"+a.world+"/status/stream", "")
	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world, `{"name":"Harbour","visibility":"private"}`, nil); code != 200 {
		t.Fatalf("make private: HTTP %d", code)
	}
	untilEnd(t, events)
	untilEnd(t, status)
}

// The 21st stream from one address is refused with 429 and Retry-After,
// the events' and the status's alike; one closed gives its slot back.
func TestTheTwentyFirstStreamIsRefused(t *testing.T) {
	a := newStreamAPI(t)
	var cancels []context.CancelFunc
	for i := range 20 {
		path := "/api/v1/worlds/" + a.world + "/events"
		if i%2 == 1 {
			path = "/api/v1/worlds/" + a.world + "/status/stream"
		}
		resp, _, cancel := a.openStream(t, path, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: HTTP %d", i+1, resp.StatusCode)
		}
		cancels = append(cancels, cancel)
	}
	for _, path := range []string{"/events", "/status/stream"} {
		resp, _, _ := a.openStream(t, "/api/v1/worlds/"+a.world+path, "")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("the 21st stream (%s): HTTP %d, Retry-After %q; want 429 with Retry-After", path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	cancels[0]()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, _, _ := a.openStream(t, "/api/v1/worlds/"+a.world+"/events", "")
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after one stream closed, another is refused: HTTP %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
