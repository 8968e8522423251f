package fakeprovider_test

import (
	"encoding/json"
	"testing"

	"github.com/generia/generia/internal/fakeprovider"
)

// rwSafetyAnswer is the part of an answer the content checks change.
type rwSafetyAnswer struct {
	Data []struct {
		TaskUUID    string          `json:"taskUUID"`
		ImageURL    string          `json:"imageURL"`
		NSFWContent json.RawMessage `json:"NSFWContent"`
	} `json:"data"`
	Errors []struct {
		Code     string `json:"code"`
		TaskUUID string `json:"taskUUID"`
	} `json:"errors"`
}

// safety.checkContent adds NSFWContent to each result: true for a marked
// prompt, false otherwise, and nothing when the task did not ask.
func TestRunwareChecksContentWhenAsked(t *testing.T) {
	check := map[string]any{"checkContent": true}
	tests := []struct {
		name   string
		task   map[string]any
		want   string // the raw NSFWContent; "" for absent
		images int
	}{
		{"marked and checked", inference("positivePrompt", "a beach "+fakeprovider.RunwareMarkerNSFW, "safety", check), "true", 1},
		{"checked", inference("safety", check), "false", 1},
		{"marked, not checked", inference("positivePrompt", "a beach "+fakeprovider.RunwareMarkerNSFW), "", 1},
		{"check off", inference("safety", map[string]any{"checkContent": false}), "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := startRunware(t, fakeprovider.RunwareOptions{})
			status, _, _, raw := post(t, srv, key, []any{tt.task})
			var a rwSafetyAnswer
			if err := json.Unmarshal(raw, &a); err != nil || status != 200 || len(a.Data) != 1 {
				t.Fatalf("answer %d %s", status, raw)
			}
			if got := string(a.Data[0].NSFWContent); got != tt.want {
				t.Errorf("NSFWContent %q, want %q", got, tt.want)
			}
			if fake.TotalGenerations() != tt.images {
				t.Errorf("%d images, want %d", fake.TotalGenerations(), tt.images)
			}
		})
	}
	_, srv := startRunware(t, fakeprovider.RunwareOptions{})
	if status, _, _, raw := post(t, srv, key, []any{inference("safety", "yes")}); status != 400 {
		t.Errorf("safety that is no object: %d %s, want 400", status, raw)
	}
}

// A marked prompt is refused with Runware's code for it, generating
// nothing; beside a valid task, the valid one still runs.
func TestRunwareRefusesMarkedContent(t *testing.T) {
	for marker, code := range map[string]string{
		fakeprovider.RunwareMarkerSensitive:       "sensitiveContentDetected",
		fakeprovider.RunwareMarkerProviderContent: "invalidProviderContent",
	} {
		t.Run(code, func(t *testing.T) {
			fake, srv := startRunware(t, fakeprovider.RunwareOptions{})
			refused := inference("positivePrompt", "a street "+marker)
			status, _, _, raw := post(t, srv, key, []any{refused})
			var a rwSafetyAnswer
			_ = json.Unmarshal(raw, &a)
			if status != 400 || len(a.Errors) != 1 || a.Errors[0].Code != code || a.Errors[0].TaskUUID != refused["taskUUID"] {
				t.Errorf("answer %d %s, want 400 with %s for the task", status, raw, code)
			}
			ok := inference()
			status, _, _, raw = post(t, srv, key, []any{refused, ok})
			a = rwSafetyAnswer{}
			_ = json.Unmarshal(raw, &a)
			if status != 200 || len(a.Errors) != 1 || len(a.Data) != 1 || a.Data[0].TaskUUID != ok["taskUUID"] {
				t.Errorf("beside a valid task: %d %s, want 200 with the valid task's image and the refusal", status, raw)
			}
			if fake.TotalGenerations() != 1 {
				t.Errorf("%d images generated, want only the valid task's", fake.TotalGenerations())
			}
		})
	}
}

// On a bad day a result comes with a refusal of the same task.
func TestRunwareWithheldIsDataAndAnError(t *testing.T) {
	_, srv := startRunware(t, fakeprovider.RunwareOptions{Faults: fakeprovider.NewFaults(1).Script(fakeprovider.FaultRunwareWithheld)})
	task := inference("safety", map[string]any{"checkContent": true})
	status, _, _, raw := post(t, srv, key, []any{task})
	var a rwSafetyAnswer
	_ = json.Unmarshal(raw, &a)
	if status != 200 || len(a.Data) != 1 || len(a.Errors) != 1 || a.Errors[0].Code != "sensitiveContentDetected" ||
		a.Errors[0].TaskUUID != task["taskUUID"] || a.Data[0].TaskUUID != task["taskUUID"] {
		t.Errorf("answer %d %s, want the task's image and its sensitiveContentDetected", status, raw)
	}
}
