package offline

import (
	_ "embed"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"
)

// The idea parser finds what a person's prompt is about: "a city built
// inside a giant hourglass" is about an hourglass, "a valley of beetles who
// carry water" about beetles, "an Alpine village where every bell rings" about
// bells. That subject, not a word torn from the prompt, names the world and
// runs through its places, groups, roles, posts, hashtags and pictures.

//go:embed idea.json
var ideaJSON []byte

// ideaWords are the word lists the parser reads prompts with and the
// patterns a world's subject is written into; idea.json says what each is.
var ideaWords = func() (w struct {
	Generic           []string          `json:"generic"`
	Backdrop          []string          `json:"backdrop"`
	Verbs             []string          `json:"verbs"`
	Adjectives        []string          `json:"adjectives"`
	Translations      map[string]string `json:"translations"`
	SubjectPlaces     []string          `json:"subjectPlaces"`
	SubjectGroups     []string          `json:"subjectGroups"`
	CoinedGroups      []string          `json:"coinedGroups"`
	SubjectActivities []string          `json:"subjectActivities"`
	SubjectObjects    []string          `json:"subjectObjects"`
	SubjectSights     []string          `json:"subjectSights"`
	SubjectInterests  []string          `json:"subjectInterests"`
	SubjectFestivals  []string          `json:"subjectFestivals"`
	SubjectLines      []string          `json:"subjectLines"`
	NameEndings       []string          `json:"nameEndings"`
	NameNouns         []string          `json:"nameNouns"`
	Biomes            map[string]string `json:"biomes"`
	CoinedStarts      []string          `json:"coinedStarts"`
	CoinedMiddles     []string          `json:"coinedMiddles"`
	CoinedEnds        []string          `json:"coinedEnds"`
}) {
	if err := json.Unmarshal(ideaJSON, &w); err != nil {
		panic("offline: idea.json: " + err.Error())
	}
	return w
}()

var (
	genericNouns  = makeSet(ideaWords.Generic)
	backdropNouns = makeSet(ideaWords.Backdrop)
	ideaVerbs     = makeSet(ideaWords.Verbs)
	ideaAdjs      = makeSet(ideaWords.Adjectives)
	clauseWords   = makeSet(strings.Fields("where who which that whose when while"))
	determiners   = makeSet(strings.Fields("a an the every each some its their his her our my this these those"))
	prepositions  = makeSet(strings.Fields("inside outside beneath behind beyond near along atop amid underneath throughout beside across"))
)

// subject is what a world is about.
type subject struct {
	noun  string // singular and lowercase: "hourglass", "beetle"
	many  bool   // the idea speaks of many: "beetles who carry water"
	kind  string // the settlement it is set in: "city", "village"; "" for none
	nouns string // the plural as the idea writes it ("superheroes"), if it does
}

// plural is the subject's noun in the plural: "beetles", "hourglasses".
func (s subject) plural() string {
	if s.nouns != "" {
		return s.nouns
	}
	switch n := s.noun; {
	case strings.HasSuffix(n, "s"), strings.HasSuffix(n, "x"), strings.HasSuffix(n, "ch"), strings.HasSuffix(n, "sh"):
		return n + "es"
	case strings.HasSuffix(n, "y") && len(n) > 2 && !strings.ContainsRune("aeiou", rune(n[len(n)-2])):
		return n[:len(n)-1] + "ies"
	case n == "reindeer", n == "sheep", n == "fish", n == "deer", n == "tea", n == "snow", n == "sand", n == "water":
		return n
	}
	return s.noun + "s"
}

// the names the subject as the world's texts do: "the hourglass", "the
// beetles".
func (s subject) the() string {
	if s.many {
		return "the " + s.plural()
	}
	return "the " + s.noun
}

// title is the subject as the first part of a name: "Hourglass".
func (s subject) title() string { return titleWord(s.noun) }

// expand writes the subject into a pattern of idea.json: {subj} (the noun),
// {subjs} (its plural), {the} ("the beetles"), {a} ("a beetle"), and their
// capitalised forms.
func (s subject) expand(pattern string) string {
	return strings.NewReplacer(
		"{Subj}", s.title(), "{subj}", s.noun, "{Subjs}", capFirst(s.plural()), "{subjs}", s.plural(),
		"{The}", capFirst(s.the()), "{the}", s.the(), "{a}", withArticle(s.noun),
	).Replace(pattern)
}

