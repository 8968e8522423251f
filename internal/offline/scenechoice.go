package offline

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scenesText is the catalogue of scenes and the words that ask for them.
//
//go:embed scenes.txt
var scenesText string

// Scene kinds a post's picture can show: subjects first, then landscapes
// by biome. A world's header and icon choose among the biomes only.
const (
	sceneFestival    = "festival"
	sceneMarket      = "market"
	sceneHarbour     = "harbour"
	sceneWorkshop    = "workshop"
	sceneFood        = "food"
	sceneAnimal      = "animal"
	sceneVehicle     = "vehicle"
	sceneCrowd       = "crowd"
	sceneObject      = "object"
	sceneInterior    = "interior"
	scenePortrait    = "portrait"
	sceneWeather     = "weather"
	biomeDesert      = "desert"
	biomeForest      = "forest"
	biomeSnow        = "snow"
	biomeSea         = "sea"
	biomeMountains   = "mountains"
	biomeCity        = "city"
	biomeOrbit       = "orbit"
	biomeUnderground = "underground"
	biomeRiver       = "river"
	biomeSky         = "sky"
	biomePlains      = "plains"
	biomeSwamp       = "swamp"
)

// sceneCatalogue is scenes.txt read: the kinds in the order they win ties,
// which of them are biomes, each word's kinds and the phrases.
type sceneCatalogue struct {
	kinds   []string
	biome   map[string]bool
	words   map[string][]int // a word → the indexes of its kinds
	phrases []scenePhrase
}

type scenePhrase struct {
	text string // singular words joined by spaces
	kind int
}

var scenes = readSceneCatalogue(scenesText)

func readSceneCatalogue(text string) *sceneCatalogue {
	c := &sceneCatalogue{biome: map[string]bool{}, words: map[string][]int{}}
	biomes := false
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "# Landscapes") {
			biomes = true
		}
		kind, list, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		k := len(c.kinds)
		c.kinds = append(c.kinds, kind)
		c.biome[kind] = biomes
		for _, w := range strings.Fields(list) {
			c.words[w] = append(c.words[w], k)
			if strings.Contains(w, "-") {
				c.phrases = append(c.phrases, scenePhrase{strings.ReplaceAll(w, "-", " "), k})
			}
		}
	}
	return c
}

// singular returns the form of a word the catalogue knows: the word, or its
// singular ("berries" → "berry", "wolves" → "wolf", "boxes" → "box", "dunes"
// → "dune"), or, if
// it knows none, the word without a plural s.
func (c *sceneCatalogue) singular(w string) string {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	if _, ok := c.words[w]; ok {
		return w
	}
	var forms []string
	if s, ok := strings.CutSuffix(w, "ies"); ok {
		forms = append(forms, s+"y")
	}
	if s, ok := strings.CutSuffix(w, "ves"); ok { // wolves, loaves, knives
		forms = append(forms, s+"f", s+"fe")
	}
	if s, ok := strings.CutSuffix(w, "es"); ok {
		forms = append(forms, s)
	}
	if s, ok := strings.CutSuffix(w, "s"); ok && !strings.HasSuffix(s, "s") {
		forms = append(forms, s)
	}
	for _, f := range forms {
		if _, ok := c.words[f]; ok {
			return f
		}
	}
	if len(forms) > 0 && len(w) > 3 {
		return forms[len(forms)-1]
	}
	return w
}

// sceneWeights are how much a word counts by where it stands: the first
// clause of a prompt names its subject ("A crowded fish market at dawn",
// "A close-up photo for a post about a brass compass"), the rest of the
// first sentence its place, and later sentences the setting and style.
func sceneWeight(sentence, clause int) float64 {
	switch {
	case sentence == 0 && clause == 0:
		return 4
	case sentence == 0:
		return 2
	case sentence == 1:
		return 1.5
	}
	return 1
}

// backdropMark begins the sentence of a post's picture prompt that names
// the world around the post ("Backdrop: Turtle Landing, a town of turtles
// on a coast by the open sea."): it sets the land under the scene, not
// the scene, for every post of a world carries it.
const backdropMark = "backdrop"

// scores adds up, for each kind, the weights of the words and phrases of
// the prompt that ask for it. Colour names ("sand beige", "moss green")
// and the palette's sentence do not count: they name no place; nor does
// the backdrop's (see backdrop).
func (c *sceneCatalogue) scores(prompt string) []float64 {
	return c.scoresOf(prompt, false)
}

// named adds up only the words that name the post's own scene: its
// subject's sentence and the place of its setting, not what stands in the
// background nor the world's style.
func (c *sceneCatalogue) named(prompt string) []float64 {
	return c.scoresOf(prompt, true)
}

// scoresOf is scores, or named when own is set.
func (c *sceneCatalogue) scoresOf(prompt string, own bool) []float64 {
	score := make([]float64, len(c.kinds))
	si := 0
	for _, sentence := range c.sentences(prompt) {
		if isBackdrop(sentence) {
			continue
		}
		if own && si > 1 {
			break
		}
		for ci, clause := range clauses(sentence) {
			w := sceneWeight(si, ci)
			if si > 0 && strings.HasSuffix(strings.TrimSpace(clause), "in the background") {
				if own {
					continue
				}
				w = 0.5 // what stands behind the scene is not the scene
			}
			c.scoreClause(score, clause, w, si == 0 && ci == 0)
		}
		si++
	}
	return score
}

