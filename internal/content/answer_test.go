package content

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
)

func member(name string) CastMember {
	return CastMember{Name: name, Concept: "Keeps the lamps lit.", Role: "lamplighter", Traits: []string{"calm"}, Interests: []string{"oil"}}
}

func castJSON(t *testing.T, names ...string) string {
	t.Helper()
	plan := CastPlan{Connections: []Connection{}, SharedStories: []Story{}}
	for _, n := range names {
		plan.Characters = append(plan.Characters, member(n))
	}
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRequestSchemasPinWhatTheRequestAsksFor(t *testing.T) {
	cast := CastStep.RequestSchema(CastInput{World: sampleWorld, Count: 4, Total: 4})
	chars := node(cast).at("characters")
	if chars["minItems"] != 4 || chars["maxItems"] != 4 {
		t.Errorf("cast batch of 4: characters minItems %v maxItems %v", chars["minItems"], chars["maxItems"])
	}
	if CastStep.Schema()["properties"].(map[string]any)["characters"].(map[string]any)["minItems"] != nil {
		t.Errorf("a request's bounds leaked into the step's own schema")
	}
	posts := node(PostPlanStep.RequestSchema(PostPlanInput{Count: 7})).at("posts")
	if posts["minItems"] != 7 || posts["maxItems"] != 7 {
		t.Errorf("post plan of 7: posts minItems %v maxItems %v", posts["minItems"], posts["maxItems"])
	}
	post := node(PostStep.RequestSchema(PostInput{Hashtags: 4, Others: []Handle{{Username: "ilo"}, {Username: "mara_k"}}}))
	if h := post.at("hashtags"); h["minItems"] != 4 || h["maxItems"] != 4 {
		t.Errorf("post with 4 hashtags: minItems %v maxItems %v", h["minItems"], h["maxItems"])
	}
	if enum := post.at("mentions", "[]")["enum"]; !slices.Equal(enum.([]any), []any{"ilo", "mara_k"}) {
		t.Errorf("mentions enum = %v, want the two handles", enum)
	}
	if m := node(PostStep.RequestSchema(PostInput{Hashtags: 3})).at("mentions"); m["maxItems"] != 0 {
		t.Errorf("a post with no one to mention allows %v mentions", m["maxItems"])
	}
	detail := node(CharacterStep.RequestSchema(CharacterInput{Member: member("Mara"), Cast: []CastMember{member("Mara"), member("Ilo")}}))
	if enum := detail.at("relationships", "[]", "name")["enum"]; !slices.Equal(enum.([]any), []any{"Ilo"}) {
		t.Errorf("relationship names enum = %v, want the others of the cast", enum)
	}
	if u := detail.at("username"); u["pattern"] == nil || u["maxLength"] != 24 {
		t.Errorf("username bounds = %v", u)
	}
	if b := detail.at("bio"); b["maxLength"] != 200 || b["minLength"] != 1 {
		t.Errorf("bio bounds = %v", b)
	}
}

func TestParseRepairsWhatRealModelsGetWrong(t *testing.T) {
	in := CastInput{World: sampleWorld, Count: 3, Total: 5, Earlier: []CastMember{member("Ilo Venn")}}
	three := castJSON(t, "Mara Kell", "Pell Orrin", "Sefa Dunn")
	cases := []struct {
		name    string
		answer  string
		repairs []string
		names   []string
	}{
		{"clean", three, nil, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"fenced", "```json\n" + three + "\n```", []string{RepairUnfenced}, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"after a sentence", "Sure! Here is the cast you asked for:\n\n" + three, []string{RepairUnfenced}, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"trailed", three + "\n\nLet me know if you want changes {or more}.", []string{RepairUnfenced}, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"surplus", castJSON(t, "Mara Kell", "Pell Orrin", "Sefa Dunn", "Tam Ro", "Ula Bask"), []string{RepairTrimmed}, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"shortfall", castJSON(t, "Mara Kell"), nil, []string{"Mara Kell"}},
		{"duplicate names", castJSON(t, "Mara Kell", "mara  kell", "Ilo Venn"), []string{RepairRenamed}, []string{"Mara Kell", "mara kell II", "Ilo Venn II"}},
		{"missing optional field", strings.Replace(three, `,"shared_stories":[]`, "", 1), []string{RepairFilled}, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"unknown field", strings.Replace(three, `"connections":[]`, `"connections":[],"notes":"x"`, 1), []string{RepairDropped}, []string{"Mara Kell", "Pell Orrin", "Sefa Dunn"}},
		{"a member without a name", strings.Replace(three, `"name":"Pell Orrin"`, `"name":""`, 1), []string{RepairDropped}, []string{"Mara Kell", "Sefa Dunn"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := CastStep.Parse(in, []byte(tc.answer))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []string
			for _, c := range ans.Value.Characters {
				got = append(got, c.Name)
			}
			if !slices.Equal(got, tc.names) {
				t.Errorf("characters %q, want %q", got, tc.names)
			}
			if !slices.Equal([]string(ans.Repairs), tc.repairs) {
				t.Errorf("repairs %v, want %v", ans.Repairs, tc.repairs)
			}
			if CastStep.Items(ans.Value) != len(tc.names) {
				t.Errorf("Items = %d", CastStep.Items(ans.Value))
			}
		})
	}
}

func TestParseRefusesWhatCannotBeRepaired(t *testing.T) {
	in := CastInput{World: sampleWorld, Count: 3, Total: 3}
	for name, answer := range map[string]string{
		"empty":        "  \n",
		"prose":        "I'm sorry, but I can't help with that request.",
		"cut off":      castJSON(t, "Mara Kell", "Pell Orrin")[:60],
		"no character": castJSON(t),
		"wrong type":   `{"characters": "three of them", "connections": [], "shared_stories": []}`,
		"an array":     `[{"name": "Mara"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := CastStep.Parse(in, []byte(answer))
			if !generia.IsKind(err, generia.KindInvalid) || generia.ErrorMessage(err) == "" {
				t.Errorf("Parse = %v, want a KindInvalid error saying why", err)
			}
		})
	}
}

func TestParseBoundsTextsAndClosedValues(t *testing.T) {
	cast := []CastMember{member("Mara Kell"), member("Ilo Venn"), member("Pell Orrin")}
	in := CharacterInput{World: sampleWorld, Position: 0, Member: cast[0], Cast: cast}
	d := CharacterDetail{
		Username: "Mara Kell!", DisplayName: "Mara Kell", Bio: strings.Repeat("Mending what the tide breaks. ", 12),
		Personality: "Stubborn.", Appearance: "Grey braid.", AvatarPrompt: "A portrait.",
		Interests: []string{}, Topics: []string{},
		Relationships: []Relationship{
			{Name: "ilo venn", Kind: "rival", Description: "We race."},
			{Name: "Nobody Known", Kind: "friend", Description: "Not in the cast."},
			{Name: "Pell Orrin", Kind: "cousin"},
		},
	}
	raw, _ := json.Marshal(d)
	ans, err := CharacterStep.Parse(in, raw)
	if err != nil {
		t.Fatal(err)
	}
	got := ans.Value
	if got.Username != "marakell" {
		t.Errorf("username %q, want it normalised", got.Username)
	}
	if n := len([]rune(got.Bio)); n > 200 || !strings.HasSuffix(got.Bio, ".") {
		t.Errorf("bio of %d runes, cut mid-sentence: %q", n, got.Bio)
	}
	if len(got.Relationships) != 2 || got.Relationships[0].Name != "Ilo Venn" || got.Relationships[1].Name != "Pell Orrin" {
		t.Errorf("relationships %+v, want Ilo Venn (recased) and Pell Orrin, the stranger dropped", got.Relationships)
	}
	for _, r := range []string{RepairShortened, RepairRecased, RepairDropped, RepairNormalised} {
		if !slices.Contains(ans.Repairs, r) {
			t.Errorf("repairs %v lack %s", ans.Repairs, r)
		}
	}

	// A post: hashtags normalised and trimmed to the count, a mention of
	// someone who does not exist dropped, fewer hashtags than asked kept.
	post := PostInput{Hashtags: 3, Others: []Handle{{Username: "ilo_venn"}}}
	raw = []byte(`{"caption":"Storm again.","hashtags":["#tide","Salt Air","tide","nets","dawn"],"image_prompt":"A pier.","mood":"wry","location":"pier","mentions":["ILO_VENN","ghost"]}`)
	pa, err := PostStep.Parse(post, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pa.Value.Hashtags, []string{"tide", "SaltAir", "nets"}) || !slices.Equal(pa.Value.Mentions, []string{"ilo_venn"}) {
		t.Errorf("hashtags %q mentions %q", pa.Value.Hashtags, pa.Value.Mentions)
	}
	raw = []byte(`{"caption":"Storm again.","hashtags":["tide"],"image_prompt":"A pier.","mood":"wry","location":"pier","mentions":[]}`)
	if pa, err := PostStep.Parse(post, raw); err != nil || len(pa.Value.Hashtags) != 1 {
		t.Errorf("a post with one hashtag of three: %v, %v", pa.Value.Hashtags, err)
	}
	raw = []byte(`{"caption":"","hashtags":["tide"],"image_prompt":"A pier.","mood":"wry","location":"pier","mentions":[]}`)
	if _, err := PostStep.Parse(post, raw); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("a post without a caption: %v, want invalid", err)
	}
	// A post of a character's life that repeats its recent posts is asked
	// again for; one about something else passes.
	post.Recent = []string{"Storm again over the harbour nets tonight, the third storm this week."}
	raw = []byte(`{"caption":"Storm again over the harbour nets, third storm this week!","hashtags":["tide"],"image_prompt":"A pier.","mood":"wry","location":"pier","mentions":[]}`)
	if _, err := PostStep.Parse(post, raw); !generia.IsKind(err, generia.KindInvalid) || !strings.Contains(err.Error(), "repeats") {
		t.Errorf("a post that repeats a recent one: %v, want it refused as a repeat", err)
	}
	raw = []byte(`{"caption":"Baked bread for the ferry crew at dawn.","hashtags":["tide"],"image_prompt":"A pier.","mood":"wry","location":"pier","mentions":[]}`)
	if _, err := PostStep.Parse(post, raw); err != nil {
		t.Errorf("a new post after a storm post: %v", err)
	}
}

func TestRestAsksOnlyForTheMissingItems(t *testing.T) {
	in := CastInput{World: sampleWorld, Batch: 0, Batches: 1, First: 0, Count: 4, Total: 4, Earlier: []CastMember{member("Ilo Venn")}}
	have := CastPlan{Characters: []CastMember{member("Mara Kell")}}
	rest := CastStep.Rest(in, have, 3)
	if rest.First != 1 || rest.Count != 3 || len(rest.Earlier) != 2 || len(in.Earlier) != 1 {
		t.Fatalf("rest = first %d count %d earlier %d (input's earlier %d)", rest.First, rest.Count, len(rest.Earlier), len(in.Earlier))
	}
	prompt, err := CastStep.Prompt(rest)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plan characters 2 to 4 (exactly 3 characters)", "- Mara Kell, lamplighter", "- Ilo Venn, lamplighter"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("top-up prompt lacks %q:\n%s", want, prompt)
		}
	}
	pp := PostPlanInput{World: sampleWorld, Count: 5, Total: 5, Batches: 1}
	prest := PostPlanStep.Rest(pp, PostPlan{Posts: []PostConcept{{Topic: "the race", Brief: "She loses."}}}, 4)
	prompt, err = PostPlanStep.Prompt(prest)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plan posts 2 to 5 (exactly 4 posts)", "- the race: She loses."} {
		if !strings.Contains(prompt, want) {
			t.Errorf("top-up prompt lacks %q:\n%s", want, prompt)
		}
	}
	merged := have
	CastStep.Merge(&merged, CastPlan{Characters: []CastMember{member("Pell Orrin")}})
	if CastStep.Items(merged) != 2 {
		t.Errorf("merged %d characters", CastStep.Items(merged))
	}
}

// Parse never panics, whatever a model answers, and what it accepts holds
// no more items than asked.
func FuzzParse(f *testing.F) {
	three := `{"characters":[{"name":"Mara","concept":"c","role":"r","traits":[],"interests":[]},{"name":"Ilo","concept":"c","role":"r","traits":["a"],"interests":[]},{"name":"Pell","concept":"c","role":"r","traits":[],"interests":[]}],"connections":[],"shared_stories":[]}`
	for _, seed := range []string{
		three, "```json\n" + three + "\n```", "Sure:\n" + three + "\nBye {", three[:70], "", "null", "[]", `{"characters":null}`,
		`{"characters":[{"name":{"x":1}}]}`, `{"characters":[1,2,3]}`, `{{{{`, `"}"{"`, `{"a":"\"}"}`,
		strings.Replace(three, `"Ilo"`, `"Mara"`, 1),
	} {
		f.Add(seed)
	}
	in := CastInput{World: sampleWorld, Count: 3, Total: 4, Earlier: []CastMember{member("Mara")}}
	f.Fuzz(func(t *testing.T, answer string) {
		ans, err := CastStep.Parse(in, []byte(answer))
		if err != nil {
			if !generia.IsKind(err, generia.KindInvalid) {
				t.Fatalf("Parse error of kind %s: %v", generia.ErrorKind(err), err)
			}
			return
		}
		if n := CastStep.Items(ans.Value); n < 1 || n > 3 {
			t.Fatalf("accepted %d characters of 3", n)
		}
		names := map[string]bool{"mara": true}
		for _, c := range ans.Value.Characters {
			if names[NameKey(c.Name)] {
				t.Fatalf("accepted %q twice (or again after the earlier cast)", c.Name)
			}
			names[NameKey(c.Name)] = true
		}
	})
}