// token is one word of an idea and what it does there.
type token struct {
	word string
	role byte // 'n' noun, 'j' adjective, 'v' verb, 'c' clause word, 'd' determiner, '.' other
}

// phrase is a noun phrase of an idea: "a giant hourglass" has the head
// hourglass; "a lighthouse keepers' collective" the head collective and the
// noun modifiers lighthouse and keepers.
type phrase struct {
	head      string
	mods      []string
	afterVerb bool // the object of a verb: "carry water"
	clause    bool // the subject of a clause: "where sea turtles carry the mail"
}

// ideaTokens reads the words of an idea, translating those of a prompt in
// another language that the parser knows ("Glocke" is a bell) and dropping
// the rest, which the offline writer could only tear out.
func ideaTokens(text string) []token {
	foreign := ProbablyNotEnglish(text)
	var out []token
	for _, w := range words(text) {
		if foreign {
			en, ok := ideaWords.Translations[w]
			if !ok {
				for k, v := range ideaWords.Translations {
					if utf8.RuneCountInString(k) >= 4 && strings.HasSuffix(w, k) && (!ok || len(k) > len(en)) {
						en, ok = v, true
					}
				}
			}
			if !ok {
				out = append(out, token{w, '.'})
				continue
			}
			for _, e := range strings.Fields(en) {
				out = append(out, classify(e, out))
			}
			continue
		}
		out = append(out, classify(w, out))
	}
	for i, t := range out {
		if t.role == 'V' {
			out[i].role = 'v'
			if i+1 < len(out) && (out[i+1].role == 'v' || out[i+1].role == 'V') {
				out[i].role = 'n'
			}
		}
	}
	return out
}

// classify tells a word's part in an idea from the word and those before it.
func classify(w string, before []token) token {
	inClause := false
	for i := len(before) - 1; i >= 0; i-- {
		if before[i].role == 'c' {
			inClause = true
			break
		}
	}
	prev := token{role: '.'}
	if len(before) > 0 {
		prev = before[len(before)-1]
	}
	switch {
	case clauseWords[w]:
		return token{w, 'c'}
	case determiners[w]:
		return token{w, 'd'}
	case ideaAdjs[w]:
		return token{w, 'j'}
	case ideaVerbs[w]:
		return token{w, 'v'}
	case stopwords[w] || prepositions[w] || utf8.RuneCountInString(w) < 3 || !isLatin(w):
		return token{w, '.'}
	case prev.role == 'c' && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return token{w, 'v'} // "that travels"
	case inClause && prev.role == 'n' && !strings.HasSuffix(prev.word, "s") && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return token{w, 'V'} // "where the sand falls", unless a verb follows: "where sea turtles carry"
	case notNouns[w]:
		return token{w, 'j'}
	case !nounish(w):
		return token{w, 'j'}
	}
	for _, end := range []string{"bound", "ous", "ful", "less", "ish", "ive"} {
		if strings.HasSuffix(w, end) && len(w) > len(end)+2 {
			return token{w, 'j'}
		}
	}
	return token{w, 'n'}
}

// phrases are the noun phrases of an idea in order: runs of adjectives and
// nouns that end in a noun.
func phrases(toks []token) []phrase {
	var out []phrase
	var run []token
	lastVerb, lastClause := false, false
	closeRun := func() {
		end := len(run)
		for end > 0 && run[end-1].role != 'n' {
			end--
		}
		if end > 0 {
			p := phrase{head: run[end-1].word, afterVerb: lastVerb, clause: lastClause}
			for _, t := range run[:end-1] {
				if t.role == 'n' {
					p.mods = append(p.mods, t.word)
				}
			}
			out = append(out, p)
		}
		run = run[:0]
	}
	for _, t := range toks {
		switch t.role {
		case 'n':
			run = append(run, t)
		case 'j':
			if len(run) > 0 && run[len(run)-1].role == 'n' {
				closeRun()
				lastVerb, lastClause = false, false
			}
			run = append(run, t)
		case 'd':
			closeRun()
		default:
			closeRun()
			lastVerb, lastClause = t.role == 'v', t.role == 'c'
		}
	}
	closeRun()
	return out
}

