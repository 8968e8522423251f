package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"GENERIA_ADDR": ""}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DataDir: "./data", Addr: "127.0.0.1:8080", S3Bucket: "generia-media", S3Region: "us-east-1",
		TemporalAddr: "127.0.0.1:7233", TemporalUIAddr: "127.0.0.1:8233", TemporalNamespace: "default",
		Queues:      "main,llm,images,progress,services",
		Concurrency: Concurrency{Tasks: 500, LLM: 50, Images: 30, Services: 100, Progress: 20, WorkflowTasks: 100, ActivitiesPerWorker: 200},
		LLMModel:    DefaultLLMModel, RunwareBaseURL: DefaultImageBaseURL, ImageModel: DefaultImageModel,
		Moderation:     Moderation{Backend: "offline", Policy: generia.DefaultPolicy()},
		WorldBudgetUSD: 2, Life: Life{Enabled: true, ActionsPerHour: 6, Idle: 10 * time.Minute, DailyCalls: 200, DailyBudgetUSD: 0.5},
		Ceilings:  generia.Ceilings{LifeActionsPerHour: 60, LifeDailyCalls: 500, LifeDailyBudgetUSD: 1, DailyCalls: 2000, DailyBudgetUSD: 5},
		LoginRate: "10/1m", RegisterRate: "5/1h", WorldRate: "20/1h", CommentRate: "30/10m", PostRate: "20/10m", LifeRate: "20/10m", StreamRate: "60/1m",
		NewcomerRates: "worlds=5/24h,lives=10/24h,posts=20/24h,comments=50/24h,uploads=20/24h", NewcomerHours: 24,
		ReportRate: "20/1h", InvitationRate: "30/1h", UploadRate: "30/1h", UploadMB: 100,
		Streams:  Streams{PerAddress: 20, PerAccount: 20, Max: 10000},
		LogLevel: "info", LogFormat: "text", Server: "http://127.0.0.1:8080",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("FromEnv without variables:\n got %+v\nwant %+v", c, want)
	}
}

func TestFromEnvParses(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"MAX_CONCURRENT_LLM_REQUESTS": "7", "LLM_REQUESTS_PER_SECOND": "2.5", "GENERIA_OFFLINE_LLM_LATENCY": "250ms",
		"S3_USE_PATH_STYLE": "true", "LLM_FALLBACK_MODELS": " a/one, ,b/two ", "GENERIA_QUEUES": "llm,images",
		"GENERIA_REPORT_RATE": "5/10m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrency.LLM != 7 || c.Concurrency.LLMPerSecond != 2.5 || c.OfflineLLMLatency != 250*time.Millisecond ||
		!c.S3PathStyle || !slices.Equal(c.LLMFallbackModels, []string{"a/one", "b/two"}) || c.Queues != "llm,images" ||
		c.ReportRate != "5/10m" {
		t.Errorf("FromEnv: %+v", c)
	}
}

func TestFromEnvSaysWhatIsWrong(t *testing.T) {
	_, err := FromEnv(env(map[string]string{
		"MAX_CONCURRENT_TASKS": "0", "GENERIA_UPLOAD_MB": "lots", "GENERIA_WORLD_BUDGET_USD": "-1",
		"GENERIA_OFFLINE_IMAGE_LATENCY": "3", "GENERIA_SECURE_COOKIES": "yes please",
		"GENERIA_MODERATION": "perspective", "GENERIA_MODERATION_ACTIONS": "sexual=label,nudity=block",
	}))
	if err == nil {
		t.Fatal("FromEnv accepted bad values")
	}
	for _, want := range []string{
		`MAX_CONCURRENT_TASKS="0": want a positive whole number`,
		`GENERIA_UPLOAD_MB="lots": want a positive whole number`,
		`GENERIA_WORLD_BUDGET_USD="-1": want a number ≥ 0`,
		`GENERIA_OFFLINE_IMAGE_LATENCY="3": want a Go duration such as 3s or 250ms`,
		`GENERIA_SECURE_COOKIES: want true or false`,
		`GENERIA_MODERATION="perspective": want one of offline, openai, guard, off`,
		`GENERIA_MODERATION_ACTIONS: "nudity=block"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestFromEnvModeration(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"GENERIA_MODERATION": "guard", "MODERATION_BASE_URL": "https://openrouter.ai/api/v1",
		"MODERATION_API_KEY": "sk-or-v1-moderation-key", "MODERATION_MODEL": "meta-llama/llama-guard-3-8b",
		"GENERIA_MODERATION_ACTIONS": "sexual=label, violence/graphic=block",
	}))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Moderation
	if m.Backend != "guard" || m.BaseURL != "https://openrouter.ai/api/v1" || m.APIKey != "sk-or-v1-moderation-key" || m.Model != "meta-llama/llama-guard-3-8b" {
		t.Errorf("Moderation: %+v", m)
	}
	want := generia.DefaultPolicy()
	want[generia.CategorySexual] = generia.DecisionLabel
	want[generia.CategoryViolenceGraphic] = generia.DecisionBlock
	if !reflect.DeepEqual(m.Policy, want) {
		t.Errorf("Policy %s, want %s", m.Policy, want)
	}
	if !slices.Contains(c.Secrets(), "sk-or-v1-moderation-key") {
		t.Error("the moderation key is not a secret")
	}
	for _, s := range c.Settings() {
		if s.Env == "MODERATION_API_KEY" && !s.Secret {
			t.Error("MODERATION_API_KEY is printed")
		}
	}
}

func TestSecrets(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"OPENROUTER_API_KEY":  "sk-or-v1-abcdefghijklmnop",
		"OPENROUTER_BASE_URL": "https://proxy-user:pr0xy-pass@llm.internal/v1",
		"S3_ENDPOINT":         "https://minio-admin:m1n10-pass@minio:9000",
		"DATABASE_URL":        "postgres://generia:db-pass-123@db:5432/generia",
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sk-or-v1-abcdefghijklmnop", "pr0xy-pass", "m1n10-pass", "db-pass-123"} {
		if !slices.Contains(c.Secrets(), want) {
			t.Errorf("Secrets() lacks %q", want)
		}
	}
}
