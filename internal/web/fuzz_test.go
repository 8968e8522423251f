package web

import (
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/socialtest"
)

// formRoutes are the web UI's forms.
var formRoutes = []string{
	"/login", "/register", "/logout", "/worlds/new",
	"/worlds/{id}/join", "/worlds/{id}/leave", "/worlds/{id}/cancel",
	"/worlds/{id}/posts", "/worlds/{id}/characters",
	"/worlds/{id}/posts/p1/like", "/worlds/{id}/posts/p1/comments", "/worlds/{id}/posts/p1/comments/c1/delete",
}

// Every form the web UI takes, however mangled its fields, gets a page or
// a redirect: never a 5xx, never a panic. The forms carry the session's
// CSRF token (and the sign-in forms theirs), so that they reach the
// handlers' reading of their fields.
func FuzzForms(f *testing.F) {
	for _, seed := range []string{
		"login=ada&password=correct+horse+battery",
		"username=bob&email=bob%40example.com&password=correct+horse+battery",
		"name=Tide&prompt=A+harbour&characters_count=3&posts_count=10&visibility=public",
		"display_name=Ada&username=ada_w&bio=Hi",
		"character_id=c1&caption=Storm&hashtags=%23tide+%23salt",
		"text=Lovely&like=1", "like=0",
		"", "%", "a=%zz", "characters_count=99999999999999999999", "prompt=" + strings.Repeat("x", 70000), "\x00=\x00",
	} {
		for i := range formRoutes {
			f.Add(uint8(i), seed, false)
			f.Add(uint8(i), seed, true)
		}
	}
	ctx := context.Background()
	store := localtest.Store(f, ":memory:")
	svc, _ := socialtest.Service(store, localtest.Media(f, f.TempDir()))
	plenty := ratelimit.Rate{N: 1 << 30, Period: time.Second}
	sessions := &auth.Sessions{Store: store}
	h, err := New(Options{Social: svc, Sessions: sessions, Limits: ratelimit.New(nil, plenty, plenty, plenty),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(h)
	f.Cleanup(srv.Close)
	ada, err := store.CreateUser(ctx, generia.User{ID: "ada", Username: "ada", Email: "ada@example.com", CreatedAt: t0}, cheapHash())
	if err != nil {
		f.Fatal(err)
	}
	w, err := svc.CreateWorld(ctx, ada.ID, generia.NewWorld{Prompt: "A harbour", CharactersCount: 1, PostsCount: 1})
	if err != nil {
		f.Fatal(err)
	}
	rec := httptest.NewRecorder()
	sess, err := sessions.Start(ctx, rec, ada.ID)
	if err != nil {
		f.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	f.Fuzz(func(t *testing.T, route uint8, form string, multipartForm bool) {
		path := strings.ReplaceAll(formRoutes[int(route)%len(formRoutes)], "{id}", w.ID)
		fields, _ := url.ParseQuery(form)
		if fields == nil {
			fields = url.Values{}
		}
		fields.Set(auth.CSRFField, sess.CSRF)
		var body io.Reader
		contentType := "application/x-www-form-urlencoded"
		if multipartForm {
			var b strings.Builder
			mw := multipart.NewWriter(&b)
			for k, vs := range fields {
				for _, v := range vs {
					_ = mw.WriteField(k, v)
				}
			}
			_ = mw.Close()
			body, contentType = strings.NewReader(b.String()), mw.FormDataContentType()
		} else {
			// The fuzzer's own bytes, then the token.
			body = strings.NewReader(form + "&" + auth.CSRFField + "=" + url.QueryEscape(sess.CSRF))
		}
		req, err := http.NewRequest("POST", srv.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.AddCookie(cookie)
		req.AddCookie(&http.Cookie{Name: formCookie, Value: sess.CSRF})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("POST %s %q (multipart %v): HTTP %d", path, form, multipartForm, resp.StatusCode)
		}
	})
}
