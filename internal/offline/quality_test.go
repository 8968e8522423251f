package offline

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// qualityPrompts are ideas of every kind a newcomer types: those every
// step is tried on, and more by the sea, in the cold, at markets and by
// rivers.
var qualityPrompts = append(append([]string{}, prompts[:len(prompts)-1]...),
	"A market on a frozen river during the longest night of the year",
	"A harbour town where sea turtles carry the mail",
	"A university for retired superheroes",
	"A night market in a city that never sleeps",
	"A lighthouse keepers' collective on a stormy coast",
	"A bakery street where every oven is haunted",
	"A river town of bridges and boatmen",
)

// sentenceEnd splits captions into sentences: a full stop, question or
// exclamation mark or an ellipsis, then a space or the end.
var sentenceEnd = regexp.MustCompile(`[.!?…]+["')]*(\s+|$)`)

// signature is a voice's sign-off ("— N.M."), emoji and decoration: not a
// sentence of its own.
var signature = regexp.MustCompile(`\s*— [\p{Lu}]\.(?:[\p{Lu}]\.)*$`)

func sentencesOf(caption string) []string {
	caption = signature.ReplaceAllString(caption, "")
	caption = strings.Map(func(r rune) rune {
		if r > 0x2000 && !unicode.IsLetter(r) && !unicode.IsPunct(r) && r != '…' {
			return -1 // emoji and symbols
		}
		return r
	}, caption)
	var out []string
	for _, s := range sentenceEnd.Split(caption, -1) {
		s = strings.Trim(strings.ToLower(s), " —-:,")
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// distinctShare is the share of a world's caption sentences that no other
// sentence of its captions repeats, and the most repeated ones.
func distinctShare(w *world) (float64, []string) {
	count := map[string]int{}
	total := 0
	for _, posts := range w.posts {
		for _, p := range posts {
			for _, s := range sentencesOf(p.Caption) {
				count[s]++
				total++
			}
		}
	}
	var repeated []string
	for s, n := range count {
		if n > 1 {
			repeated = append(repeated, fmt.Sprintf("%d× %q", n, s))
		}
	}
	sort.Slice(repeated, func(i, j int) bool { return repeated[i] > repeated[j] })
	return float64(len(count)) / float64(max(1, total)), repeated
}

// slotTraces are what a template leaves when its slot did not fit: an
// article twice, an article after a determiner, a third-person verb after
// "I", a brace.
var slotTraces = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(the|a|an|my|our|your|their|his|her|its|this|best|first|last|every) (the|a|an)\b`),
	regexp.MustCompile(`(?i)(^|[.!?…] )i\b[^.!?…]*\b(and|but) (has|is|does|wants|knows|says)\b`),
	regexp.MustCompile(`[{}]|<no value>`),
}

// doubled returns a word written twice in a row ("the the"), or "".
func doubled(s string) string {
	ws := strings.Fields(strings.ToLower(s))
	for i := 1; i < len(ws); i++ {
		if ws[i] == ws[i-1] && strings.IndexFunc(ws[i], unicode.IsLetter) >= 0 {
			return ws[i-1] + " " + ws[i]
		}
	}
	return ""
}

// cutWords cannot end a sentence; nor can a question word and an
// auxiliary ("…argue about what will.").
var (
	cutWords  = makeSet(strings.Fields(`the a an of and or but with for from into than whose my your their his her our its at by`))
	cutEnding = regexp.MustCompile(`(?i)\b(what|who|which|that|where) (will|would|could|should|can|must|is|are|was|were|has|have|does)$`)
)

func cutSentence(s string) bool {
	s = strings.TrimRight(s, " .!?…")
	ws := strings.Fields(s)
	return len(ws) > 0 && (cutWords[strings.ToLower(strings.Trim(ws[len(ws)-1], ",;:—-\"'()"))] || cutEnding.MatchString(s))
}

// fragmentTags are words that say nothing as a hashtag: adjectives,
// adverbs, verbs and their parts.
var fragmentTags = makeSet(strings.Fields(`long low high best worst hardest longest oldest first last getting finding turning acting hauling
cracked hidden ordinary teach retired early late new old big small great little good bad strange odd quiet loud open closed
making doing going taking coming looking trying went found made took got thing things something nothing way day days time`))

func fragmentTag(tag string) bool {
	return stopwords[tag] || fragmentTags[tag]
}

func TestOfflineTextReadsAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 17 worlds of 100 posts")
	}
	for _, prompt := range qualityPrompts {
		w := simulate(t, prompt, 10, 100)
		share, repeated := distinctShare(w)
		t.Logf("%.1f%% distinct  %s", 100*share, prompt)
		if share < 0.90 {
			t.Errorf("%q: %.1f%% of caption sentences distinct, want at least 90%%; most repeated: %s", prompt, 100*share,
				strings.Join(repeated[:min(8, len(repeated))], ", "))
		}
		bad := map[string]int{}
		report := func(kind, where, text string) {
			if bad[kind] < 3 {
				t.Errorf("%q: %s in %s: %q", prompt, kind, where, text)
			}
			bad[kind]++
		}
		texts := map[string]string{"description": w.desc.Description, "short description": w.desc.DescriptionShort}
		for i, c := range w.chars {
			texts[fmt.Sprintf("bio %d", i)] = c.Bio
			texts[fmt.Sprintf("personality %d", i)] = c.Personality
			texts[fmt.Sprintf("backstory %d", i)] = c.Backstory
			for j, p := range w.posts[i] {
				texts[fmt.Sprintf("post %d/%d", i, j)] = p.Caption
				for _, tag := range p.Hashtags {
					if fragmentTag(tag) {
						report("fragment hashtag", fmt.Sprintf("post %d/%d", i, j), "#"+tag)
					}
				}
			}
		}
		keys := make([]string, 0, len(texts))
		for k := range texts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, re := range slotTraces {
				if m := re.FindString(texts[k]); m != "" {
					report("grammar slot "+re.String()[:12], k, m)
				}
			}
			if d := doubled(texts[k]); d != "" {
				report("doubled word", k, d)
			}
			for _, s := range sentenceEnd.Split(texts[k], -1) {
				if cutSentence(s) {
					report("cut sentence", k, s)
				}
			}
		}
		for kind, n := range bad {
			if n > 3 {
				t.Errorf("%q: %d more of %s", prompt, n-3, kind)
			}
		}
	}
}

// TestOfflineWorldsKeepTheirSetting reads whole worlds for words of another
// setting: a market on a frozen river is neither by the sea nor up a
// mountain.
func TestOfflineWorldsKeepTheirSetting(t *testing.T) {
	if testing.Short() {
		t.Skip("generates six worlds of 100 posts")
	}
	cases := []struct {
		prompt       string
		own, strange []string
	}{
		{"A market on a frozen river during the longest night of the year", []string{"river", "ice", "market", "night"},
			[]string{"sea", "ocean", "beach", "salt flats", "oysters", "harbour", "lighthouse", "mountain", "avalanche", "goats", "desert", "sand"}},
		{"A river town of bridges and boatmen", []string{"river", "bridge"},
			[]string{"sea", "ocean", "beach", "lighthouse", "harbour", "salt flats", "oysters", "desert", "snow"}},
		{"A harbour town where sea turtles carry the mail", []string{"turtle", "harbour", "sea"},
			[]string{"snow", "desert", "dune", "mountain", "glacier"}},
		{"A desert oasis at the crossroads of three caravan routes", []string{"oasis", "caravan", "desert"},
			[]string{"snow", "sea", "ocean", "ice", "harbour", "forest"}},
		{"A mountain village buried in snow for nine months a year", []string{"mountain", "snow", "village"},
			[]string{"sea", "ocean", "beach", "desert", "harbour", "dune"}},
		{"A space station run by cats", []string{"cat", "station"},
			[]string{"sea", "ocean", "forest", "snow", "desert", "harbour"}},
	}
	for _, c := range cases {
		w := simulate(t, c.prompt, 10, 100)
		text := w.allText()
		for _, word := range c.own {
			if n := len(regexp.MustCompile(`\b`+word+`s?\b`).FindAllStringIndex(text, -1)); n < 10 {
				t.Errorf("%q: its own %q appears %d times, want at least 10", c.prompt, word, n)
			}
		}
		for _, word := range c.strange {
			for _, at := range regexp.MustCompile(`\b`+word+`s?\b`).FindAllStringIndex(text, 3) {
				t.Errorf("%q drifts into another setting: %q", c.prompt, text[max(0, at[0]-60):min(len(text), at[1]+30)])
			}
		}
	}
}

// TestProfilesSpeakAsTheyAreDescribed reads each profile's personality
// beside the way its posts are written: a soft-spoken character does not
// write in exclamation marks and capitals, a cheerful one does not grumble.
func TestProfilesSpeakAsTheyAreDescribed(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 17 worlds")
	}
	clashes := []struct {
		traits []string
		writes func(v voice) bool
		what   string
	}{
		{[]string{"soft-spoken", "stoic", "secretive", "anxious"}, func(v voice) bool { return v.exclaim || v.capsWord }, "loud"},
		{[]string{"cheerful", "gregarious", "idealistic", "tender-hearted"}, func(v voice) bool { return v.id == "grumpy" || v.id == "terse" }, "grudging"},
		{[]string{"blunt", "gregarious", "theatrical", "dramatic"}, func(v voice) bool { return v.lower && v.ellipsis }, "hushed"},
		{[]string{"absent-minded", "dreamy", "easily bored"}, func(v voice) bool { return v.id == "precise" || v.id == "formal" }, "exact"},
	}
	seen := 0
	for _, prompt := range qualityPrompts {
		w := simulate(t, prompt, 10, 10)
		voicesUsed := map[string]int{}
		for i, ch := range w.chars {
			v := voiceFor(ch.SpeakingStyle, ch.Username)
			voicesUsed[v.id]++
			personality := strings.ToLower(ch.Personality)
			for _, c := range clashes {
				for _, trait := range c.traits {
					if strings.Contains(personality, trait) {
						seen++
						if c.writes(v) {
							t.Errorf("%q character %d: %q, yet writes %s: %s", prompt, i, ch.Personality, c.what, v.style)
						}
					}
				}
			}
		}
		if len(voicesUsed) < 8 {
			t.Errorf("%q: ten characters write in %d voices %v, want at least 8", prompt, len(voicesUsed), voicesUsed)
		}
	}
	if seen == 0 {
		t.Fatal("no personality named a trait the test reads")
	}
}
