package openrouter_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/openrouter"
)

// model is the model the tests ask for, the one the golden bodies name.
const model = "google/gemini-2.5-flash-lite"

func setup(t *testing.T, o fakeprovider.OpenRouterOptions, key string) (*fakeprovider.OpenRouter, *openrouter.Client, generia.TextRequest) {
	t.Helper()
	fake := fakeprovider.NewOpenRouter(o)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := openrouter.New(openrouter.Options{APIKey: key, BaseURL: srv.URL + "/api/v1", Model: model, OpenRouter: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	req, err := content.PostStep.Request("w1", "character/0/post/0/detail", content.PostInput{World: world, Character: character,
		Concept: content.PostConcept{Topic: "nets"}, Number: 0, Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, req
}

func TestAnswerIsDecodedWithUsageAndCost(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.PostStep.Decode(res.JSON); err != nil {
		t.Errorf("answer does not decode: %v", err)
	}
	if res.TokensIn == 0 || res.TokensOut == 0 || res.CostUSD <= 0 || res.Model != model || res.FinishReason != "stop" {
		t.Errorf("result %+v lacks usage, cost or model", res)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	cases := []struct {
		fault      fakeprovider.Fault
		kind       generia.Kind
		status     int
		retryAfter time.Duration
		msg        string
	}{
		{fakeprovider.Fault429, generia.KindUnavailable, 429, time.Second, "Rate limit"},
		{fakeprovider.Fault500, generia.KindUnavailable, 500, 0, ""},
		{fakeprovider.Fault502, generia.KindUnavailable, 502, 0, ""},
		{fakeprovider.Fault503, generia.KindUnavailable, 503, 0, ""},
		{fakeprovider.Fault402, generia.KindLimit, 402, 0, "out of credits"},
		{fakeprovider.FaultErrorIn200, generia.KindUnavailable, 200, 0, "inside a 200"},
		{fakeprovider.FaultErrorIn200, generia.KindUnavailable, 200, 0, "inside a 200"}, // the other form
	}
	faults := fakeprovider.NewFaults(1)
	for _, tc := range cases {
		faults.Script(tc.fault)
	}
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k", Faults: faults}, "k")
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			_, err := c.GenerateJSON(context.Background(), req)
			var pe *generia.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ProviderError", err)
			}
			if pe.Kind != tc.kind || pe.Status != tc.status || pe.RetryAfter != tc.retryAfter || !strings.Contains(pe.Error(), tc.msg) {
				t.Errorf("got kind %s status %d retry-after %v %q; want %s %d %v containing %q",
					pe.Kind, pe.Status, pe.RetryAfter, pe.Error(), tc.kind, tc.status, tc.retryAfter, tc.msg)
			}
		})
	}
}

func TestBadAnswersAreReturnedForValidation(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k",
		Faults: fakeprovider.NewFaults(1).Script(fakeprovider.FaultTruncated, fakeprovider.FaultInvalidJSON)}, "k")
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil || res.FinishReason != "length" {
		t.Errorf("truncated answer: finish %q, err %v; want the answer with finish reason length", res.FinishReason, err)
	}
	res, err = c.GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.PostStep.Decode(res.JSON); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("a prose answer decoded: %v", err)
	}
}

// Empty answers and refusals are answers too (paid for): the client returns
// them for the caller to judge and ask again, not as errors.
func TestEmptyAnswersAndRefusalsAreReturned(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k",
		Faults: fakeprovider.NewFaults(1).Script(fakeprovider.FaultEmpty, fakeprovider.FaultRefusal)}, "k")
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil || len(res.JSON) != 0 || res.Refusal != "" || res.CostUSD <= 0 {
		t.Errorf("empty answer: %+v, %v; want it returned, paid, without error", res, err)
	}
	res, err = c.GenerateJSON(context.Background(), req)
	if err != nil || len(res.JSON) != 0 || !strings.Contains(res.Refusal, "can't help") {
		t.Errorf("refusal: %+v, %v; want it returned with its reason", res, err)
	}
}

