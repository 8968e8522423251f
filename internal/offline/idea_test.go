package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/generia/generia/internal/content"
)

// fixtureIdea is a world idea kept in testdata/ideas.json, with the nouns a
// reader would call its subject: the head noun first, then, for an idea of
// two things ("a vineyard town on the slopes of a sleeping volcano"), the
// other.
type fixtureIdea struct {
	Prompt string   `json:"prompt"`
	Heads  []string `json:"heads"`
}

func loadIdeas(t testing.TB) []fixtureIdea {
	t.Helper()
	data, err := os.ReadFile("testdata/ideas.json")
	if err != nil {
		t.Fatal(err)
	}
	var ideas []fixtureIdea
	if err := json.Unmarshal(data, &ideas); err != nil {
		t.Fatal(err)
	}
	if len(ideas) < 30 {
		t.Fatalf("%d fixture ideas, want at least 30", len(ideas))
	}
	return ideas
}

// nounPattern matches the nouns as words, in the singular or plural
// ("hourglass", "hourglasses", "beetle-drovers"; not "Beetlewick").
func nounPattern(nouns []string) *regexp.Regexp {
	quoted := make([]string, len(nouns))
	for i, n := range nouns {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`(?i)\b(` + strings.Join(quoted, "|") + `)(s|es)?\b`)
}

// worldFor answers the world step for prompt as the pipeline would for the
// world worldID.
func worldFor(t testing.TB, prompt, worldID string) content.WorldDescription {
	t.Helper()
	req, err := content.WorldStep.Request(worldID, "world", content.WorldInput{Prompt: prompt})
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewText(0).GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := content.WorldStep.Parse(content.WorldInput{Prompt: prompt}, res.JSON)
	if err != nil {
		t.Fatal(err)
	}
	return ans.Value
}

// TestWorldsKeepTheirIdea reads a 100-post world of every fixture idea for
// its subject: in the name or the short description, and in at least a third
// of the captions.
func TestWorldsKeepTheirIdea(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 100-post world of every fixture idea")
	}
	ideas := loadIdeas(t)
	var kept, total, named int
	for _, idea := range ideas {
		w := simulate(t, idea.Prompt, 10, 100)
		re := nounPattern(idea.Heads)
		first := w.desc.Name + " " + w.desc.DescriptionShort
		if re.MatchString(first) {
			named++
		} else {
			t.Errorf("%q: %q is neither in the name nor the short description: %q", idea.Prompt, idea.Heads, first)
		}
		n, all := 0, 0
		for _, posts := range w.posts {
			for _, p := range posts {
				all++
				if re.MatchString(p.Caption) {
					n++
				}
			}
		}
		kept += n
		total += all
		t.Logf("%3d/%3d posts name %-22s %-28q %s", n, all, strings.Join(idea.Heads, "/"), w.desc.Name, idea.Prompt)
		if 3*n < all {
			t.Errorf("%q: %d of %d posts name %q, want at least a third", idea.Prompt, n, all, idea.Heads)
		}
	}
	t.Logf("idea kept: %d of %d posts (%.1f%%); head noun in name or short description: %d of %d worlds",
		kept, total, 100*float64(kept)/float64(max(1, total)), named, len(ideas))
}

// TestWorldsShareNoInventedNames reads the names and institutions of the
// fixture worlds: no two worlds share one, and the same prompt twice gives
// two differently named worlds.
func TestWorldsShareNoInventedNames(t *testing.T) {
	ideas := loadIdeas(t)
	owner := map[string]string{}
	shared := 0
	for _, idea := range ideas {
		d := worldFor(t, idea.Prompt, "world-1")
		fl := flavorOf(d)
		names := append([]string{d.Name}, fl.groups...)
		for _, n := range names {
			key := strings.ToLower(strings.TrimPrefix(n, "the "))
			if o, ok := owner[key]; ok && o != idea.Prompt {
				shared++
				t.Errorf("%q and %q share the invented name %q", o, idea.Prompt, n)
			}
			owner[key] = idea.Prompt
		}
	}
	// A name is drawn from hundreds, by the world's ID: two worlds of one
	// idea may meet by chance, seldom.
	same, pairs := 0, 0
	for _, idea := range ideas {
		for i := range 4 {
			a := worldFor(t, idea.Prompt, fmt.Sprintf("world-%d-a", i))
			b := worldFor(t, idea.Prompt, fmt.Sprintf("world-%d-b", i))
			pairs++
			if a.Name == b.Name {
				same++
				t.Logf("%q twice gives two worlds named %q", idea.Prompt, a.Name)
			}
		}
	}
	t.Logf("%d invented names shared between worlds; %d of %d pairs of worlds of one prompt named alike", shared, same, pairs)
	if 100*same > 3*pairs {
		t.Errorf("%d of %d pairs of worlds of one prompt are named alike, want at most 3%%", same, pairs)
	}
}
