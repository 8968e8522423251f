package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

var prompts = []string{
	"A harbour city where the tide never ebbs",
	"A space station run by cats",
	"An enchanted forest village where the owls deliver the mail and the mushrooms gossip",
	"A desert oasis at the crossroads of three caravan routes",
	"A mountain village buried in snow for nine months a year",
	"A neon megacity where it always rains",
	"A kingdom of wizards that has run out of magic",
	"Floating islands above the clouds connected by airships",
	"A sleepy English village with a suspicious number of murders",
	"Мир, где все говорят стихами", // no latin keywords at all
	"x",
}

// generate runs one step through the offline provider, as the pipeline
// does, and parses the answer against the request's schema: an offline
// answer needs no repair and holds every item asked for.
func generate[In, Out any](t testing.TB, step *content.Step[In, Out], key string, in In) Out {
	t.Helper()
	req, err := step.Request("world-1", key, in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewText(0).GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatalf("%s %s: %v", step.Name, key, err)
	}
	ans, err := step.Parse(in, res.JSON)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", step.Name, key, err, res.JSON)
	}
	if len(ans.Repairs) > 0 || step.Items(ans.Value) != step.Count(in) {
		t.Errorf("%s %s: the offline answer needed repairs %v and holds %d of %d items\n%s", step.Name, key, ans.Repairs, step.Items(ans.Value), step.Count(in), res.JSON)
	}
	checkText(t, step.Name+" "+key, res.JSON)
	return ans.Value
}

// checkText fails on empty strings and on template slots left unfilled.
func checkText(t testing.TB, what string, data []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string:
			if strings.TrimSpace(v) == "" || strings.ContainsAny(v, "{}") || strings.Contains(v, "<no value>") || strings.Contains(v, "the the ") {
				t.Errorf("%s: %s = %q", what, path, v)
			}
		}
	}
	walk("", v)
}

// world is a whole generated world, step by step.
type world struct {
	desc    content.WorldDescription
	images  content.WorldImagePrompts
	cast    []content.CastMember
	conns   []content.Connection
	chars   []content.CharacterDetail
	plans   [][]content.PostConcept
	posts   [][]content.PostDetail
	handles []content.Handle
}

// simulate generates a world the way the pipeline does: the cast in batches
// of 10 that see the earlier ones, every profile, post plans in batches of at
// most 10, and every post.
func simulate(t testing.TB, prompt string, characters, posts int) *world {
	t.Helper()
	w := &world{}
	w.desc = generate(t, content.WorldStep, "world", content.WorldInput{Prompt: prompt})
	w.images = generate(t, content.WorldImagesStep, "world/images", content.WorldImagesInput{World: w.desc})
	batches := generia.Batches(characters, 10)
	for b, size := range batches {
		in := content.CastInput{World: w.desc, Batch: b, Batches: len(batches), First: len(w.cast), Count: size, Total: characters,
			Earlier: append([]content.CastMember{}, w.cast...)}
		plan := generate(t, content.CastStep, fmt.Sprintf("cast/batch-%d", b), in)
		if len(plan.Characters) != size {
			t.Fatalf("cast batch %d: %d characters, want %d", b, len(plan.Characters), size)
		}
		known := map[string]bool{}
		for _, c := range append(in.Earlier, plan.Characters...) {
			known[c.Name] = true
		}
		for _, c := range plan.Connections {
			if !known[c.From] || !known[c.To] || c.From == c.To {
				t.Errorf("cast batch %d: connection %q–%q names someone not in the cast", b, c.From, c.To)
			}
		}
		w.cast = append(w.cast, plan.Characters...)
		w.conns = append(w.conns, plan.Connections...)
	}
	for i, m := range w.cast {
		var conns []content.Connection
		for _, c := range w.conns {
			if c.From == m.Name || c.To == m.Name {
				conns = append(conns, c)
			}
		}
		in := content.CharacterInput{World: w.desc, Position: i, Member: m, Cast: w.cast, Connections: conns}
		d := generate(t, content.CharacterStep, fmt.Sprintf("character/%d", i), in)
		w.chars = append(w.chars, d)
		w.handles = append(w.handles, content.Handle{Username: d.Username, DisplayName: d.DisplayName})
	}
	plan := generia.NewPlan(characters, posts)
	for i, n := range plan.Posts {
		ch := w.chars[i]
		var concepts []content.PostConcept
		bs := generia.Batches(n, 10)
		for b, size := range bs {
			in := content.PostPlanInput{World: w.desc, Character: ch, Batch: b, Batches: len(bs), First: len(concepts), Count: size, Total: n}
			pp := generate(t, content.PostPlanStep, fmt.Sprintf("posts/%d/plan-%d", i, b), in)
			if len(pp.Posts) != size {
				t.Fatalf("character %d post plan %d: %d posts, want %d", i, b, len(pp.Posts), size)
			}
			concepts = append(concepts, pp.Posts...)
		}
		w.plans = append(w.plans, concepts)
		var others []content.Handle
		for j, h := range w.handles {
			if j != i {
				others = append(others, h)
			}
		}
		var details []content.PostDetail
		for j, c := range concepts {
			key := fmt.Sprintf("posts/%d/%d", i, j)
			in := content.PostInput{World: w.desc, Character: ch, Concept: c, Number: j, Total: n, Others: others, Hashtags: content.HashtagsFor(key)}
			details = append(details, generate(t, content.PostStep, key, in))
		}
		w.posts = append(w.posts, details)
	}
	return w
}

