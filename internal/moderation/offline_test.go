package moderation

import (
	"bufio"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
)

// benign reads testdata/benign.txt.
func benign(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/benign.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func TestOfflineHoldsNoBenignWord(t *testing.T) {
	words := benign(t)
	if len(words) != 200 {
		t.Fatalf("testdata/benign.txt has %d entries, want the fixed 200", len(words))
	}
	o := NewOffline()
	held := 0
	for _, w := range words {
		if v := o.Judge(w); len(v.Flagged) > 0 {
			held++
			t.Errorf("%q held as %v (terms %q)", w, v.Flagged, v.Terms)
		}
	}
	t.Logf("benign words held: %d of %d", held, len(words))
}

// naiveSubstrings are words a substring filter trips over that the word
// list leaves out on purpose (too common to hold as words): AOL's
// Scunthorpe and Penistone, "the rapist" in therapist.
var naiveSubstrings = []string{"sex", "penis", "hell", "kill", "die", "dick", "shit", "nig", "cut", "stab", "hang", "arse", "sod", "crap", "tard", "bomb", "piss"}

// TestBenignListIsAHardOne keeps the benign list honest: every entry
// contains, letter for letter (or with doubled letters read once), a word
// of the list or a word a naive filter matches, or is on the allow list; so
// passing them proves the word boundaries and the allow list work.
func TestBenignListIsAHardOne(t *testing.T) {
	lex, err := parseLexicon(lexiconText)
	if err != nil {
		t.Fatal(err)
	}
	needles := slices.Clone(naiveSubstrings)
	for first, es := range lex.byFirst {
		for _, e := range es {
			if len(e.words) == 1 && len(first) >= 3 {
				needles = append(needles, first)
			}
		}
	}
	allowed := map[string]bool{}
	for _, a := range lex.allow {
		allowed[strings.Join(a, " ")] = true
	}
	for _, w := range benign(t) {
		lw := strings.ToLower(w)
		squeezed := strings.ReplaceAll(lw, " ", "")
		single := shortenAll(squeezed)
		if !allowed[lw] && !slices.ContainsFunc(needles, func(n string) bool {
			return strings.Contains(squeezed, n) || strings.Contains(single, n)
		}) {
			t.Errorf("%q contains no listed word: it proves nothing", w)
		}
	}
}

// shortenAll reads every run of one letter once.
func shortenAll(s string) string {
	var b strings.Builder
	var last rune
	for _, r := range s {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

func TestOfflineFlagsVariants(t *testing.T) {
	tests := []struct {
		text string
		want generia.Category
		term string
	}{
		{"what the fuck", generia.CategorySexual, "fuck"},
		{"FUCKING hell", generia.CategorySexual, "fuck"},
		{"fuuuuuck this", generia.CategorySexual, "fuck"},
		{"f u c k this", generia.CategorySexual, "fuck"},
		{"f.u.c.k this", generia.CategorySexual, "fuck"},
		{"f*u*c*k", generia.CategorySexual, "fuck"},
		{"ｆｕｃｋ", generia.CategorySexual, "fuck"},                   // full-width
		{"fu\u200bck", generia.CategorySexual, "fuck"},             // zero-width space
		{"fuсk", generia.CategorySexual, "fuck"},                   // Cyrillic с
		{"you are a b1tch", generia.CategoryHarassment, "bitch"},   // 1 as i
		{"what an a$$hole", generia.CategoryHarassment, "asshole"}, // $ as s
		{"@sshole", generia.CategoryHarassment, "asshole"},         // @ as a
		{"assssshole", generia.CategoryHarassment, "asshole"},      // stretched
		{"shut up, 5lut", generia.CategoryHarassment, "slut"},      // 5 as s
		{"k y s", generia.CategoryHarassment, "kys"},               // spaced
		{"you should kill yourself", generia.CategoryHarassment, "kill yourself"},
		{"I will k1ll y0u", generia.CategoryViolence, "kill you"}, // leet phrase
		{"I want to end my life", generia.CategorySelfHarm, "end my life"},
		{"sieg heil", generia.CategoryHate, "sieg heil"},
		{"filthy n1gg3r", generia.CategoryHate, "nigger"},
		{"selling fullz and cvv shops", generia.CategoryIllicit, "fullz"},
		{"cook m3th at home", generia.CategoryIllicit, "cook meth"},
		{"she was decapitated", generia.CategoryViolenceGraphic, "decapitated"},
		{"jailbait pics", generia.CategorySexualMinors, "jailbait"},
		{"Pénis ... p0rn", generia.CategorySexual, "porn"},
		{"CLICK HERE for free followers", generia.CategorySpam, "click here"},
		{"a pussy cat", generia.CategorySexual, "pussy"}, // the allow list names the willow, not this
		{"summa cum laude, and then cum", generia.CategorySexual, "cum"},
	}
	o := NewOffline()
	for _, tt := range tests {
		v, err := o.CheckText(context.Background(), generia.TextCheck{Kind: generia.CheckComment, Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(v.Flagged, tt.want) || !slices.Contains(v.Terms, tt.term) {
			t.Errorf("%q: flagged %v terms %q, want %s with term %q", tt.text, v.Flagged, v.Terms, tt.want, tt.term)
		}
		if !v.HoldOnly || v.Checker != BackendOffline {
			t.Errorf("%q: verdict %+v, want hold-only by offline", tt.text, v)
		}
	}
}

func TestOfflineSpamPatterns(t *testing.T) {
	o := NewOffline()
	links := "see https://a.example http://b.example www.c.example and https://www.d.example"
	if v := o.Judge(links); !slices.Contains(v.Flagged, generia.CategorySpam) || !slices.Contains(v.Terms, "4 links") {
		t.Errorf("four links: %+v", v)
	}
	if v := o.Judge("two links: https://a.example and https://b.example"); len(v.Flagged) > 0 {
		t.Errorf("two links held: %+v", v)
	}
	if v := o.Judge(strings.Repeat("follow me ", 5)); !slices.Contains(v.Terms, "repeated: follow me") {
		t.Errorf("repeated phrase: %+v", v)
	}
	if v := o.Judge("very very very good"); len(v.Flagged) > 0 {
		t.Errorf("a little repetition held: %+v", v)
	}
}

func TestOfflineAllowsOrdinaryText(t *testing.T) {
	o := NewOffline()
	for _, text := range []string{
		"The therapist in Scunthorpe said the assassin's classic cocktail was grape juice.",
		"In 2024 I ran 5 km, then 10 km: 1, 2, 3, go!",
		"I love kung fu films, and Salt-N-Pepa's Push It.",
		"a b c d e f g",
		"a blue tit, a great tit, and tit for tat",
		"",
	} {
		if v := o.Judge(text); len(v.Flagged) > 0 {
			t.Errorf("%q held: %+v", text, v)
		}
	}
	v, err := o.CheckImage(context.Background(), generia.ImageCheck{Data: []byte("anything at all")})
	if err != nil || len(v.Flagged) > 0 || v.Checker != BackendOffline {
		t.Errorf("CheckImage: %+v, %v", v, err)
	}
}

func TestLexiconDecisionIsHoldOnly(t *testing.T) {
	// Even under a policy that blocks everything, the word list holds.
	p := generia.DefaultPolicy()
	for _, c := range generia.Categories {
		p[c] = generia.DecisionBlock
	}
	if d := NewOffline().Judge("jailbait").Decide(p); d != generia.DecisionHold {
		t.Errorf("decision %s, want hold", d)
	}
}

func BenchmarkOffline500(b *testing.B) {
	base := "The therapist from Scunthorpe walked past the embassy, humming a classic tune about grapes, " +
		"cocktails and compasses; an assassin in a novel she liked used 5 different methods. "
	text := strings.Repeat(base, 4)[:500]
	o := NewOffline()
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		o.Judge(text)
	}
}
