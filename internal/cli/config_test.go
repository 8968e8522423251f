package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/generia/generia/internal/config"
)

func TestPrintConfigRedactsSecretsAndCredentials(t *testing.T) {
	cfg, err := config.FromEnv(func(k string) (string, bool) {
		v, ok := map[string]string{
			"OPENROUTER_API_KEY":  "sk-or-v1-abcdefghijklmnop",
			"OPENROUTER_BASE_URL": "https://proxy-user:pr0xy-pass@llm.internal/v1?api_key=qu3ry-key",
			"S3_ENDPOINT":         "https://minio-admin:m1n10-pass@minio:9000",
			"TEMPORAL_ADDRESS":    "user:t3mp-pass@temporal.internal:7233",
			"DATABASE_URL":        "postgres://generia:db-pass-123@db:5432/generia",
			"MODERATION_API_KEY":  "sk-mod-zyxwvutsrqpo",
		}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printConfig(&out, &cfg)
	for _, secret := range []string{"abcdefghijklmnop", "pr0xy-pass", "qu3ry-key", "m1n10-pass", "t3mp-pass", "db-pass-123", "zyxwvutsrqpo"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("generia config prints %q:\n%s", secret, out.String())
		}
	}
	for _, kept := range []string{"llm.internal/v1", "minio:9000", "temporal.internal:7233", "runware:100@1"} {
		if !strings.Contains(out.String(), kept) {
			t.Errorf("generia config lost %q:\n%s", kept, out.String())
		}
	}
	if !regexp.MustCompile(`(?m)^S3_BUCKET +generia-media$`).MatchString(out.String()) {
		t.Errorf("generia config does not print S3_BUCKET's default:\n%s", out.String())
	}
}