// readIdea finds an idea's subject: the first noun that is neither a kind of
// settlement ("city") nor where the world lies ("the moon"), preferring the
// noun a settlement is named by ("an hourglass city") and the things of the
// idea to the objects of its verbs ("beetles who carry water"). A settlement
// named by its setting ("a harbour town") is about what its clause makes
// strange ("where sea turtles carry the mail"). An idea with no such noun is
// about its settlement or its backdrop.
func readIdea(text string) subject {
	ps := phrases(ideaTokens(text))
	var s subject
	type candidate struct {
		noun      string
		afterVerb bool
	}
	var found, weak []candidate
	var clauseSubject string
	for _, p := range ps {
		if h := singular(p.head); p.clause && clauseSubject == "" && !genericNouns[h] && !backdropNouns[h] {
			clauseSubject = p.head
		}
	}
	for _, p := range ps {
		head := singular(p.head)
		switch {
		case genericNouns[p.head] || genericNouns[head]:
			if s.kind == "" && placeNouns[head] {
				s.kind = head
			}
			for _, m := range p.mods {
				if triggerWords[singular(m)] && !backdropNouns[m] && clauseSubject != "" && len(found) == 0 {
					found = append(found, candidate{clauseSubject, false})
				}
				if !backdropNouns[m] && !genericNouns[m] && !genericNouns[singular(m)] {
					found = append(found, candidate{m, p.afterVerb})
				} else {
					weak = append(weak, candidate{m, p.afterVerb})
				}
			}
			weak = append(weak, candidate{p.head, p.afterVerb})
		case backdropNouns[p.head] || backdropNouns[head]:
			weak = append(weak, candidate{p.head, p.afterVerb})
		default:
			found = append(found, candidate{p.head, p.afterVerb})
		}
	}
	choose := func(cs []candidate) (string, bool) {
		for _, c := range cs {
			if !c.afterVerb {
				return c.noun, true
			}
		}
		if len(cs) > 0 {
			return cs[0].noun, true
		}
		return "", false
	}
	w, ok := choose(found)
	if !ok {
		w, ok = choose(weak)
	}
	if !ok {
		return s
	}
	s.noun = singular(w)
	s.many = s.noun != w
	if s.many {
		s.nouns = w
	}
	if s.kind == s.noun {
		s.kind = ""
	}
	return s
}

// coined invents a proper name from r: "Kesardor", "Valinwen".
func coined(r *rand.Rand) string {
	return pick(r, ideaWords.CoinedStarts) + pick(r, ideaWords.CoinedMiddles) + pick(r, ideaWords.CoinedEnds)
}

// nameFor invents a world's name from its subject: a compound of the subject
// ("Beetlewick", "Hourglass Reach") or a coined name; never a word of the
// prompt that names no thing.
func nameFor(r *rand.Rand, s subject, set *setting) string {
	if s.noun == "" || !isLatin(s.noun) {
		return coined(r)
	}
	// A compound of the subject ("Beetlewick"), the subject and a noun of
	// places ("Hourglass Reach"), or a coined name, each from enough choices
	// that the same idea twice seldom gives one name.
	switch n := r.IntN(20); {
	case n < 6 && utf8.RuneCountInString(s.noun) <= 6 && !strings.Contains(s.noun, "-"):
		var endings []string
		for _, e := range ideaWords.NameEndings {
			if e[:1] != s.noun[len(s.noun)-1:] {
				endings = append(endings, e)
			}
		}
		return s.title() + pick(r, endings)
	case n < 10:
		nouns := slices.DeleteFunc(append(slices.Clone(ideaWords.NameNouns), set.nameNouns...), func(n string) bool {
			return strings.Contains(s.noun, strings.ToLower(n))
		})
		return s.title() + " " + pick(r, nouns)
	case n < 15 && isASCII(s.noun):
		return capFirst(syllable(s.noun)) + pick(r, ideaWords.CoinedMiddles) + pick(r, ideaWords.CoinedEnds)
	}
	return coined(r)
}

// syllable is the first syllable of a word, to coin names from: "hour" of
// hourglass, "drag" of dragon.
func syllable(w string) string {
	i := strings.IndexAny(w, "aeiouy")
	if i < 0 {
		return w
	}
	for i < len(w) && strings.ContainsRune("aeiouy", rune(w[i])) {
		i++
	}
	if i < len(w) {
		i++
	}
	return w[:i]
}

func isASCII(w string) bool {
	for i := range len(w) {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}