var (
	handlePattern  = regexp.MustCompile(`^[a-z0-9_]{3,24}$`)
	mentionPattern = regexp.MustCompile(`@([A-Za-z0-9_]+)`)
)

func TestEveryStepPassesItsSchema(t *testing.T) {
	for i, p := range prompts {
		t.Run(fmt.Sprintf("prompt %d", i), func(t *testing.T) {
			w := simulate(t, p, 3+i%5, 4+3*i)
			if w.desc.Language != "English" {
				t.Errorf("language = %q, want English", w.desc.Language)
			}
			if n := len(w.desc.Conflicts); n < 2 || n > 6 {
				t.Errorf("%d conflicts, want 2 to 6", n)
			}
			if n := len(w.images.ColorPalette); n < 3 || n > 6 {
				t.Errorf("%d palette colours, want 3 to 6", n)
			}
		})
	}
	t.Run("named world", func(t *testing.T) {
		d := generate(t, content.WorldStep, "world", content.WorldInput{Prompt: "A harbour city", Name: "Saltmere"})
		if d.Name != "Saltmere" {
			t.Errorf("name = %q, want the one the person gave", d.Name)
		}
	})
	t.Run("empty batches", func(t *testing.T) {
		d := generate(t, content.WorldStep, "world", content.WorldInput{Prompt: prompts[0]})
		plan := generate(t, content.CastStep, "cast", content.CastInput{World: d})
		if plan.Characters == nil || plan.Connections == nil || len(plan.Characters) != 0 {
			t.Errorf("empty cast batch = %+v, want empty arrays", plan)
		}
	})
}

func TestLargeWorldIsConsistent(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a whole world")
	}
	w := simulate(t, prompts[0], 40, 250)

	names := map[string]bool{}
	for _, m := range w.cast {
		key := strings.ToLower(m.Name)
		if names[key] {
			t.Errorf("name %q appears twice in the cast", m.Name)
		}
		names[key] = true
	}
	handles := map[string]bool{}
	castNames := map[string]bool{}
	for _, m := range w.cast {
		castNames[m.Name] = true
	}
	for i, d := range w.chars {
		if !handlePattern.MatchString(d.Username) {
			t.Errorf("character %d: username %q is not 3–24 of [a-z0-9_]", i, d.Username)
		}
		if handles[d.Username] {
			t.Errorf("username %q appears twice", d.Username)
		}
		handles[d.Username] = true
		if d.DisplayName != w.cast[i].Name {
			t.Errorf("character %d: display name %q, want %q", i, d.DisplayName, w.cast[i].Name)
		}
		if n := utf8.RuneCountInString(d.Bio); n > 200 {
			t.Errorf("character %d: bio of %d characters", i, n)
		}
		for _, r := range d.Relationships {
			if !castNames[r.Name] || r.Name == d.DisplayName {
				t.Errorf("character %d: relationship with %q, who is not another member of the cast", i, r.Name)
			}
		}
		if n := len(d.Interests); n < 3 || n > 6 {
			t.Errorf("character %d: %d interests", i, n)
		}
		if n := len(d.Topics); n < 3 || n > 6 {
			t.Errorf("character %d: %d topics", i, n)
		}
	}

	captions := map[string]string{}
	total := 0
	for i, concepts := range w.plans {
		topics := map[string]bool{}
		for _, c := range concepts {
			if topics[strings.ToLower(c.Topic)] {
				t.Errorf("character %d: topic %q planned twice", i, c.Topic)
			}
			topics[strings.ToLower(c.Topic)] = true
		}
		for j, p := range w.posts[i] {
			total++
			where := fmt.Sprintf("post %d/%d", i, j)
			if prev, ok := captions[p.Caption]; ok {
				t.Errorf("%s repeats the caption of %s: %q", where, prev, p.Caption)
			}
			captions[p.Caption] = where
			if n := len(p.Hashtags); n < 2 || n > 6 {
				t.Errorf("%s: %d hashtags", where, n)
			}
			for _, h := range p.Hashtags {
				if strings.ContainsAny(h, "# ") {
					t.Errorf("%s: hashtag %q", where, h)
				}
			}
			mentioned := map[string]bool{}
			for _, m := range p.Mentions {
				mentioned[m] = true
				if !handles[m] || m == w.chars[i].Username {
					t.Errorf("%s mentions %q, who is not among the others", where, m)
				}
				if !strings.Contains(p.Caption, "@"+m) {
					t.Errorf("%s mentions %q but its caption does not: %q", where, m, p.Caption)
				}
			}
			for _, m := range mentionPattern.FindAllStringSubmatch(p.Caption, -1) {
				if !mentioned[m[1]] {
					t.Errorf("%s: caption names @%s, which is not in its mentions", where, m[1])
				}
			}
		}
	}
	if total != 250 {
		t.Errorf("%d posts, want 250", total)
	}
}