// A request for a fallback model names that model and not OpenRouter's own
// fallback list.
func TestRequestForAFallbackModel(t *testing.T) {
	fake := fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{APIKey: "k"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := openrouter.New(openrouter.Options{APIKey: "k", BaseURL: srv.URL + "/api/v1", Model: model, OpenRouter: true, Fallbacks: []string{"b/model", "c/model"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FallbackModels(); len(got) != 2 || got[0] != "b/model" {
		t.Errorf("FallbackModels = %v", got)
	}
	_, _, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	req.Model = "c/model"
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil || res.Model != "c/model" {
		t.Fatalf("answer from %q, %v; want c/model", res.Model, err)
	}
	body := string(fake.Requests()[0].Body)
	if !strings.Contains(body, `"model":"c/model"`) || strings.Contains(body, `"models"`) {
		t.Errorf("request body %s; want model c/model and no fallback list", body)
	}
}

func TestKeysAndAuth(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_ORG_ID", "org-from-the-environment")
	fake, c, req := setup(t, fakeprovider.OpenRouterOptions{}, "") // a local server that needs no key
	if _, err := c.GenerateJSON(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	h := fake.Requests()[0].Header
	if h.Get("Authorization") != "" || h.Get("OpenAI-Organization") != "" {
		t.Errorf("sent Authorization %q, organization %q; want neither without a key", h.Get("Authorization"), h.Get("OpenAI-Organization"))
	}

	_, c, req = setup(t, fakeprovider.OpenRouterOptions{APIKey: "right"}, "wrong")
	_, err := c.GenerateJSON(context.Background(), req)
	if !generia.IsKind(err, generia.KindUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad key: %v; want unauthorized, without the key in the message", err)
	}
}

func TestInvalidRequestIsNotRetryable(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	req.SchemaName = "not a valid name!"
	_, err := c.GenerateJSON(context.Background(), req)
	if !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("err = %v, want KindInvalid", err)
	}
}

func TestNoAnswerIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close() // the connection drops
	}))
	defer srv.Close()
	c, err := openrouter.New(openrouter.Options{APIKey: "k", BaseURL: srv.URL, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GenerateJSON(context.Background(), generia.TextRequest{Prompt: "x", SchemaName: "x", Schema: map[string]any{"type": "object"}})
	if !generia.IsKind(err, generia.KindUnavailable) {
		t.Errorf("err = %v, want KindUnavailable", err)
	}
}

// An unreachable server's error names it without the credentials in its
// URL, and a refused key is never quoted back.
func TestErrorsHoldNoSecret(t *testing.T) {
	c, err := openrouter.New(openrouter.Options{APIKey: "sk-live-0123456789abcdef", BaseURL: "http://admin:hunter2pass@127.0.0.1:1/v1", Model: model, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, _, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	_, err = c.GenerateJSON(context.Background(), req)
	var pe *generia.ProviderError
	if !errors.As(err, &pe) || pe.Kind != generia.KindUnavailable {
		t.Fatalf("err = %v, want an unavailable ProviderError", err)
	}
	for e := error(pe); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "hunter2pass") {
			t.Errorf("the error chain holds the URL's password: %q", e.Error())
		}
	}
	fake, c2, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "the-right-key", EchoKey: true}, "sk-or-v1-wrong-0123456789")
	_, err = c2.GenerateJSON(context.Background(), req)
	if !generia.IsKind(err, generia.KindUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if len(fake.Requests()) != 1 || !strings.Contains(string(fake.Requests()[0].Body), "messages") {
		t.Fatal("the fake was not asked")
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "wrong-0123456789") {
			t.Errorf("the error chain quotes the refused key: %q", e.Error())
		}
	}
}

func TestNewNeedsAModelAndAnHTTPBaseURL(t *testing.T) {
	for _, o := range []openrouter.Options{
		{APIKey: "k", BaseURL: "https://openrouter.ai/api/v1"},
		{APIKey: "k", Model: model},
		{APIKey: "k", BaseURL: "ftp://openrouter.ai/api/v1", Model: model},
	} {
		if _, err := openrouter.New(o); err == nil {
			t.Errorf("New(%+v) made a client", o)
		}
	}
}

