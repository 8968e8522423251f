package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/ratelimit"
)

// limitedAPI is the API with ada's world, a character of hers in it and an
// upload to post with, under the default limits but for the given rates.
func limitedAPI(t *testing.T, rates map[string]ratelimit.Rate) (a *api, character, media string) {
	t.Helper()
	limits := ratelimit.New(nil, ratelimit.Rate{N: 10, Period: time.Minute}, ratelimit.Rate{N: 5, Period: time.Hour}, ratelimit.Rate{N: 20, Period: time.Hour})
	for rule, r := range rates {
		limits.Set(rule, r)
	}
	a = newAPIWith(t, limits)
	var c struct{ ID string }
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/characters", `{"username":"ada_w","display_name":"Ada"}`, &c); code != 201 {
		t.Fatalf("creating a character: HTTP %d", code)
	}
	return a, c.ID, a.upload(t)
}

// upload sends a small PNG to ada's world and returns its media ID.
func (a *api) upload(t *testing.T) string {
	t.Helper()
	code, m := a.send(t, "POST", "/api/v1/worlds/"+a.world+"/media", "image/png", pngOf(t))
	if code != 201 {
		t.Fatalf("uploading an image: HTTP %d", code)
	}
	return m
}

// send sends a body of ctype and returns the status and the answer's
// media_id.
func (a *api) send(t *testing.T, method, path, ctype string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"media_id"`
	}
	_ = decodeJSON(resp.Body, &out)
	return resp.StatusCode, out.ID
}

func pngOf(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// limited checks a refusal at the limit: 429, the limit's JSON error and
// a Retry-After.
func limited(t *testing.T, a *api, method, path, body, what string) {
	t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e errorBody
	_ = decodeJSON(resp.Body, &e)
	if s, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusTooManyRequests || e.Error.Code != "limit" || s < 1 {
		t.Errorf("%s over the limit: HTTP %d, error %+v, Retry-After %q; want 429, code limit and a Retry-After",
			what, resp.StatusCode, e.Error, resp.Header.Get("Retry-After"))
	}
}

// A flood of posts reusing one upload is refused at the limit, and the
// refused ones are not made.
func TestPostFloodIsRefusedAtTheLimit(t *testing.T) {
	a, character, media := limitedAPI(t, map[string]ratelimit.Rate{ratelimit.Posts: {N: 5, Period: time.Hour}})
	body := fmt.Sprintf(`{"character_id":%q,"caption":"Again","media_id":%q}`, character, media)
	for i := range 5 {
		if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/posts", body, nil); code != 201 {
			t.Fatalf("post %d within a limit of 5: HTTP %d", i+1, code)
		}
	}
	limited(t, a, "POST", "/api/v1/worlds/"+a.world+"/posts", body, "a 6th post in an hour")
	var feed struct{ Posts []struct{ ID string } }
	if code := a.call(t, "GET", "/api/v1/worlds/"+a.world+"/posts?limit=50", "", &feed); code != 200 || len(feed.Posts) != 5 {
		t.Errorf("the feed after the flood: HTTP %d, %d posts, want the 5 allowed", code, len(feed.Posts))
	}
}

// Ten comments refused as invalid, then valid ones: within a limit of 3
// the valid ones all go through, as if the invalid ones had not been sent.
func TestInvalidCommentsSpendNothing(t *testing.T) {
	a, character, media := limitedAPI(t, map[string]ratelimit.Rate{ratelimit.Comments: {N: 3, Period: time.Hour}})
	var p struct{ ID string }
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/posts", fmt.Sprintf(`{"character_id":%q,"caption":"Hi","media_id":%q}`, character, media), &p); code != 201 {
		t.Fatalf("posting: HTTP %d", code)
	}
	comments := "/api/v1/worlds/" + a.world + "/posts/" + p.ID + "/comments"
	for i, bad := range []struct{ path, body string }{
		{comments, `{"text":""}`}, {comments, `{"text":1}`}, {comments, `{`},
		{"/api/v1/worlds/" + a.world + "/posts/no-such-post/comments", `{"text":"Hello"}`},
		{"/api/v1/worlds/no-such-world/posts/" + p.ID + "/comments", `{"text":"Hello"}`},
		{comments, `{"text":"Hello","character_id":"not-mine"}`},
		{comments, `{"text":"` + string(bytes.Repeat([]byte("a"), 5000)) + `"}`},
		{comments, `{"text":"Hello","parent_id":"no-such-comment"}`},
		{comments, `[]`}, {comments, `{"text":"   "}`},
	} {
		if code := a.call(t, "POST", bad.path, bad.body, nil); code < 400 || code >= 500 || code == 429 {
			t.Fatalf("invalid comment %d (%s): HTTP %d, want a 4xx refusal", i+1, bad.body, code)
		}
	}
	for i := range 3 {
		if code := a.call(t, "POST", comments, `{"text":"Lovely"}`, nil); code != 201 {
			t.Fatalf("valid comment %d after 10 invalid ones, within a limit of 3: HTTP %d, want 201", i+1, code)
		}
	}
	limited(t, a, "POST", comments, `{"text":"Lovely"}`, "a 4th comment")
}

// Uploads and stream opens are limited too.
func TestUploadsAndStreamsAreLimited(t *testing.T) {
	a, _, _ := limitedAPI(t, map[string]ratelimit.Rate{ratelimit.Uploads: {N: 2, Period: time.Hour}, ratelimit.Streams: {N: 2, Period: time.Hour}})
	// limitedAPI uploaded one image already.
	a.upload(t)
	if code, _ := a.send(t, "POST", "/api/v1/worlds/"+a.world+"/media", "image/png", pngOf(t)); code != http.StatusTooManyRequests {
		t.Errorf("a 3rd upload within a limit of 2: HTTP %d, want 429", code)
	}
	if code, _ := a.send(t, "POST", "/api/v1/worlds/"+a.world+"/media", "image/png", []byte("not an image")); code != http.StatusTooManyRequests {
		t.Errorf("an upload over the limit is decoded (HTTP %d), want 429 before its handler", code)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for _, path := range []string{"/events", "/status/stream"} {
		req, _ := http.NewRequestWithContext(ctx, "GET", a.srv.URL+"/api/v1/worlds/"+a.world+path, nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := a.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("opening %s: HTTP %d", path, resp.StatusCode)
		}
		defer resp.Body.Close()
	}
	limited(t, a, "GET", "/api/v1/worlds/"+a.world+"/events", "", "a 3rd stream")
}

// Registration refuses a common password with 400 naming the rule, and
// spends no registration.
func TestRegisterRefusesCommonPasswords(t *testing.T) {
	limits := ratelimit.New(nil, ratelimit.Rate{N: 10, Period: time.Minute}, ratelimit.Rate{N: 2, Period: time.Hour}, ratelimit.Rate{N: 20, Period: time.Hour})
	a := newAPIWith(t, limits) // its own registration spent one of 2
	a.token = ""
	for _, pw := range []string{"password", "12345678", "Iloveyou", "qwertyuiop"} {
		var e errorBody
		code := a.call(t, "POST", "/api/v1/auth/register", `{"username":"eve","email":"eve@example.com","password":"`+pw+`"}`, &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error.Message, "most common passwords") {
			t.Errorf("registering with %q: HTTP %d %+v, want 400 naming the common passwords", pw, code, e.Error)
		}
	}
	if code := a.call(t, "POST", "/api/v1/auth/register", `{"username":"eve","email":"eve@example.com","password":"tidewater harbour"}`, nil); code != http.StatusCreated {
		t.Errorf("registering with an uncommon password after 4 refused ones, within a limit of 2: HTTP %d, want 201", code)
	}
}

// A client that goes away while its answer is made is no server error: the
// log says so at debug, never as an ERROR.
func TestClientThatLeavesIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	a := newAPILogged(t, ratelimit.New(nil, ratelimit.Rate{N: 10, Period: time.Minute}, ratelimit.Rate{N: 5, Period: time.Hour}, ratelimit.Rate{N: 20, Period: time.Hour}),
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // gone before the store is asked
	for _, path := range []string{"/api/v1/worlds", "/api/v1/worlds/" + a.world, "/api/v1/worlds/" + a.world + "/posts"} {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		a.handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client that went away is logged as an error:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "client went away") {
		t.Errorf("a client that went away is not logged at debug:\n%s", logs.String())
	}
}
