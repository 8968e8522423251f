package moderation

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/generia/generia/internal/generia"
)

//go:embed lexicon.txt
var lexiconText string

// Spam patterns the offline checker counts beside its word list.
const (
	// spamLinks is how many links make a text spam.
	spamLinks = 4
	// spamWordRepeats and spamPhraseRepeats are how many times in a row
	// one word, or a phrase of two to four words, makes a text spam.
	spamWordRepeats   = 6
	spamPhraseRepeats = 4
)

// Offline is the word-list checker: it needs no service and no key, and
// since a word list cannot tell a quote from an insult it only ever holds
// content for review (its verdicts are HoldOnly). It cannot see pictures.
type Offline struct {
	lex *lexicon
}

// NewOffline returns the offline checker over Generia's embedded word list.
func NewOffline() *Offline {
	lex, err := parseLexicon(lexiconText)
	if err != nil {
		panic("moderation: the embedded word list: " + err.Error())
	}
	return &Offline{lex: lex}
}

// Name is "offline".
func (o *Offline) Name() string { return BackendOffline }

// CheckText matches the text against the word list and the spam patterns.
// It never fails.
func (o *Offline) CheckText(_ context.Context, c generia.TextCheck) (generia.Verdict, error) {
	return o.Judge(c.Text), nil
}

// CheckImage answers no flags: a word list cannot see pictures.
func (o *Offline) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	return generia.Verdict{Checker: BackendOffline, HoldOnly: true}, nil
}

// Judge is CheckText's verdict on one text.
func (o *Offline) Judge(text string) generia.Verdict {
	v := generia.Verdict{Checker: BackendOffline, HoldOnly: true}
	flag := func(c generia.Category, term string) {
		if !slices.Contains(v.Flagged, c) {
			v.Flagged = append(v.Flagged, c)
		}
		if !slices.Contains(v.Terms, term) {
			v.Terms = append(v.Terms, term)
		}
	}
	toks := tokenize(normalize(text))
	allowed := o.lex.allowed(toks)
	for i := range toks {
		for _, e := range o.lex.at(toks, i, allowed) {
			flag(e.category, e.text)
		}
	}
	// Letters spaced out ("f u c k", "f.u.c.k") are a word in hiding.
	for _, w := range spacedWords(toks, allowed) {
		for _, e := range o.lex.at([]token{w}, 0, nil) {
			flag(e.category, e.text)
		}
	}
	if n := countLinks(text); n >= spamLinks {
		flag(generia.CategorySpam, fmt.Sprintf("%d links", n))
	}
	if rep := repeated(toks); rep != "" {
		flag(generia.CategorySpam, "repeated: "+rep)
	}
	return v
}

// entry is one word-list entry: its words, the category it flags, and
// whether its last word may take an English ending.
type entry struct {
	text     string
	words    []string
	category generia.Category
	stems    bool
}

// lexicon is the word list indexed by first word, and the allow list.
type lexicon struct {
	byFirst map[string][]*entry
	// stems are the one-word entries that take an ending, by word.
	stems map[string][]*entry
	allow [][]string
}

// endings are the English endings a starred entry may take.
var endings = []string{"s", "es", "d", "ed", "r", "er", "ers", "ing", "in", "y"}

func parseLexicon(text string) (*lexicon, error) {
	lex := &lexicon{byFirst: map[string][]*entry{}, stems: map[string][]*entry{}}
	var section string
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			if section != "allow" && !slices.Contains(generia.Categories, generia.Category(section)) {
				return nil, fmt.Errorf("line %d: unknown section %q", n, section)
			}
			continue
		case section == "":
			return nil, fmt.Errorf("line %d: an entry before any section", n)
		}
		stems := strings.HasSuffix(line, "*")
		words := strings.Fields(strings.TrimSuffix(line, "*"))
		if section == "allow" {
			lex.allow = append(lex.allow, words)
			continue
		}
		e := &entry{text: strings.TrimSuffix(line, "*"), words: words, category: generia.Category(section), stems: stems}
		lex.byFirst[words[0]] = append(lex.byFirst[words[0]], e)
		if stems && len(words) == 1 {
			lex.stems[words[0]] = append(lex.stems[words[0]], e)
		}
	}
	return lex, sc.Err()
}

