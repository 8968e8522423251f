package app

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

func TestModeratorFromSettings(t *testing.T) {
	mods := httptest.NewServer(fakeprovider.NewModerations(fakeprovider.ModerationsOptions{APIKey: "sk-moderation-key-1234"}))
	defer mods.Close()
	guard := httptest.NewServer(fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{}))
	defer guard.Close()

	for _, tt := range []struct {
		env     map[string]string
		name    string
		flagged bool // does a hateful comment come back flagged
	}{
		{map[string]string{}, "offline", false}, // the marker is no word of the list
		{map[string]string{"GENERIA_MODERATION": "off"}, "off", false},
		{map[string]string{"GENERIA_MODERATION": "openai", "MODERATION_BASE_URL": mods.URL + "/v1", "MODERATION_API_KEY": "sk-moderation-key-1234"}, "openai", true},
		{map[string]string{"GENERIA_MODERATION": "guard", "MODERATION_BASE_URL": guard.URL + "/api/v1"}, "guard", true},
	} {
		cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		m, err := Moderator(cfg)
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		v, err := m.CheckText(context.Background(), generia.TextCheck{Kind: generia.CheckComment, Text: "they are " + fakeprovider.MarkerHate})
		if err != nil || m.Name() != tt.name || slices.Contains(v.Flagged, generia.CategoryHate) != tt.flagged {
			t.Errorf("%v: %s answered %+v, %v", tt.env, m.Name(), v, err)
		}
	}

	cfg, _ := config.FromEnv(func(k string) (string, bool) { return map[string]string{"GENERIA_MODERATION": "openai"}[k], true })
	if _, err := Moderator(cfg); err == nil || !strings.Contains(err.Error(), "MODERATION_BASE_URL") {
		t.Errorf("openai without a base URL: %v", err)
	}
}