// backdrop adds up the kinds the backdrop's sentence asks for, each word
// at weight one.
func (c *sceneCatalogue) backdrop(prompt string) []float64 {
	score := make([]float64, len(c.kinds))
	for _, sentence := range c.sentences(prompt) {
		if isBackdrop(sentence) {
			for _, clause := range clauses(sentence) {
				c.scoreClause(score, clause, 1, false)
			}
		}
	}
	return score
}

// sentences are the prompt's sentences, lower-cased and with colour names
// blanked, without the palette's and the closing "no text".
func (c *sceneCatalogue) sentences(prompt string) []string {
	s := []byte(strings.ToLower(withoutNameModifiers(prompt)))
	for _, name := range colourNamesByLength {
		for i := findWord(string(s), name); i >= 0; i = findWord(string(s), name) {
			copy(s[i:], strings.Repeat(" ", len(name)))
		}
	}
	var out []string
	for _, sentence := range splitSentences(string(s)) {
		if t := strings.TrimSpace(sentence); !strings.HasPrefix(t, "palette") && !strings.HasPrefix(t, "no text") {
			out = append(out, sentence)
		}
	}
	return out
}

// scoreClause adds the weight of each word and phrase of a clause to the
// kinds it asks for. In the subject's clause, the head of the subject — the
// last named word of the first noun phrase after "about", or of the clause
// (the market of "a crowded fish market", the turtle of "a sea turtle") —
// counts double.
func (c *sceneCatalogue) scoreClause(score []float64, clause string, weight float64, subject bool) {
	var norm, toks []string
	var found [][]int // the kinds of each word of the clause
	for _, tok := range strings.FieldsFunc(clause, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r == '-' || r == '\'' || r == '’' || r >= 0x80)
	}) {
		tok = strings.Trim(tok, "-'’")
		if tok == "" {
			continue
		}
		one := c.singular(tok)
		norm = append(norm, strings.Split(one, "-")...)
		kinds, ok := c.words[one]
		if !ok && strings.Contains(one, "-") { // "sea-turtle": its parts
			for _, part := range strings.Split(one, "-") {
				kinds = append(kinds, c.words[c.singular(part)]...)
			}
		}
		found = append(found, kinds)
		toks = append(toks, tok)
	}
	head := -1
	if subject {
		from := 0
		for i, tok := range toks {
			if tok == "about" {
				from = i + 1
			}
		}
		for i := from; i < len(found) && head < 0; i++ {
			if len(found[i]) > 0 && !modifies(found, toks, i) {
				head = i
			}
		}
	}
	for i, kinds := range found {
		w := weight
		if i == head {
			w *= 2
		}
		for _, k := range kinds {
			score[k] += w
		}
	}
	joined := " " + strings.Join(norm, " ") + " "
	for _, p := range c.phrases {
		if strings.Contains(joined, " "+p.text+" ") {
			score[p.kind] += 2 * weight // a phrase says more than a word
		}
	}
}

// withoutNameModifiers blanks the words of a proper name that come before
// its last: a place called "the Turtle Lookout" or "the Caravan Museum" is
// a lookout or a museum, not a turtle or a caravan, and "the Copper Glass
// Kilns" are kilns. A name is a run of capitalised words; the first word
// of a sentence or after a colon starts no name, nor does a word in capitals.
func withoutNameModifiers(prompt string) string {
	b := []byte(prompt)
	type word struct{ start, end int }
	var run []word // the capitalised words of the current name
	blank := func() {
		for _, w := range run[:max(len(run)-1, 0)] {
			copy(b[w.start:w.end], strings.Repeat(" ", w.end-w.start))
		}
		run = run[:0]
	}
	lead := true // at the start of a sentence or a clause after a colon
	for i := 0; i < len(prompt); {
		r, size := utf8.DecodeRuneInString(prompt[i:])
		if !unicode.IsLetter(r) {
			switch {
			case strings.ContainsRune(".!?:", r):
				blank()
				lead = true
			case r != ' ' && r != '\'' && r != '’':
				blank()
			}
			i += size
			continue
		}
		j := i
		for j < len(prompt) {
			r2, s2 := utf8.DecodeRuneInString(prompt[j:])
			if !unicode.IsLetter(r2) && r2 != '-' && r2 != '\'' && r2 != '’' {
				break
			}
			j += s2
		}
		switch {
		case lead:
			blank()
		case unicode.IsUpper(r) && strings.ToUpper(prompt[i:j]) != prompt[i:j]: // not shouting
			run = append(run, word{i, j})
		default:
			blank()
		}
		lead = false
		i = j
	}
	blank()
	return string(b)
}