// token is one word of a normalised text: its letters as written
// (lower-cased) and the forms it may stand for (leet digits read as
// letters, stretched letters shortened).
type token struct {
	raw   string
	forms []string
}

// matches reports whether the token is word w, or, for the last word of
// an entry that takes endings, w with an ending.
func (t token) matches(w string, stems bool) bool {
	for _, f := range t.forms {
		if f == w {
			return true
		}
		if stems {
			if rest, ok := strings.CutPrefix(f, w); ok && slices.Contains(endings, rest) {
				return true
			}
		}
	}
	return false
}

// at returns the entries that match the words starting at toks[i], none of
// them allowed.
func (lex *lexicon) at(toks []token, i int, allowed []bool) []*entry {
	if allowed != nil && allowed[i] {
		return nil
	}
	var candidates []*entry
	for _, f := range toks[i].forms {
		candidates = append(candidates, lex.byFirst[f]...)
		for _, end := range endings {
			if stem, ok := strings.CutSuffix(f, end); ok {
				candidates = append(candidates, lex.stems[stem]...)
			}
		}
	}
	var out []*entry
	for _, e := range candidates {
		if i+len(e.words) > len(toks) || slices.Contains(out, e) {
			continue
		}
		ok := true
		for k, w := range e.words {
			last := k == len(e.words)-1
			if (allowed != nil && allowed[i+k]) || !toks[i+k].matches(w, last && e.stems) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

// allowed marks the tokens that are part of an allowed word or phrase, as
// written (no leet reading: "cum laude" is allowed, "c0ck a doodle" is not
// a rooster).
func (lex *lexicon) allowed(toks []token) []bool {
	out := make([]bool, len(toks))
	for i := range toks {
		for _, phrase := range lex.allow {
			if i+len(phrase) > len(toks) {
				continue
			}
			match := true
			for k, w := range phrase {
				if toks[i+k].raw != w {
					match = false
					break
				}
			}
			if match {
				for k := range phrase {
					out[i+k] = true
				}
			}
		}
	}
	return out
}

// confusables are letters of other scripts that look like Latin ones and
// that NFKC leaves alone.
var confusables = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j',
	'ѕ': 's', 'ԁ': 'd', 'ɡ': 'g', 'κ': 'k', 'ο': 'o', 'α': 'a', 'ν': 'v', 'τ': 't', 'ι': 'i',
}

// normalize folds a text to plain lower-case letters: compatibility forms
// (full-width, mathematical letters) to their letters, accents dropped,
// look-alike letters of other scripts to Latin ones, and invisible
// characters (zero-width, BiDi controls, soft hyphens) removed.
func normalize(text string) string {
	ascii := true
	for i := 0; i < len(text) && ascii; i++ {
		ascii = text[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(text)
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range norm.NFKD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r):
			// Accents, and format characters: zero-width spaces and
			// joiners, BiDi controls, soft hyphens, BOMs.
			continue
		}
		r = unicode.ToLower(r)
		if c, ok := confusables[r]; ok {
			r = c
		}
		b.WriteRune(r)
	}
	return b.String()
}

// leet reads digits and symbols written for letters.
var leet = map[rune]rune{'0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i', '|': 'l'}

// wordRune reports whether r is part of a word: letters, digits, and the
// symbols leet writes for letters.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '$'
}

