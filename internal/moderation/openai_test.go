package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

const testKey = "sk-test-moderation-0123456789"

func newOpenAI(t *testing.T, o fakeprovider.ModerationsOptions, timeout time.Duration) (generia.Moderator, *fakeprovider.Moderations) {
	t.Helper()
	fake := fakeprovider.NewModerations(o)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	m, err := New(Config{Backend: BackendOpenAI, BaseURL: srv.URL + "/v1", APIKey: testKey, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return m, fake
}

func TestOpenAIText(t *testing.T) {
	m, fake := newOpenAI(t, fakeprovider.ModerationsOptions{APIKey: testKey}, 0)
	ctx := context.Background()

	v, err := m.CheckText(ctx, generia.TextCheck{Kind: generia.CheckComment, Text: "a quiet afternoon"})
	if err != nil || len(v.Flagged) != 0 || v.Checker != BackendOpenAI || v.HoldOnly {
		t.Fatalf("a calm text: %+v, %v", v, err)
	}
	for _, tt := range []struct {
		marker string
		want   []generia.Category
		terms  []string
	}{
		{fakeprovider.MarkerHate, []generia.Category{generia.CategoryHate}, []string{"hate"}},
		{fakeprovider.MarkerHarassment, []generia.Category{generia.CategoryHarassment}, []string{"harassment", "harassment/threatening"}},
		{fakeprovider.MarkerSelfHarm, []generia.Category{generia.CategorySelfHarm}, []string{"self-harm", "self-harm/intent"}},
		{fakeprovider.MarkerSexualMinors, []generia.Category{generia.CategorySexual, generia.CategorySexualMinors}, []string{"sexual", "sexual/minors"}},
		{fakeprovider.MarkerViolenceGraphic, []generia.Category{generia.CategoryViolence, generia.CategoryViolenceGraphic}, []string{"violence", "violence/graphic"}},
		{fakeprovider.MarkerIllicit, []generia.Category{generia.CategoryIllicit}, []string{"illicit"}},
	} {
		v, err := m.CheckText(ctx, generia.TextCheck{Kind: generia.CheckComment, Text: "text " + tt.marker})
		if err != nil || !slices.Equal(v.Flagged, tt.want) || !slices.Equal(v.Terms, tt.terms) {
			t.Errorf("%s: %+v, %v; want %v %v", tt.marker, v, err, tt.want, tt.terms)
		}
	}
	// The DefaultPolicy blocks sexual/minors: a verdict of this backend
	// may block.
	v, _ = m.CheckText(ctx, generia.TextCheck{Text: fakeprovider.MarkerSexualMinors})
	if d := v.Decide(generia.DefaultPolicy()); d != generia.DecisionBlock {
		t.Errorf("sexual/minors decided %s, want block", d)
	}

	var body struct {
		Model string `json:"model"`
		Input any    `json:"input"`
	}
	reqs := fake.Requests()
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Model != DefaultOpenAIModel || body.Input != "a quiet afternoon" || reqs[0].Path != "/v1/moderations" {
		t.Errorf("request %s %s", reqs[0].Path, reqs[0].Body)
	}
}

func TestOpenAIImage(t *testing.T) {
	m, fake := newOpenAI(t, fakeprovider.ModerationsOptions{MaxImage: 4096}, 0)
	ctx := context.Background()
	v, err := m.CheckImage(ctx, generia.ImageCheck{Kind: generia.CheckImage, Data: []byte("\x89PNG\r\n\x1a\n calm"), ContentType: "image/png"})
	if err != nil || len(v.Flagged) != 0 {
		t.Fatalf("a calm image: %+v, %v", v, err)
	}
	v, err = m.CheckImage(ctx, generia.ImageCheck{Data: []byte("\x89PNG\r\n\x1a\n " + fakeprovider.MarkerSexual)})
	if err != nil || !slices.Equal(v.Flagged, []generia.Category{generia.CategorySexual}) {
		t.Errorf("a marked image: %+v, %v", v, err)
	}
	var body struct {
		Input []struct {
			Type     string `json:"type"`
			ImageURL struct {
				URL string `json:"url"`
			} `json:"image_url"`
		} `json:"input"`
	}
	if err := json.Unmarshal(fake.Requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Input) != 1 || body.Input[0].Type != "image_url" || !strings.HasPrefix(body.Input[0].ImageURL.URL, "data:image/png;base64,") {
		t.Errorf("image request: %s", fake.Requests()[0].Body)
	}

	_, err = m.CheckImage(ctx, generia.ImageCheck{Data: make([]byte, 5000), ContentType: "image/png"})
	if !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("an image too large: %v (kind %s), want invalid", err, generia.ErrorKind(err))
	}
}

// TestOpenAIBadDays: every failure is an error of the kind that says what
// helps, never a pass, and its message quotes neither the key nor a page.
func TestOpenAIBadDays(t *testing.T) {
	for _, tt := range []struct {
		fault      fakeprovider.Fault
		kind       generia.Kind
		retryAfter time.Duration
	}{
		{fakeprovider.Fault429, generia.KindUnavailable, time.Second},
		{fakeprovider.Fault502, generia.KindUnavailable, 0},
		{fakeprovider.Fault503, generia.KindUnavailable, 0},
		{fakeprovider.Fault500, generia.KindUnavailable, 0},
		{fakeprovider.FaultStall, generia.KindUnavailable, 0},
		{fakeprovider.FaultWrongLength, generia.KindUnavailable, 0},
		{fakeprovider.FaultWrongLength, generia.KindUnavailable, 0},
	} {
		t.Run(string(tt.fault), func(t *testing.T) {
			faults := fakeprovider.NewFaults(1)
			m, _ := newOpenAI(t, fakeprovider.ModerationsOptions{Faults: faults}, 300*time.Millisecond)
			if tt.fault == fakeprovider.FaultWrongLength {
				faults.Script(tt.fault, tt.fault) // empty, then one too many
			} else {
				faults.Script(tt.fault)
			}
			for range faults.Pending() {
				v, err := m.CheckText(context.Background(), generia.TextCheck{Text: fakeprovider.MarkerHate})
				assertFailed(t, v, err, tt.kind)
				var pe *generia.ProviderError
				if errors.As(err, &pe) && pe.RetryAfter != tt.retryAfter {
					t.Errorf("RetryAfter %s, want %s", pe.RetryAfter, tt.retryAfter)
				}
			}
		})
	}

	t.Run("too many images", func(t *testing.T) {
		// The client sends one image a request; a server that still says
		// too_many_images is a request error, not an outage.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"message":"Number of images (2) exceeds maximum of 1","type":"invalid_request_error","param":"input","code":"too_many_images"}}`))
		}))
		defer srv.Close()
		m, err := New(Config{Backend: BackendOpenAI, BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.CheckImage(context.Background(), generia.ImageCheck{Data: []byte("x")})
		assertFailed(t, v, err, generia.KindInvalid)
		var pe *generia.ProviderError
		if !errors.As(err, &pe) || pe.Code != "too_many_images" || pe.Provider != Provider {
			t.Errorf("error %#v", err)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		fake := fakeprovider.NewModerations(fakeprovider.ModerationsOptions{APIKey: "sk-the-right-one-000000", EchoKey: true})
		srv := httptest.NewServer(fake)
		defer srv.Close()
		m, err := New(Config{Backend: BackendOpenAI, BaseURL: srv.URL + "/v1", APIKey: testKey})
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.CheckText(context.Background(), generia.TextCheck{Text: "x"})
		assertFailed(t, v, err, generia.KindUnauthorized)
	})
}

func TestOpenAIResultWithoutCategories(t *testing.T) {
	for _, body := range []string{
		`{"id":"modr-1","model":"m","results":[{"flagged":false}]}`,
		`{"id":"modr-1","model":"m","results":[{"flagged":true,"categories":{"sexual":false}}]}`,
		`{"id":"modr-1","model":"m"}`,
		`{"id":"modr-1","model":"m","results":null}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		m, err := New(Config{Backend: BackendOpenAI, BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.CheckText(context.Background(), generia.TextCheck{Text: "x"})
		srv.Close()
		if err == nil {
			t.Errorf("%s: passed as %+v", body, v)
		}
	}
}

// assertFailed checks that a check failed with kind, and that its message
// quotes neither the key nor an HTML page.
func assertFailed(t *testing.T, v generia.Verdict, err error, kind generia.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("passed as %+v, want a %s error", v, kind)
	}
	if got := generia.ErrorKind(err); got != kind {
		t.Errorf("error %q is %s, want %s", err, got, kind)
	}
	msg := err.Error()
	for _, bad := range []string{testKey, "<html", "<body", "sk-the-right-one"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error %q quotes %q", msg, bad)
		}
	}
	if strings.HasPrefix(msg, Provider+": ") == false {
		t.Errorf("error %q does not name the moderation service", msg)
	}
}

func TestNewSaysWhatIsWrong(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Backend: "perspective"}, `GENERIA_MODERATION="perspective": want one of offline, openai, guard, off`},
		{Config{Backend: BackendOpenAI}, "GENERIA_MODERATION=openai needs MODERATION_BASE_URL"},
		{Config{Backend: BackendGuard, BaseURL: "openrouter.ai/api/v1"}, "GENERIA_MODERATION=guard needs MODERATION_BASE_URL"},
	} {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v): %v, want %q", tt.cfg, err, tt.want)
		}
	}
	for _, b := range []string{"", BackendOffline, BackendOff} {
		m, err := New(Config{Backend: b})
		if err != nil {
			t.Fatal(err)
		}
		want := b
		if b == "" {
			want = BackendOffline
		}
		if m.Name() != want {
			t.Errorf("New(%q).Name() = %q", b, m.Name())
		}
	}
	off, _ := New(Config{Backend: BackendOff})
	if v, err := off.CheckText(context.Background(), generia.TextCheck{Text: "fuck you " + fakeprovider.MarkerHate}); err != nil || len(v.Flagged) != 0 || v.Checker != BackendOff {
		t.Errorf("off: %+v, %v", v, err)
	}
}
