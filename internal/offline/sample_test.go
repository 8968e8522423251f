package offline

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// notAfterThe are words that name no thing: after "the" they are a
// sentence torn apart ("arguments about the built", "about what will").
var notAfterThe = makeSet(strings.Fields(`will would can could should must shall is are was were be been being have has had do does
	did what who which where when why how that this these those it its they them he she we you i and or but of to in on at by with
	from into built argue argues happen happens wake wakes wonder wonders keep keeps carry carries very really never always`))

// TestSampleWorldFirstScreenReads generates the sample world as a new
// install does (three characters, ten posts, offline) and reads its first
// screen: the name, the short description and every post.
func TestSampleWorldFirstScreenReads(t *testing.T) {
	w := simulate(t, SamplePrompt, 3, 10)
	subject := readIdea(SamplePrompt).noun
	if subject != "turtle" {
		t.Errorf("the sample idea's subject reads as %q, want turtle", subject)
	}
	headNoun := nounPattern([]string{subject})
	texts := []string{w.desc.Name, w.desc.DescriptionShort}
	named := 0
	for _, posts := range w.posts {
		for _, p := range posts {
			texts = append(texts, p.Caption)
			if headNoun.MatchString(p.Caption) {
				named++
			}
		}
	}
	t.Logf("%s — %s", w.desc.Name, w.desc.DescriptionShort)
	for _, s := range texts[2:] {
		t.Logf("post: %s", s)
	}
	t.Logf("%d of %d posts name the %s", named, len(texts)-2, subject)
	if !headNoun.MatchString(w.desc.Name + " " + w.desc.DescriptionShort) {
		t.Errorf("neither the name %q nor the short description %q names the %s", w.desc.Name, w.desc.DescriptionShort, subject)
	}
	if 3*named < len(texts)-2 {
		t.Errorf("%d of %d posts name the %s, want at least a third", named, len(texts)-2, subject)
	}
	theWord := regexp.MustCompile(`(?i)\bthe ([a-z']+)`)
	for _, text := range texts[1:] {
		if d := doubled(text); d != "" {
			t.Errorf("doubled word %q in %q", d, text)
		}
		for _, m := range theWord.FindAllStringSubmatch(text, -1) {
			if notAfterThe[strings.ToLower(m[1])] {
				t.Errorf("%q: \"the %s\" names no thing", text, m[1])
			}
		}
		for _, s := range sentenceEnd.Split(text, -1) {
			if cutSentence(s) {
				t.Errorf("broken sentence %q in %q", s, text)
			}
		}
		body := strings.TrimRightFunc(signature.ReplaceAllString(text, ""), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsPunct(r) && !unicode.IsDigit(r) // emoji after the last sentence
		})
		if last, _ := utf8.DecodeLastRuneInString(body); !strings.ContainsRune(".!?…", last) {
			t.Errorf("%q does not end its last sentence", text)
		}
	}
}
