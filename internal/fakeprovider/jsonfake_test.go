package fakeprovider

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFakeJSONHonoursSchemaKeywords(t *testing.T) {
	schemas := map[string]string{
		"scalars": `{"type":"object","additionalProperties":false,
			"required":["count","ratio","flag","kind","fixed","nothing"],
			"properties":{
				"count":{"type":"integer","minimum":3,"maximum":5},
				"ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},
				"flag":{"type":"boolean"},
				"kind":{"type":"string","enum":["photo","story","poll"]},
				"fixed":{"const":"v1"},
				"nothing":{"type":"null"}}}`,
		"strings": `{"type":"object","required":["short","long","code","when","day","mail","link","id"],
			"properties":{
				"short":{"type":"string","maxLength":5},
				"long":{"type":"string","minLength":200},
				"code":{"type":"string","pattern":"^[a-z_]+_[0-9]+$"},
				"when":{"type":"string","format":"date-time"},
				"day":{"type":"string","format":"date"},
				"mail":{"type":"string","format":"email"},
				"link":{"type":"string","format":"uri"},
				"id":{"type":"string","format":"uuid"}}}`,
		"arrays": `{"type":"object","required":["few","many","unique","pair"],
			"properties":{
				"few":{"type":"array","items":{"type":"string"},"maxItems":1},
				"many":{"type":"array","items":{"type":"integer","multipleOf":5,"minimum":1,"maximum":50},"minItems":6},
				"unique":{"type":"array","items":{"type":"boolean"},"uniqueItems":true,"maxItems":2},
				"pair":{"type":"array","prefixItems":[{"type":"integer"},{"type":"string"}],"items":false,"minItems":2}}}`,
		"composition": `{"$defs":{"place":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"type":"string"}}}},
			"type":"object","required":["home","maybe","either","both"],
			"properties":{
				"home":{"$ref":"#/$defs/place"},
				"maybe":{"type":["string","null"]},
				"either":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/place"}]},
				"both":{"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string"}},"required":["b"]}]}}}`,
		"root array": `{"type":"array","items":{"type":"string"},"minItems":1}`,
		"recursive":  `{"$defs":{"node":{"type":"object","required":["label","children"],"properties":{"label":{"type":"string"},"children":{"type":"array","maxItems":0,"items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}`,
	}
	for name, raw := range schemas {
		t.Run(name, func(t *testing.T) {
			var schema map[string]any
			if err := json.Unmarshal([]byte(raw), &schema); err != nil {
				t.Fatal(err)
			}
			for seed := range uint64(20) {
				doc, err := FakeJSON(schema, "A quiet harbour town where lanterns float on the water.", seed)
				if err != nil {
					t.Fatal(err)
				}
				validate(t, schema, string(doc))
			}
		})
	}
}

func TestFakeJSONFollowsThePrompt(t *testing.T) {
	schema := map[string]any{
		"type": "object", "required": []any{"title", "items", "others"},
		"properties": map[string]any{
			"title":  map[string]any{"type": "string"},
			"items":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"others": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		},
	}
	doc, err := FakeJSON(schema, "Write exactly 7 lines about lanterns over the harbour.", 1)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Title         string
		Items, Others []string
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 7 {
		t.Errorf("the first array has %d items, want exactly 7", len(got.Items))
	}
	if n := len(got.Others); n < 2 || n > 4 {
		t.Errorf("another array has %d items, want 2 to 4", n)
	}
	words := strings.Fields(strings.ToLower(strings.Join(append(got.Items, got.Title), " ")))
	fromPrompt := 0
	for _, w := range words {
		if w == "lanterns" || w == "harbour" || w == "lines" {
			fromPrompt++
		}
	}
	if fromPrompt == 0 {
		t.Errorf("no word of the prompt in %s", doc)
	}
	seen := map[string]bool{}
	for _, s := range got.Items {
		if seen[s] {
			t.Errorf("%q repeats", s)
		}
		seen[s] = true
	}
}

func TestFakeJSONWritesHandlesInLatinLetters(t *testing.T) {
	schema := map[string]any{
		"type": "object", "required": []any{"username", "hashtags", "mentions"},
		"properties": map[string]any{
			"username": map[string]any{"type": "string"},
			"hashtags": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"mentions": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		},
	}
	for _, prompt := range []string{"Город на воде, где фонари плавают по каналам", "", "a b c"} {
		doc, err := FakeJSON(schema, prompt, 3)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Username           string
			Hashtags, Mentions []string
		}
		if err := json.Unmarshal(doc, &got); err != nil {
			t.Fatal(err)
		}
		if !usernameRe.MatchString(got.Username) {
			t.Errorf("prompt %q: username %q", prompt, got.Username)
		}
		if len(got.Hashtags) < 2 {
			t.Errorf("prompt %q: hashtags %q", prompt, got.Hashtags)
		}
		for _, h := range got.Hashtags {
			if h == "" || strings.ContainsAny(h, "# ") {
				t.Errorf("prompt %q: hashtag %q", prompt, h)
			}
		}
		if len(got.Mentions) != 0 {
			t.Errorf("prompt %q: mentions %q, want none", prompt, got.Mentions)
		}
	}
}

func TestFakeJSONRejectsUnresolvableRefs(t *testing.T) {
	for _, ref := range []string{"#/$defs/missing", "https://example.com/schema.json"} {
		if _, err := FakeJSON(map[string]any{"$ref": ref}, "", 1); err == nil {
			t.Errorf("$ref %q: no error", ref)
		}
	}
}