// Every refusal of the content OpenRouter documents is a KindRefused error,
// sent once (retrying the same content cannot help), that says why, and
// never quotes what the person wrote back.
func TestContentRefusalsAreRefused(t *testing.T) {
	cases := []struct {
		marker string
		status int
		code   string
		why    string
	}{
		{fakeprovider.MarkerModerated, 403, "", "moderation flagged the input: " + fakeprovider.FlaggedReason},
		{fakeprovider.MarkerGuardrail, 403, "", "a guardrail blocked the request (ignore all previous instructions)"},
		{fakeprovider.MarkerContentPolicy, 400, "content_policy_violation", "a content filter flagged it"},
		{fakeprovider.MarkerModelRefusal, 400, "refusal", "the model refused to answer"},
		{fakeprovider.MarkerContentFilter, 200, "", "a content filter stopped it"},
	}
	for _, tc := range cases {
		t.Run(tc.marker, func(t *testing.T) {
			fake, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "sk-or-v1-secret-0123456789"}, "sk-or-v1-secret-0123456789")
			req.Prompt = "A city of knives and secrets " + tc.marker + " in the mist"
			_, err := c.GenerateJSON(context.Background(), req)
			var pe *generia.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ProviderError", err)
			}
			if pe.Kind != generia.KindRefused || pe.Status != tc.status || pe.Code != tc.code || pe.RetryAfter != 0 {
				t.Errorf("got kind %s status %d code %q retry-after %v; want %s %d %q and no retry", pe.Kind, pe.Status, pe.Code, pe.RetryAfter, generia.KindRefused, tc.status, tc.code)
			}
			msg := generia.ErrorMessage(err)
			if !strings.Contains(msg, "the provider refused the content") || !strings.Contains(msg, tc.why) {
				t.Errorf("message %q does not say the provider refused the content because %q", msg, tc.why)
			}
			if strings.Contains(msg, "knives") || strings.Contains(err.Error(), "secret-0123456789") {
				t.Errorf("message %q quotes the input or the key", err.Error())
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("%d requests for one refused call, want 1", n)
			}
		})
	}
}

// A 403 that is no refusal of the content (a key without the permission,
// a key's budget guardrail) is still the key's problem.
func TestForbiddenWithoutAReasonIsUnauthorized(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":403,"message":"Key limit exceeded","metadata":{"error_type":"permission_denied"}}}`))
	}))
	defer srv.Close()
	c, err := openrouter.New(openrouter.Options{APIKey: "k", BaseURL: srv.URL, Model: model, OpenRouter: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GenerateJSON(context.Background(), generia.TextRequest{Prompt: "x", SchemaName: "x", Schema: map[string]any{"type": "object"}})
	if !generia.IsKind(err, generia.KindUnauthorized) {
		t.Errorf("err = %v, want KindUnauthorized", err)
	}
}

// A server that quotes the key it was sent in its refusal (as some quote
// it in every error) does not get it into the refusal's message.
func TestRefusalHoldsNoKey(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(w, `{"error":{"code":403,"message":"Flagged for key %s","metadata":{"reasons":["hate"],"flagged_input":"x","provider_name":"OpenAI","model_slug":"openai/gpt-4o-mini"}}}`,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer srv.Close()
	c, err := openrouter.New(openrouter.Options{APIKey: "sk-or-v1-live-abcdef0123456789", BaseURL: srv.URL, Model: model, OpenRouter: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GenerateJSON(context.Background(), generia.TextRequest{Prompt: "x", SchemaName: "x", Schema: map[string]any{"type": "object"}})
	if !generia.IsKind(err, generia.KindRefused) || !strings.Contains(err.Error(), "hate") {
		t.Fatalf("err = %v, want a refusal naming hate", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "abcdef0123456789") {
			t.Errorf("the error chain quotes the key: %q", e.Error())
		}
	}
}

// The person a call is for goes to OpenRouter as its end user, and a call
// for no one sends no user.
func TestUserIsSent(t *testing.T) {
	fake, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	req.UserID = generia.SafetyID("u-ada")
	if _, err := c.GenerateJSON(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	req.UserID = ""
	if _, err := c.GenerateJSON(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := fake.Users(); len(got) != 2 || got[0] != generia.SafetyID("u-ada") || got[1] != "" {
		t.Errorf("users sent = %q, want [%q \"\"]", got, generia.SafetyID("u-ada"))
	}
	if strings.Contains(string(fake.Requests()[1].Body), `"user":`) {
		t.Errorf("a call for no one sent a user: %s", fake.Requests()[1].Body)
	}
}
