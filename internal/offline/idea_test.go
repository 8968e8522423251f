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

// TestReadIdea reads ideas of every shape for their subject: the noun that
// names a settlement, the thing the idea is about, never a verb or an
// adjective torn from it.
func TestReadIdea(t *testing.T) {
	for _, c := range []struct {
		idea, noun, kind string
		many             bool
	}{
		{"A city built inside a giant hourglass, where the sand falls a little every day", "hourglass", "city", false},
		{"An hourglass city", "hourglass", "city", false},
		{"A floating archipelago of islands drifting above the clouds", "archipelago", "", false},
		{"A valley of beetles who carry water from the mountains", "beetle", "valley", true},
		{"An Alpine village where every bell in the valley rings a different family's name", "bell", "village", false},
		{"A harbour town where sea turtles carry the mail", "turtle", "town", true},
		{"A space station run by cats", "cat", "station", true},
		{"A mining colony on the moon that grows tulips", "tulip", "colony", true},
		{"A school for dragons in a castle above the clouds", "dragon", "school", true},
		{"Ein Alpendorf, in dem jede Glocke den Namen einer Familie läutet", "bell", "village", false},
		{"Un village de montagne où chaque cloche sonne le nom d'une famille", "bell", "village", false},
		{"x", "", "", false},
	} {
		s := readIdea(c.idea)
		if s.noun != c.noun || s.kind != c.kind || s.many != c.many {
			t.Errorf("%q reads as %+v, want the %s (many %v) of a %q", c.idea, s, c.noun, c.many, c.kind)
		}
	}
}

func TestProbablyNotEnglish(t *testing.T) {
	for text, want := range map[string]bool{
		"Ein Alpendorf, in dem jede Glocke den Namen einer Familie läutet":   true,
		"Un village de montagne où chaque cloche sonne le nom d'une famille": true,
		"Una ciudad construida dentro de un reloj de arena gigante":          true,
		"Мир, где все говорят стихами":                                       true,
		"山の上の村":                                                               true,
		"A city built inside a giant hourglass":                               false,
		"An Alpine village where every bell rings a family's name":            false,
		"A café in Zürich where the über-rich order crème brûlée at midnight": false,
		"Dragons": false,
	} {
		if got := ProbablyNotEnglish(text); got != want {
			t.Errorf("ProbablyNotEnglish(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestPicturesFollowTheIdea reads the prompts the painter is given: the
// header, the icon and every post picture name the world's subject, and
// the header and posts the words of its landscape, for the painter chooses
// scenes and biomes by them.
func TestPicturesFollowTheIdea(t *testing.T) {
	for _, c := range []struct {
		idea, subject, biome string
	}{
		{"A city built inside a giant hourglass, where the sand falls a little every day", "hourglass", "desert"},
		{"A floating archipelago of islands drifting above the clouds", "archipelago", "clouds"},
		{"A valley of beetles who carry water from the mountains to the dry plains", "beetle", "mountains"},
		{"A mountain village buried in snow for nine months a year", "snow", "snow"},
		{"An orbital greenhouse ring where gardeners grow forests for a dead planet", "greenhouse", "space"},
	} {
		w := simulate(t, c.idea, 3, 9)
		subject, biome := nounPattern([]string{c.subject}), nounPattern([]string{c.biome})
		if !subject.MatchString(w.images.HeaderPrompt) || !biome.MatchString(w.images.HeaderPrompt) {
			t.Errorf("%q: the header prompt names neither the %s nor the %s: %q", c.idea, c.subject, c.biome, w.images.HeaderPrompt)
		}
		if !subject.MatchString(w.images.IconPrompt) {
			t.Errorf("%q: the icon prompt does not name the %s: %q", c.idea, c.subject, w.images.IconPrompt)
		}
		for i, posts := range w.posts {
			for j, p := range posts {
				if !subject.MatchString(p.ImagePrompt) || !biome.MatchString(p.ImagePrompt) {
					t.Errorf("%q post %d/%d: the picture's prompt names neither the %s nor the %s: %q", c.idea, i, j, c.subject, c.biome, p.ImagePrompt)
				}
			}
		}
	}
}
