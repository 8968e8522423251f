package secret

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
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