// tokenize splits a normalised text into words. "!" and "|" inside a word
// are letters ("sh!t"); elsewhere they are punctuation.
func tokenize(text string) []token {
	runes := []rune(text)
	var toks []token
	for i := 0; i < len(runes); {
		if !wordRune(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && (wordRune(runes[j]) ||
			(runes[j] == '!' || runes[j] == '|') && j+1 < len(runes) && unicode.IsLetter(runes[j+1])) {
			j++
		}
		toks = append(toks, newToken(string(runes[i:j])))
		i = j
	}
	return toks
}

// newToken reads a word's possible forms: as written; with leet read (a
// "1" as i and, in another form, as l); and each of those with letters
// stretched three times or more shortened to one and to two
// ("fuuuuck", "asssshole"). A doubled letter is left alone: "as" is not
// "ass".
func newToken(raw string) token {
	t := token{raw: raw, forms: []string{raw}}
	add := func(f string) {
		if !slices.Contains(t.forms, f) {
			t.forms = append(t.forms, f)
		}
	}
	if strings.ContainsAny(raw, "013457@$!|") {
		for _, one := range []rune{'i', 'l'} {
			add(strings.Map(func(r rune) rune {
				if r == '1' {
					return one
				}
				if l, ok := leet[r]; ok {
					return l
				}
				return r
			}, raw))
			if !strings.ContainsRune(raw, '1') {
				break
			}
		}
	}
	// Most words have no letter three times in a row: they are spared
	// the shortening.
	for _, f := range t.forms {
		if stretched(f) {
			add(shorten(f, 1))
			add(shorten(f, 2))
		}
	}
	return t
}

// stretched reports whether s has one letter three times or more in a row.
func stretched(s string) bool {
	for i := 2; i < len(s); i++ {
		if s[i] == s[i-1] && s[i] == s[i-2] {
			return true
		}
	}
	return false
}

// shorten cuts every run of three or more of one letter to keep letters.
func shorten(s string, keep int) string {
	runes := []rune(s)
	var b strings.Builder
	for i := 0; i < len(runes); {
		j := i
		for j < len(runes) && runes[j] == runes[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			n = keep
		}
		for range n {
			b.WriteRune(runes[i])
		}
		i = j
	}
	return b.String()
}

// maxSpaced bounds the run of single letters joined into words.
const maxSpaced = 24

// spacedWords joins runs of three or more single-letter words ("f u c k")
// into the words they may spell: every stretch of the run of at least
// three letters.
func spacedWords(toks []token, allowed []bool) []token {
	var out []token
	for i := 0; i < len(toks); {
		j := i
		for j < len(toks) && j-i < maxSpaced && len([]rune(toks[j].raw)) == 1 && !allowed[j] {
			j++
		}
		if j-i >= 3 {
			for from := i; from < j; from++ {
				for to := from + 3; to <= j; to++ {
					var b strings.Builder
					for _, t := range toks[from:to] {
						b.WriteString(t.raw)
					}
					out = append(out, newToken(b.String()))
				}
			}
		}
		i = max(j, i+1)
	}
	return out
}

// countLinks counts the web links in a text.
func countLinks(text string) int {
	lower := strings.ToLower(text)
	n := strings.Count(lower, "http://") + strings.Count(lower, "https://")
	// "www." without a scheme in front of it.
	n += strings.Count(lower, "www.") - strings.Count(lower, "://www.")
	return n
}

// repeated returns a word or phrase a text repeats over and over in a
// row, or "".
func repeated(toks []token) string {
	for n := 1; n <= 4; n++ {
		need := spamPhraseRepeats
		if n == 1 {
			need = spamWordRepeats
		}
		for i := 0; i+n*need <= len(toks); i++ {
			count := 1
			for k := i + n; k+n <= len(toks) && sameWords(toks[i:i+n], toks[k:k+n]); k += n {
				count++
			}
			if count >= need {
				words := make([]string, n)
				for k, t := range toks[i : i+n] {
					words[k] = t.raw
				}
				return strings.Join(words, " ")
			}
		}
	}
	return ""
}

func sameWords(a, b []token) bool {
	for i := range a {
		if a[i].raw != b[i].raw {
			return false
		}
	}
	return true
}
