package fakeprovider

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/generia/generia/internal/content"
)

// Each marker in a prompt gets OpenRouter's refusal body for it, exactly
// as documented, and the same refusal comes as a fault.
func TestOpenRouterRefusesMarkedPrompts(t *testing.T) {
	long := strings.Repeat("a tide of blood ", 10)
	cases := []struct {
		marker string
		fault  Fault
		status int
		want   string // the body, as JSON
	}{
		{MarkerModerated, FaultModerated, 403, `{"error":{"code":403,"message":"Google requires moderation on this model. Your input was flagged for \"violence/graphic\"",` +
			`"metadata":{"reasons":["violence/graphic"],"flagged_input":"FLAGGED","provider_name":"Google","model_slug":"google/gemini-2.5-flash-lite"}}}`},
		{MarkerGuardrail, FaultGuardrail, 403, `{"error":{"code":403,"message":"Request blocked: prompt injection patterns detected","metadata":{"patterns":["ignore all previous instructions"]}}}`},
		{MarkerContentPolicy, FaultContentPolicy, 400, `{"error":{"code":400,"message":"Your request was flagged by a content filter","metadata":{"error_type":"content_policy_violation","provider_name":"Google"}}}`},
		{MarkerModelRefusal, FaultModelRefusal, 400, `{"error":{"code":400,"message":"The model refused to answer this request","metadata":{"error_type":"refusal","provider_name":"Google"}}}`},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			prompt := long + tc.marker
			fake := NewOpenRouter(OpenRouterOptions{})
			srv := httptest.NewServer(fake)
			defer srv.Close()
			body := chatBody(prompt, "post_detail", content.PostStep.Schema())
			marked := mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil)

			faulty := NewOpenRouter(OpenRouterOptions{Faults: NewFaults(1).Script(tc.fault)})
			srv2 := httptest.NewServer(faulty)
			defer srv2.Close()
			faulted := mustPost(t, srv2.URL+"/api/v1/chat/completions", body, nil)

			want := strings.Replace(tc.want, "FLAGGED", orFlaggedInput(prompt), 1)
			for name, a := range map[string]answer{"marked": marked, "fault": faulted} {
				if a.status != tc.status {
					t.Errorf("%s: status %d, want %d", name, a.status, tc.status)
				}
				var got, exp any
				if err := json.Unmarshal(a.body, &got); err != nil {
					t.Fatalf("%s: %v: %s", name, err, a.body)
				}
				_ = json.Unmarshal([]byte(want), &exp)
				if !reflect.DeepEqual(got, exp) {
					t.Errorf("%s: body\n%s\nwant\n%s", name, a.body, want)
				}
			}
			if fake.Answered() != 0 {
				t.Error("a refused request counted as answered")
			}
		})
	}
}

// OpenRouter cuts a flagged input over 100 characters in the middle.
func TestOpenRouterFlaggedInputIsCut(t *testing.T) {
	long := strings.Repeat("x", 60) + strings.Repeat("y", 60)
	got := orFlaggedInput(long)
	if len([]rune(got)) != 100 || !strings.HasPrefix(got, "xxx") || !strings.HasSuffix(got, "yyy") || !strings.Contains(got, "...") {
		t.Errorf("flagged_input = %q, want 100 characters cut in the middle with ...", got)
	}
	if orFlaggedInput("short") != "short" {
		t.Error("a short input was cut")
	}
}

// The output content filter stops an answer after it started: a 200 whose
// choice finished with "error" and says so.
func TestOpenRouterContentFilterIsAnErrorIn200(t *testing.T) {
	srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{}))
	defer srv.Close()
	a := mustPost(t, srv.URL+"/api/v1/chat/completions", chatBody("A post "+MarkerContentFilter, "post_detail", content.PostStep.Schema()), nil)
	c := decodeCompletion(t, a)
	if a.status != 200 || len(c.Choices) != 1 || c.Choices[0].FinishReason != "error" || c.Choices[0].Error == nil ||
		!strings.Contains(c.Choices[0].Error.Message, "content filter") {
		t.Errorf("answer %d %s; want a 200 whose choice finished with an error naming the content filter", a.status, a.body)
	}
}

// The fake records the end user of each chat completion.
func TestOpenRouterRecordsTheUser(t *testing.T) {
	fake := NewOpenRouter(OpenRouterOptions{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	body := chatBody("A post about nets.", "post_detail", content.PostStep.Schema())
	mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil)
	body["user"] = "7b8113011eaeb4da"
	mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil)
	body["user"] = 42 // not a string: refused like any malformed field
	if a := mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil); a.status != 400 {
		t.Errorf("a user that is a number: status %d, want 400", a.status)
	}
	if got := fake.Users(); len(got) != 3 || got[0] != "" || got[1] != "7b8113011eaeb4da" {
		t.Errorf("Users = %q, want none, then 7b8113011eaeb4da", got)
	}
}
