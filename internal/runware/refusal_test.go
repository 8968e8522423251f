package runware

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

// Every code Runware gives content it refused is a KindRefused error, with
// any status, that says Runware refused the content and why; retrying the
// same prompt cannot help, so it gives no Retry-After either.
func TestContentRefusalsAreRefused(t *testing.T) {
	codes := []string{"sensitiveContentDetected", "invalidProviderContent", "contentPolicyViolation", "providerContentPolicyViolation",
		"unsafeContentDetected", "nsfwContentDetected", "promptBlocked", "imageBlocked", "moderationFailed"}
	for _, code := range codes {
		for _, status := range []int{200, 400} {
			t.Run(fmt.Sprintf("%s/%d", code, status), func(t *testing.T) {
				body := `{"errors":[{"code":"` + code + `","message":"Content flagged by the check","taskType":"imageInference","taskUUID":"TASK"}]}`
				srv := stub(t, status, nil, body, pngBytes(t, 8, 8))
				c := newClient(t, Options{BaseURL: srv.URL})
				_, err := c.GenerateImage(context.Background(), request("k"))
				pe := providerError(t, err, generia.KindRefused)
				if pe.Code != code || pe.RetryAfter != 0 || !strings.Contains(pe.Message, "Runware refused the content: Content flagged by the check") {
					t.Errorf("status %d: code %q retry %v message %q", status, pe.Code, pe.RetryAfter, pe.Message)
				}
			})
		}
	}
}

// A response that holds both a result and an error for our task (a result
// withheld for its content) is the error: the image is not used.
func TestErrorForOurTaskWinsOverItsData(t *testing.T) {
	body := `{"data":[{"taskType":"imageInference","taskUUID":"TASK","imageURL":"IMAGE_URL","cost":0.002}],` +
		`"errors":[{"code":"sensitiveContentDetected","message":"withheld","taskType":"imageInference","taskUUID":"TASK"}]}`
	srv := stub(t, 200, nil, body, pngBytes(t, 64, 32))
	c := newClient(t, Options{BaseURL: srv.URL})
	_, err := c.GenerateImage(context.Background(), request("k"))
	providerError(t, err, generia.KindRefused)
}

// NSFWContent becomes the image's verdict: true flags it sexual; false or
// absent (the check ran; Runware sends the flag only when it is set, by
// some accounts) passes it.
func TestNSFWContentIsTheVerdict(t *testing.T) {
	tests := []struct {
		name, nsfw string
		flagged    []generia.Category
		terms      []string
	}{
		{"flagged", `,"NSFWContent":true`, []generia.Category{generia.CategorySexual}, []string{"NSFWContent"}},
		{"passed", `,"NSFWContent":false`, nil, nil},
		{"absent", ``, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"data":[{"taskType":"imageInference","taskUUID":"TASK","imageURL":"IMAGE_URL"` + tt.nsfw + `}]}`
			srv := stub(t, 200, nil, body, pngBytes(t, 64, 32))
			c := newClient(t, Options{BaseURL: srv.URL})
			res, err := c.GenerateImage(context.Background(), request("k"))
			if err != nil {
				t.Fatal(err)
			}
			v := res.Flagged
			if v == nil || v.Checker != "runware" || !slices.Equal(v.Flagged, tt.flagged) || !slices.Equal(v.Terms, tt.terms) {
				t.Errorf("verdict %+v, want runware's with %v %v", v, tt.flagged, tt.terms)
			}
		})
	}
}

// Against the fake: a prompt Runware refuses is KindRefused and sent once;
// a marked image comes flagged, an unmarked one checked and passed; a
// result withheld beside its refusal is not used.
func TestContentChecksAgainstTheFake(t *testing.T) {
	for marker, code := range map[string]string{
		fakeprovider.RunwareMarkerSensitive:       "sensitiveContentDetected",
		fakeprovider.RunwareMarkerProviderContent: "invalidProviderContent",
	} {
		t.Run(code, func(t *testing.T) {
			fake, srv := fakeServer(t, fakeprovider.RunwareOptions{})
			c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
			req := request("k")
			req.Prompt += " " + marker
			_, err := c.GenerateImage(context.Background(), req)
			if pe := providerError(t, err, generia.KindRefused); pe.Code != code {
				t.Errorf("code %q, want %q", pe.Code, code)
			}
			if n := len(fake.Requests()); n != 1 || fake.TotalGenerations() != 0 {
				t.Errorf("%d requests and %d images for a refused prompt, want 1 and none", n, fake.TotalGenerations())
			}
		})
	}
	t.Run("flagged", func(t *testing.T) {
		_, srv := fakeServer(t, fakeprovider.RunwareOptions{})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
		req := request("k")
		req.Prompt += " " + fakeprovider.RunwareMarkerNSFW
		res, err := c.GenerateImage(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if v := res.Flagged; v == nil || !slices.Equal(v.Flagged, []generia.Category{generia.CategorySexual}) || v.Checker != "runware" {
			t.Errorf("verdict %+v, want flagged sexual by runware", v)
		}
		res, err = c.GenerateImage(context.Background(), request("k2"))
		if err != nil {
			t.Fatal(err)
		}
		if v := res.Flagged; v == nil || len(v.Flagged) != 0 || v.Checker != "runware" {
			t.Errorf("verdict %+v, want checked and passed", v)
		}
	})
	t.Run("withheld", func(t *testing.T) {
		_, srv := fakeServer(t, fakeprovider.RunwareOptions{Faults: fakeprovider.NewFaults(1).Script(fakeprovider.FaultRunwareWithheld)})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
		_, err := c.GenerateImage(context.Background(), request("k"))
		if pe := providerError(t, err, generia.KindRefused); pe.Code != "sensitiveContentDetected" {
			t.Errorf("code %q", pe.Code)
		}
	})
}
