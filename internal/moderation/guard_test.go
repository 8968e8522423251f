package moderation

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

func newGuard(t *testing.T, o fakeprovider.OpenRouterOptions, timeout time.Duration) (generia.Moderator, *fakeprovider.OpenRouter) {
	t.Helper()
	fake := fakeprovider.NewOpenRouter(o)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	m, err := New(Config{Backend: BackendGuard, BaseURL: srv.URL + "/api/v1", APIKey: testKey, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return m, fake
}

func TestParseGuard(t *testing.T) {
	for _, tt := range []struct {
		answer string
		want   []generia.Category
		terms  []string
	}{
		{"safe", nil, nil},
		{"safe\n", nil, nil},
		{"unsafe\nS10", []generia.Category{generia.CategoryHate}, []string{"S10"}},
		{"unsafe\nS1,S10", []generia.Category{generia.CategoryViolence, generia.CategoryHate}, []string{"S1", "S10"}},
		{"unsafe\nS1, S9", []generia.Category{generia.CategoryViolence}, []string{"S1", "S9"}},
		{"unsafe\nS4", []generia.Category{generia.CategorySexualMinors}, []string{"S4"}},
		{"unsafe\nS13 \n", []generia.Category{generia.CategorySpam}, []string{"S13"}},
	} {
		v, err := ParseGuard(tt.answer)
		if err != nil || !slices.Equal(v.Flagged, tt.want) || !slices.Equal(v.Terms, tt.terms) || v.Checker != BackendGuard {
			t.Errorf("%q: %+v, %v; want %v %v", tt.answer, v, err, tt.want, tt.terms)
		}
	}
	for _, answer := range []string{
		"", " ", "Safe", "SAFE", "Unsafe\nS1", "unsafe", "unsafe\n", "unsafe\nS15", "unsafe\nS0",
		"unsafe\nS1,", "unsafe\nhate", "\n\nunsafe\nS2", " safe", "safe\nS1", "I think this is fine",
		"unsafe\nS1\nS2", "safe.", "The content is safe",
	} {
		v, err := ParseGuard(answer)
		if err == nil {
			t.Errorf("%q: passed as %+v, want an error", answer, v)
		} else if !generia.IsKind(err, generia.KindUnavailable) {
			t.Errorf("%q: %v is %s, want unavailable", answer, err, generia.ErrorKind(err))
		}
	}
}

func TestGuardText(t *testing.T) {
	m, fake := newGuard(t, fakeprovider.OpenRouterOptions{APIKey: testKey}, 0)
	ctx := context.Background()

	v, err := m.CheckText(ctx, generia.TextCheck{Kind: generia.CheckComment, Text: "hello there", UserID: "u-hash"})
	if err != nil || len(v.Flagged) != 0 || v.Checker != BackendGuard {
		t.Fatalf("a calm comment: %+v, %v", v, err)
	}
	v, err = m.CheckText(ctx, generia.TextCheck{Kind: generia.CheckComment, Text: "they are " + fakeprovider.MarkerHate})
	if err != nil || !slices.Equal(v.Flagged, []generia.Category{generia.CategoryHate}) || !slices.Equal(v.Terms, []string{"S10"}) {
		t.Errorf("a hateful comment: %+v, %v", v, err)
	}
	// A reply is judged in its conversation, as the last (assistant) turn:
	// a calm reply to a hateful comment passes, a hateful one does not.
	v, err = m.CheckText(ctx, generia.TextCheck{Kind: generia.CheckReply, Text: "let us talk of the weather", Answers: fakeprovider.MarkerHate})
	if err != nil || len(v.Flagged) != 0 {
		t.Errorf("a calm reply: %+v, %v", v, err)
	}
	v, err = m.CheckText(ctx, generia.TextCheck{Kind: generia.CheckReply, Text: fakeprovider.MarkerSelfHarm, Answers: "how are you?"})
	if err != nil || !slices.Equal(v.Flagged, []generia.Category{generia.CategorySelfHarm}) {
		t.Errorf("a harmful reply: %+v, %v", v, err)
	}

	var first, third struct {
		Model       string   `json:"model"`
		Temperature *float64 `json:"temperature"`
		MaxTokens   int      `json:"max_tokens"`
		User        string   `json:"user"`
		SafetyID    string   `json:"safety_identifier"`
		Messages    []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	reqs := fake.Requests()
	_ = json.Unmarshal(reqs[0].Body, &first)
	_ = json.Unmarshal(reqs[2].Body, &third)
	if first.Model != DefaultGuardModel || first.Temperature == nil || *first.Temperature != 0 || first.MaxTokens != 10 ||
		first.User != "u-hash" || first.SafetyID != "u-hash" || len(first.Messages) != 1 || first.Messages[0].Role != "user" {
		t.Errorf("a comment's request: %s", reqs[0].Body)
	}
	if len(third.Messages) != 2 || third.Messages[0].Role != "user" || third.Messages[0].Content != fakeprovider.MarkerHate ||
		third.Messages[1].Role != "assistant" || third.User != "" {
		t.Errorf("a reply's request: %s", reqs[2].Body)
	}

	v, err = m.CheckImage(ctx, generia.ImageCheck{Data: []byte(fakeprovider.MarkerSexual)})
	if err != nil || len(v.Flagged) != 0 || v.Checker != BackendGuard {
		t.Errorf("CheckImage: %+v, %v", v, err)
	}
}

// TestGuardBadDays: malformed answers and outages are errors, never safe.
func TestGuardBadDays(t *testing.T) {
	for _, tt := range []struct {
		fault fakeprovider.Fault
		kind  generia.Kind
	}{
		{fakeprovider.FaultGuardCase, generia.KindUnavailable},
		{fakeprovider.FaultGuardProse, generia.KindUnavailable},
		{fakeprovider.FaultGuardBlankLines, generia.KindUnavailable},
		{fakeprovider.FaultEmpty, generia.KindUnavailable},
		{fakeprovider.FaultTruncated, generia.KindUnavailable},
		{fakeprovider.FaultErrorIn200, generia.KindUnavailable},
		{fakeprovider.FaultRefusal, generia.KindUnavailable},
		{fakeprovider.Fault429, generia.KindUnavailable},
		{fakeprovider.Fault502, generia.KindUnavailable},
		{fakeprovider.Fault502, generia.KindUnavailable}, // the HTML page, the second time
		{fakeprovider.Fault503, generia.KindUnavailable},
		{fakeprovider.FaultStall, generia.KindUnavailable},
		{fakeprovider.Fault402, generia.KindLimit},
	} {
		t.Run(string(tt.fault), func(t *testing.T) {
			faults := fakeprovider.NewFaults(1)
			m, _ := newGuard(t, fakeprovider.OpenRouterOptions{Faults: faults}, 300*time.Millisecond)
			faults.Script(tt.fault, tt.fault)
			for range 2 {
				v, err := m.CheckText(context.Background(), generia.TextCheck{Text: "hello"})
				assertFailed(t, v, err, tt.kind)
			}
		})
	}
	t.Run("wrong key", func(t *testing.T) {
		m, _ := newGuard(t, fakeprovider.OpenRouterOptions{APIKey: "sk-the-right-one-000000", EchoKey: true}, 0)
		v, err := m.CheckText(context.Background(), generia.TextCheck{Text: "hello"})
		assertFailed(t, v, err, generia.KindUnauthorized)
	})
}