// allText is every string a world's steps produced, lowercase.
func (w *world) allText() string {
	data, _ := json.Marshal([]any{w.desc, w.images, w.cast, w.conns, w.chars, w.plans, w.posts})
	return strings.ToLower(string(data))
}

func TestWorldsReadLikeTheirIdea(t *testing.T) {
	harbour := simulate(t, "A harbour city where the tide never ebbs", 6, 30)
	cats := simulate(t, "A space station run by cats", 6, 30)
	cases := []struct {
		name  string
		w     *world
		words []string
	}{
		{"harbour", harbour, []string{"tide", "harbour"}},
		{"cats", cats, []string{"cat", "station"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := c.w.allText()
			other := harbour.allText()
			if c.w == harbour {
				other = cats.allText()
			}
			for _, word := range c.words {
				re := regexp.MustCompile(`\b` + word + `s?\b`)
				own, theirs := len(re.FindAllString(text, -1)), len(re.FindAllString(other, -1))
				if own < 10 || own <= 3*theirs {
					t.Errorf("%q appears %d times in this world and %d times in the other", word, own, theirs)
				}
			}
			if !strings.Contains(strings.ToLower(c.w.desc.Theme), c.words[0]) {
				t.Errorf("theme %q does not carry the idea's %q", c.w.desc.Theme, c.words[0])
			}
		})
	}
	if harbour.desc.Name == cats.desc.Name {
		t.Errorf("both worlds are named %q", harbour.desc.Name)
	}
}

func TestPostsFollowTheirConceptAndVoice(t *testing.T) {
	w := simulate(t, prompts[2], 4, 24)
	for i, ch := range w.chars {
		v := voiceFor(ch.SpeakingStyle, ch.Username)
		if v.style != ch.SpeakingStyle {
			t.Fatalf("character %d: speaking style %q is not a known voice", i, ch.SpeakingStyle)
		}
		for j, p := range w.posts[i] {
			c := w.plans[i][j]
			if p.Mood != c.Tone {
				t.Errorf("post %d/%d: mood %q, planned tone %q", i, j, p.Mood, c.Tone)
			}
			event := strings.ToLower(eventOf(c.Brief, ch.DisplayName))
			for _, h := range w.handles {
				event = strings.ReplaceAll(event, strings.ToLower(h.DisplayName), "@"+h.Username)
			}
			if event == "" || !strings.Contains(strings.ToLower(p.Caption), event) {
				t.Errorf("post %d/%d: caption %q does not tell the planned event %q", i, j, p.Caption, event)
			}
			if v.lower && p.Caption != strings.ToLower(p.Caption) {
				t.Errorf("post %d/%d: a lowercase voice wrote %q", i, j, p.Caption)
			}
		}
	}
}

