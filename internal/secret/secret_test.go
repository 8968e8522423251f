package secret

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
)

func TestScrubRemovesSecretsAndKeepsTheRest(t *testing.T) {
	s := New("sk-or-v1-0123456789abcdef", "runware-key-1234", "short")
	cases := map[string]string{
		`Incorrect API key provided: Bearer sk-or-v1-0123456789abcdef`:                  `Incorrect API key provided: Bearer [redacted]`,
		`{"error":{"message":"Invalid key runware-key-1234"}}`:                          `{"error":{"message":"Invalid key [redacted]"}}`,
		`Incorrect API key provided: sk-proj-AbCdEfGhIjKlMnOp1234`:                      `Incorrect API key provided: [redacted]`,
		`Post "https://user:hunter22@llm.example.com/v1/chat/completions": EOF`:         `Post "https://[redacted]@llm.example.com/v1/chat/completions": EOF`,
		`GET https://api.example.com/v1?api_key=abcdef123456&model=x`:                   `GET https://api.example.com/v1?api_key=[redacted]&model=x`,
		`authorization: Basic dXNlcjpodW50ZXIyMjIyMjIy`:                                 `authorization: Basic [redacted]`,
		`"apiKey": "rk-live-abcdefghijk"`:                                               `"apiKey": "[redacted]"`,
		`aws AKIAIOSFODNN7EXAMPLE denied`:                                               `aws [redacted] denied`,
		`character 2 profile: 4 answers were invalid, the last because tokens: cut off`: `character 2 profile: 4 answers were invalid, the last because tokens: cut off`,
		`a short secret stays: short; basic information; monkey: banana`:                `a short secret stays: short; basic information; monkey: banana`,
		`key character/0/detail, 1200 tokens_in`:                                        `key character/0/detail, 1200 tokens_in`,
	}
	for in, want := range cases {
		if got := s.Scrub(in); got != want {
			t.Errorf("Scrub(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}

func TestURLRedactsCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://generia:hunter2@db:5432/generia?sslmode=disable": "postgres://generia:[redacted]@db:5432/generia?sslmode=disable",
		"https://minio:9000":                         "https://minio:9000",
		"https://llm.example.com/v1?key=abc&model=m": "https://llm.example.com/v1?key=[redacted]&model=m",
		"grpc://user:pw@temporal.example.com:7233":   "grpc://user:[redacted]@temporal.example.com:7233",
		"127.0.0.1:7233":                             "127.0.0.1:7233",
		"https://openrouter.ai/api/v1":               "https://openrouter.ai/api/v1",
		"http://user@host/":                          "http://user@host/",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHandlerScrubsEveryRecord(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New("sk-or-v1-0123456789abcdef").Handler(slog.NewJSONHandler(&buf, nil)))
	log = log.With("base", "https://u:p4ssw0rd@x.example/v1")
	log.Error("calling with sk-or-v1-0123456789abcdef", "error", errors.New("401: Bearer sk-or-v1-0123456789abcdef"),
		slog.Group("req", "auth", "Bearer sk-or-v1-0123456789abcdef"), "n", 3)
	out := buf.String()
	if strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "p4ssw0rd") {
		t.Errorf("a secret reached the log: %s", out)
	}
	if !strings.Contains(out, `"n":3`) || !strings.Contains(out, "[redacted]") {
		t.Errorf("the record lost its other attributes: %s", out)
	}
}

func TestScrubFindsAKnownKeyInEveryForm(t *testing.T) {
	const key = "Qw7ZpL3xR9mK2vT8nB5cY1hJ6dF4gS0a"
	s := New(key)
	for _, in := range []string{
		"key " + key + " refused",
		"KEY " + strings.ToUpper(key) + " REFUSED",
		`{"apiKey":"` + key + `"}`,
		"key " + strings.Join(strings.Split(key, ""), " ") + " refused",
		"key " + key[:10] + " \n " + key[10:20] + "\t" + key[20:] + " refused",
		"header " + base64.StdEncoding.EncodeToString([]byte("Bearer "+key)) + " refused",
		"header " + base64.URLEncoding.EncodeToString([]byte("x"+key+"yz")) + " refused",
		"header " + base64.RawStdEncoding.EncodeToString([]byte("ab"+key)) + " refused",
	} {
		out := s.Scrub(in)
		if strings.Contains(strings.ToLower(strings.Join(strings.Fields(out), "")), strings.ToLower(key)) || !strings.Contains(out, Redacted) {
			t.Errorf("Scrub(%q) = %q: the key is still there", in, out)
		}
		if !strings.HasSuffix(out, "refused") && !strings.HasSuffix(out, "REFUSED") && !strings.HasSuffix(out, "}") {
			t.Errorf("Scrub(%q) = %q: the text around the key went too", in, out)
		}
	}
	// An encoding of other bytes stays.
	other := base64.StdEncoding.EncodeToString([]byte("an ordinary image payload, no key"))
	if got := s.Scrub(other); got != other {
		t.Errorf("Scrub(%q) = %q, want it unchanged", other, got)
	}
}

func TestProviderErrorKeepsItsKindAndLosesTheKey(t *testing.T) {
	const key = "sk-or-v1-0123456789abcdef0123456789abcdef"
	s := New(key)
	in := &generia.ProviderError{Provider: "openrouter", Kind: generia.KindLimit, Status: 402, Code: "BEARER " + strings.ToUpper(key),
		Message: "out of credits for " + key, Err: errors.New("402: " + key)}
	err := s.ProviderError(in)
	var pe *generia.ProviderError
	if !errors.As(err, &pe) || pe.Kind != generia.KindLimit || pe.Status != 402 {
		t.Fatalf("ProviderError(%v) = %#v: lost its kind or status", in, err)
	}
	for _, text := range []string{pe.Message, pe.Code, pe.Err.Error(), err.Error()} {
		if strings.Contains(strings.ToLower(text), "0123456789abcdef") {
			t.Errorf("the key is still in %q", text)
		}
	}
	if got := s.ProviderError(context.Canceled); got != context.Canceled {
		t.Errorf("ProviderError(context.Canceled) = %v, want it as it is", got)
	}
	wrapped := s.ProviderError(generia.WrapError(generia.KindInvalid, errors.New("echo "+key), "bad prompt"))
	if !generia.IsKind(wrapped, generia.KindInvalid) || strings.Contains(wrapped.Error(), key) {
		t.Errorf("ProviderError of an *Error = %v: want KindInvalid, no key", wrapped)
	}
}

// BenchmarkScrubLogLine measures what scrubbing costs a log line, with the
// four secrets a deployment configures.
func BenchmarkScrubLogLine(b *testing.B) {
	s := New("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", "Qw7ZpL3xR9mK2vT8nB5cY1hJ6dF4gS0a",
		"postgres-password-0123", "0123456789abcdef0123456789abcdef0123456789")
	line := `web request failed method=GET path=/worlds/tidewater/posts/0f8e2c status=500 duration=12.5ms error="store: reading the feed of world tidewater: context deadline exceeded"`
	b.ReportAllocs()
	for b.Loop() {
		s.Scrub(line)
	}
}
