package content

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
)

var sampleWorld = WorldDescription{
	Name: "Tidewell", Language: "English", DescriptionShort: "A harbour city on a tide that never ebbs.",
	Description: "Long text.", Theme: "endless tide", TechnologyLevel: "steam", SocialStructure: "guilds",
	Culture: "salt festivals", Geography: "islands", VisualStyle: "watercolour", History: "the flood",
	Conflicts: []string{"guild war"}, CommonActivities: []string{"fishing"}, TypicalStories: []string{"rescue"},
}

func TestPromptsRenderTheirInput(t *testing.T) {
	char := CharacterDetail{Username: "mara_k", DisplayName: "Mara K", Bio: "Net mender.", Interests: []string{"knots"}, Topics: []string{"nets"},
		Relationships: []Relationship{{Name: "Ilo Venn", Kind: "rival", Description: "We race boats."}}}
	cases := []struct {
		name   string
		render func() (string, error)
		want   []string
	}{
		{"world", func() (string, error) {
			return WorldStep.Prompt(WorldInput{Prompt: "A city of endless tide", Name: "Tidewell"})
		},
			[]string{"A city of endless tide", "The name they gave it:", "Tidewell"}},
		{"images", func() (string, error) { return WorldImagesStep.Prompt(WorldImagesInput{World: sampleWorld}) },
			[]string{"World: Tidewell", "watercolour"}},
		{"cast", func() (string, error) {
			return CastStep.Prompt(CastInput{World: sampleWorld, Batch: 1, Batches: 2, First: 10, Count: 5, Total: 15,
				Earlier: []CastMember{{Name: "Ilo Venn", Role: "harbour master", Concept: "Keeps order."}}})
		}, []string{"Plan characters 11 to 15 (exactly 5 characters), batch 2 of 2", "- Ilo Venn, harbour master", "Write every text field in English"}},
		{"character", func() (string, error) {
			m := CastMember{Name: "Mara K", Role: "net mender", Concept: "Mends nets.", Traits: []string{"stubborn"}}
			return CharacterStep.Prompt(CharacterInput{World: sampleWorld, Position: 2, Member: m, Cast: []CastMember{m},
				Stories: []Story{{Title: "The great storm", Characters: []string{"Mara K", "Ilo Venn"}, Summary: "The nets tore."}}})
		}, []string{"number 3 of the cast", "Name: Mara K", "- Mara K, net mender", "- The great storm (with Mara K, Ilo Venn): The nets tore."}},
		{"post plan", func() (string, error) {
			return PostPlanStep.Prompt(PostPlanInput{World: sampleWorld, Character: char, Batch: 0, Batches: 1, First: 0, Count: 4, Total: 4,
				Stories: []Story{{Title: "The great storm", Characters: []string{"Mara K"}, Summary: "The nets tore."}}})
		}, []string{"posts 1 to 4 (exactly 4 posts)", "- Ilo Venn (rival): We race boats.", "tell their side of them", "- The great storm (with Mara K): The nets tore."}},
		{"post", func() (string, error) {
			return PostStep.Prompt(PostInput{World: sampleWorld, Character: char, Concept: PostConcept{Topic: "storm"}, Number: 0, Total: 3,
				Others: []Handle{{Username: "ilo", DisplayName: "Ilo Venn"}}})
		}, []string{"(1 of 3 in their timeline)", "Topic: storm", "- @ilo (Ilo Venn)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.render()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("prompt lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "<no value>") {
				t.Errorf("prompt has an unfilled field:\n%s", got)
			}
		})
	}
}

func TestSchemasAreStrict(t *testing.T) {
	s := CastStep.Schema()
	if s["additionalProperties"] != false {
		t.Errorf("top-level additionalProperties = %v, want false", s["additionalProperties"])
	}
	props := s["properties"].(map[string]any)
	chars := props["characters"].(map[string]any)
	if chars["type"] != "array" {
		t.Errorf("characters type = %v, want array", chars["type"])
	}
	item := chars["items"].(map[string]any)
	req, _ := item["required"].([]any)
	if len(req) != 5 {
		t.Errorf("cast member requires %v, want all 5 fields", req)
	}
}

func TestDecodeRejectsAnswersOffSchema(t *testing.T) {
	good, _ := json.Marshal(PostDetail{Caption: "Storm again.", Hashtags: []string{"tide"}, ImagePrompt: "A pier.", Mood: "wry", Location: "pier", Mentions: []string{}})
	if _, err := PostStep.Decode(good); err != nil {
		t.Fatalf("valid answer rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"not json":      `{"caption": "x"`,
		"missing field": `{"caption":"x","hashtags":[],"image_prompt":"p","mood":"m","location":"l"}`,
		"wrong type":    `{"caption":3,"hashtags":[],"image_prompt":"p","mood":"m","location":"l","mentions":[]}`,
		"extra field":   `{"caption":"x","hashtags":[],"image_prompt":"p","mood":"m","location":"l","mentions":[],"x":1}`,
		"null array":    `{"caption":"x","hashtags":null,"image_prompt":"p","mood":"m","location":"l","mentions":[]}`,
	} {
		if _, err := PostStep.Decode([]byte(bad)); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("%s: err = %v, want KindInvalid", name, err)
		}
	}
}

func TestStoriesOf(t *testing.T) {
	stories := []Story{
		{Title: "storm", Characters: []string{"Mara K", "Ilo Venn"}},
		{Title: "festival", Characters: []string{"ilo venn "}},
		{Title: "market", Characters: []string{"Pell"}},
	}
	got := StoriesOf(stories, "Ilo Venn")
	if len(got) != 2 || got[0].Title != "storm" || got[1].Title != "festival" {
		t.Errorf("StoriesOf(Ilo Venn) = %+v", got)
	}
	if len(StoriesOf(stories, "Nobody")) != 0 {
		t.Errorf("a character in no story has stories")
	}
}

// A reply that repeats what the character wrote lately is refused, saying
// why; a new one passes.
func TestReplyMustNotRepeat(t *testing.T) {
	in := ReplyInput{Recent: []string{"The tide brought the lanterns home tonight."}}
	_, err := ReplyStep.Parse(in, []byte(`{"text": "The tide brought the lanterns home tonight!", "mentions": []}`))
	if !generia.IsKind(err, generia.KindInvalid) || !strings.Contains(generia.ErrorMessage(err), "repeats") {
		t.Errorf("a repeated reply: %v, want it refused as a repeat", err)
	}
	ans, err := ReplyStep.Parse(in, []byte(`{"text": "Ask the ferry pilot; she counts them at dawn.", "mentions": []}`))
	if err != nil || ans.Value.Text == "" {
		t.Errorf("a new reply: %+v, %v", ans, err)
	}
}