func TestTextIsDeterministic(t *testing.T) {
	d := generate(t, content.WorldStep, "world", content.WorldInput{Prompt: prompts[0]})
	d2 := generate(t, content.WorldStep, "world", content.WorldInput{Prompt: prompts[1]})
	plan := generate(t, content.CastStep, "cast", content.CastInput{World: d, Count: 3, Total: 3, Batches: 1})
	ch := generate(t, content.CharacterStep, "character/0", content.CharacterInput{World: d, Member: plan.Characters[0], Cast: plan.Characters, Connections: plan.Connections})
	posts := generate(t, content.PostPlanStep, "plan", content.PostPlanInput{World: d, Character: ch, Count: 3, Total: 3, Batches: 1})
	others := []content.Handle{{Username: "someone_else", DisplayName: "Someone Else"}}
	cases := []struct {
		name        string
		in, another any // another is the same step for another world
	}{
		{"world", content.WorldInput{Prompt: prompts[0]}, content.WorldInput{Prompt: prompts[1]}},
		{"images", content.WorldImagesInput{World: d}, content.WorldImagesInput{World: d2}},
		{"cast", content.CastInput{World: d, Count: 5, Total: 5, Batches: 1}, content.CastInput{World: d2, Count: 5, Total: 5, Batches: 1}},
		{"character", content.CharacterInput{World: d, Member: plan.Characters[0], Cast: plan.Characters},
			content.CharacterInput{World: d2, Member: plan.Characters[0], Cast: plan.Characters}},
		{"post plan", content.PostPlanInput{World: d, Character: ch, Count: 5, Total: 5, Batches: 1},
			content.PostPlanInput{World: d2, Character: ch, Count: 5, Total: 5, Batches: 1}},
		{"post", content.PostInput{World: d, Character: ch, Concept: posts.Posts[0], Total: 3, Others: others},
			content.PostInput{World: d2, Character: ch, Concept: posts.Posts[0], Total: 3, Others: others}},
	}
	gen := NewText(0)
	answer := func(key string, in any) []byte {
		t.Helper()
		res, err := gen.GenerateJSON(context.Background(), generia.TextRequest{Key: key, Input: in, Prompt: "p"})
		if err != nil {
			t.Fatal(err)
		}
		return res.JSON
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := answer("k1", c.in), answer("k1", c.in)
			if !bytes.Equal(a, b) {
				t.Errorf("the same request gave different answers:\n%s\n%s", a, b)
			}
			if bytes.Equal(a, answer("k2", c.in)) {
				t.Errorf("another key gave the same answer: %s", a)
			}
			if bytes.Equal(a, answer("k1", c.another)) {
				t.Errorf("another world gave the same answer: %s", a)
			}
		})
	}
}

func TestTextResult(t *testing.T) {
	req, err := content.WorldStep.Request("w", "world", content.WorldInput{Prompt: prompts[0]})
	if err != nil {
		t.Fatal(err)
	}
	gen := NewText(0)
	res, err := gen.GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if gen.Name() != "offline" || res.Model != "offline" || res.CostUSD != 0 {
		t.Errorf("name %q, model %q, cost %v", gen.Name(), res.Model, res.CostUSD)
	}
	if res.TokensIn != int64(len(req.Prompt)/4) || res.TokensOut != int64(len(res.JSON)/4) || res.TokensOut == 0 {
		t.Errorf("tokens %d in, %d out for a %d-byte prompt and a %d-byte answer", res.TokensIn, res.TokensOut, len(req.Prompt), len(res.JSON))
	}
}

func TestUnknownInputIsInvalid(t *testing.T) {
	for name, in := range map[string]any{
		"nil":          nil,
		"string":       "hello",
		"pointer":      &content.WorldInput{Prompt: "x"},
		"negative":     content.CastInput{Count: -1},
		"huge batch":   content.PostPlanInput{Count: 10_000},
		"other struct": struct{ Prompt string }{"x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: "x", Input: in})
			if !generia.IsKind(err, generia.KindInvalid) {
				t.Errorf("err = %v, want KindInvalid", err)
			}
		})
	}
}

func TestTextLatency(t *testing.T) {
	req := generia.TextRequest{Input: content.WorldInput{Prompt: prompts[0]}}
	t.Run("waits", func(t *testing.T) {
		start := time.Now()
		if _, err := NewText(60*time.Millisecond).GenerateJSON(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 60*time.Millisecond {
			t.Errorf("answered after %v, want at least the 60ms latency", d)
		}
	})
	t.Run("varies as real models do", func(t *testing.T) {
		waits := map[time.Duration]bool{}
		var sum time.Duration
		for i := range 200 {
			d := spread(time.Second, "w", fmt.Sprint("k", i))
			if d < time.Second || d > 2*time.Second {
				t.Fatalf("a 1s latency waits %v, want 1s to 2s", d)
			}
			waits[d] = true
			sum += d
		}
		if mean := sum / 200; len(waits) < 100 || mean < 1400*time.Millisecond || mean > 1600*time.Millisecond {
			t.Errorf("200 requests wait %d different times, %v on average; want them to vary between 1s and 2s", len(waits), mean)
		}
		if spread(time.Second, "w", "k1") != spread(time.Second, "w", "k1") {
			t.Error("the same request waits two different times")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		_, err := NewText(10*time.Second).GenerateJSON(ctx, req)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("returned after %v", d)
		}
	})
	t.Run("already cancelled without latency", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := NewText(0).GenerateJSON(ctx, req); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