// postsOwnWords are the words of a post's picture prompt that are its own —
// its subject's sentence and its setting's — when the prompt sets the
// world apart in a backdrop, for the world's backdrop and style, the same
// in all its posts, should not bring the same fog or night to every
// picture. Any other prompt is all its own.
func postsOwnWords(prompt string) string {
	if !hasBackdrop(prompt) {
		return prompt
	}
	var own []string
	for _, s := range splitSentences(prompt) {
		if !isBackdrop(s) && len(own) < 2 {
			own = append(own, s)
		}
	}
	return strings.Join(own, ".")
}

// hasBackdrop reports whether a prompt sets its world apart in a backdrop.
func hasBackdrop(prompt string) bool {
	return slices.ContainsFunc(splitSentences(prompt), isBackdrop)
}

func isBackdrop(sentence string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(sentence)), backdropMark)
}

// subjectText is the part of a prompt that says what its picture is of:
// its first sentence, from after its last "about" ("a close-up photo for
// a post about a brass compass").
func subjectText(prompt string) string {
	first := prompt
	if s := splitSentences(prompt); len(s) > 0 {
		first = s[0]
	}
	if i := strings.LastIndex(first, " about "); i >= 0 {
		return first[i+len(" about "):]
	}
	return first
}

// clauses cuts a sentence at its commas, semicolons, colons, dashes and
// brackets; a first clause of one or two words ("A quiet, contemplative
// photo of…") runs on into the next.
func clauses(sentence string) []string {
	out := strings.FieldsFunc(sentence, func(r rune) bool { return strings.ContainsRune(",;:—()", r) })
	if len(out) > 1 && len(strings.Fields(out[0])) < 3 {
		out = append([]string{out[0] + " " + out[1]}, out[2:]...)
	}
	return out
}

// joiners are the words that end a noun phrase.
var joiners = map[string]bool{"of": true, "in": true, "at": true, "on": true, "the": true, "a": true, "an": true, "and": true, "with": true,
	"for": true, "by": true, "to": true, "from": true, "over": true, "under": true, "into": true, "near": true, "beneath": true, "above": true}

// modifies reports whether the named word i modifies the next word, named
// too: the sea of "sea turtle", the fish of "fish market".
func modifies(found [][]int, toks []string, i int) bool {
	return i+1 < len(toks) && !joiners[toks[i+1]] && len(found[i+1]) > 0
}

// splitSentences cuts text after each full stop, question or exclamation
// mark that a space or the end follows.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		if strings.IndexByte(".!?", text[i]) >= 0 && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n') {
			out = append(out, text[start:i])
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// best returns the kind with the highest score among those keep allows,
// the first listed on a tie, or "" when none scored.
func (c *sceneCatalogue) best(score []float64, keep func(kind string) bool) string {
	best, top := "", 0.0
	for k, s := range score {
		if s > top && keep(c.kinds[k]) {
			best, top = c.kinds[k], s
		}
	}
	return best
}

// sceneOf is the scene a post's picture shows: the kind its words ask for
// most, with the subject's words counting most; a prompt that names
// nothing the catalogue knows gets a landscape.
//
// A prompt whose first sentence names nothing the catalogue knows but that
// has someone in the frame ("A story photo for a post about finding out
// who cut the nets… In the frame: Mara…") shows that person half the time,
// by the prompt, and the place its setting names the other half: a
// character's thread does not show one place over and over.
//
// A post whose prompt sets its world apart in a backdrop shows what its
// subject and its setting's place name; if they name nothing, the world's
// land — not what the world's style or the distance hold, which are the
// same in all its posts.
func sceneOf(prompt string) string {
	prompt = strings.ToLower(withoutNameModifiers(prompt)) // as the painter reads it
	if first, _, more := strings.Cut(prompt, ". "); more && strings.Contains(prompt, "in the frame") &&
		scenes.best(scenes.scores(first), func(string) bool { return true }) == "" && hashInt(2, "framed", postsOwnWords(prompt)) == 0 {
		return scenePortrait
	}
	all := func(string) bool { return true }
	if hasBackdrop(prompt) {
		if k := scenes.best(scenes.named(prompt), all); k != "" {
			return k
		}
		if k := scenes.best(scenes.backdrop(prompt), func(k string) bool { return scenes.biome[k] }); k != "" {
			return k
		}
	}
	if k := scenes.best(scenes.scores(prompt), all); k != "" {
		return k
	}
	return biomePlains
}

// biomeOf is the biome a world's header or icon prompt describes, or the
// land under a post's scene, and whether its words named one; a prompt
// that names none gets one of the open landscapes by its hash. A post's
// backdrop counts as much as its setting: the world's land shows under
// its scenes unless the post names another.
func biomeOf(prompt string) (string, bool) {
	score := scenes.scores(prompt)
	for k, s := range scenes.backdrop(prompt) {
		score[k] += 1.5 * s
	}
	if k := scenes.best(score, func(k string) bool { return scenes.biome[k] }); k != "" {
		return k, true
	}
	open := []string{biomePlains, biomeMountains, biomeForest, biomeSea}
	return open[hashInt(len(open), "biome", prompt)], false
}
