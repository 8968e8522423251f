package offline

import (
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// filler expands templates: "{place}" becomes a value of the list "place",
// picked once per item and reused ("{place}" twice names one place);
// "{place2}" picks another value of the same list; "{Place}" capitalises.
type filler struct {
	r     *rand.Rand
	lists map[string][]string
	fixed map[string]string
	bound map[string]string
}

func newFiller(r *rand.Rand) *filler {
	return &filler{r: r, lists: map[string][]string{}, fixed: map[string]string{}, bound: map[string]string{}}
}

// list sets the values a slot picks from.
func (f *filler) list(name string, values ...string) *filler {
	f.lists[name] = values
	return f
}

// set fixes a slot's value for every item.
func (f *filler) set(name, value string) *filler {
	f.fixed[name] = value
	return f
}

// next starts a new item: slots pick fresh values.
func (f *filler) next() { clear(f.bound) }

// fill expands the slots of t and capitalises the sentences the values
// start. An unknown slot is left as written.
func (f *filler) fill(t string) string { return capSentences(f.expand(t)) }

func (f *filler) expand(t string) string {
	for range 4 {
		if !strings.Contains(t, "{") {
			return t
		}
		var b strings.Builder
		for {
			i := strings.IndexByte(t, '{')
			if i < 0 {
				b.WriteString(t)
				break
			}
			j := strings.IndexByte(t[i:], '}')
			if j < 0 {
				b.WriteString(t)
				break
			}
			b.WriteString(t[:i])
			b.WriteString(f.get(t[i+1 : i+j]))
			t = t[i+j+1:]
		}
		t = b.String()
	}
	return t
}

// capSentences capitalises the first letter after each sentence end, so
// that slot values ("the Salt Steps") may start a sentence.
func capSentences(s string) string {
	if !strings.Contains(s, ". ") && !strings.Contains(s, "! ") && !strings.Contains(s, "? ") && !strings.Contains(s, "\n") {
		return s
	}
	out := []rune(s)
	for i := 1; i < len(out); i++ {
		if unicode.IsLetter(out[i]) && (out[i-1] == '\n' || (out[i-1] == ' ' && i >= 2 && strings.ContainsRune(".!?", out[i-2]))) {
			out[i] = unicode.ToUpper(out[i])
		}
	}
	return string(out)
}

func (f *filler) get(name string) string {
	if name == "" {
		return "{}"
	}
	upper := unicode.IsUpper(rune(name[0]))
	key := strings.ToLower(name[:1]) + name[1:]
	v, ok := f.lookup(key)
	if !ok {
		return "{" + name + "}"
	}
	if upper {
		v = capFirst(v)
	}
	return v
}

func (f *filler) lookup(key string) (string, bool) {
	if v, ok := f.fixed[key]; ok {
		return v, true
	}
	if v, ok := f.bound[key]; ok {
		return v, true
	}
	base := strings.TrimRight(key, "0123456789")
	values := f.lists[base]
	if len(values) == 0 {
		return "", false
	}
	// A numbered slot avoids the values its siblings already hold.
	var v string
	for range 8 {
		v = pick(f.r, values)
		if !f.siblingHas(base, key, v) {
			break
		}
	}
	if strings.Contains(v, "{") {
		f.bound[key] = v // guards against a value that names its own slot
		v = f.expand(v)
	}
	f.bound[key] = v
	return v, true
}

func (f *filler) siblingHas(base, key, v string) bool {
	for k, b := range f.bound {
		if k != key && strings.TrimRight(k, "0123456789") == base && b == v {
			return true
		}
	}
	return false
}

// hasDoubledWord reports a word written twice in a row: "Amateur amateur
// theatre", which a slot gives when its value starts as its frame ends.
func hasDoubledWord(s string) bool {
	ws := strings.Fields(strings.ToLower(s))
	for i := 1; i < len(ws); i++ {
		if ws[i] == ws[i-1] {
			return true
		}
	}
	return false
}

// capFirst upper-cases the first letter of s.
func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lower-cases the first letter of s unless the second letter is
// upper case too (an acronym).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// article returns "a" or "an" for the phrase that follows it.
func article(phrase string) string {
	if phrase == "" {
		return "a"
	}
	low := strings.ToLower(phrase)
	for _, silent := range []string{"hour", "honest", "honour", "honor", "heir"} {
		if strings.HasPrefix(low, silent) {
			return "an"
		}
	}
	first, _ := utf8.DecodeRuneInString(low)
	if t := translit[first]; t != "" {
		first = rune(t[0]) // "an Élan", "an Øresund ferry"
	}
	switch first {
	case 'a', 'e', 'i', 'o':
		return "an"
	case 'u':
		if strings.HasPrefix(strings.ToLower(phrase), "uni") || strings.HasPrefix(strings.ToLower(phrase), "use") {
			return "a"
		}
		return "an"
	}
	return "a"
}

// withArticle prefixes a phrase with its indefinite article.
func withArticle(phrase string) string { return article(phrase) + " " + phrase }

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// sentence makes s a sentence: capitalised, ending in punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = capFirst(s)
	if r, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(".!?…)\"", r) {
		s += "."
	}
	return s
}

// truncateWords shortens s to at most n runes, cutting at a word boundary.
func truncateWords(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n]
	cut := strings.LastIndexByte(string(runes), ' ')
	if cut <= 0 {
		return string(runes)
	}
	return strings.TrimRight(string(runes)[:cut], " ,;:—-")
}

var translit = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ą': "a", 'ç': "c", 'ć': "c", 'č': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ę': "e", 'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ı': "i",
	'ñ': "n", 'ń': "n", 'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'ọ': "o", 'ő': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'æ': "ae", 'ł': "l",
	'ś': "s", 'š': "s", 'ş': "s", 'ğ': "g", 'ž': "z", 'ź': "z", 'ż': "z", 'ř': "r", 'đ': "d", 'ạ': "a",
}

// slug reduces s to lowercase latin letters and digits.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteString(translit[r])
		}
	}
	return b.String()
}

// words splits s into lowercase words; apostrophes and hyphens inside a
// word are kept.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		w := strings.Trim(string(cur), "'-’")
		if w != "" {
			out = append(out, strings.ToLower(w))
		}
		cur = cur[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '\'' || r == '-' || r == '’') && len(cur) > 0) {
			cur = append(cur, r)
			continue
		}
		flush()
	}
	flush()
	return out
}

// singular guesses the singular of an English noun.
func singular(w string) string {
	switch {
	case len(w) <= 3 || strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "sses"),
		strings.HasSuffix(w, "roes"), strings.HasSuffix(w, "atoes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ves") && (w == "wolves" || w == "elves" || w == "leaves" || w == "knives"):
		return w[:len(w)-3] + "f"
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

func isLatin(w string) bool {
	for _, r := range w {
		if !unicode.Is(unicode.Latin, r) && r != '-' && r != '\'' {
			return false
		}
	}
	return w != ""
}

var stopwords = makeSet(strings.Fields(`a an the and or but if of in on at to for from by with without about into onto over under
above below between among through across around after before during until against toward towards upon within as so too all both
few called named because since though although instead rather almost nearly please i me my we us our you your he him his she her
it its they them their this that these those who whom whose which what where when while why how there here than then also just
only still even ever never always not no yes very much many more most some any every each other others another such own same
is are was were be been being am do does did done has have had having can could will would should may might must shall
get gets got go goes went gone come comes came make makes made run runs ran ruled rule rules live lives lived living become
becomes became take takes took give gives gave keep keeps kept find finds found know knows knew see sees saw seem seems want
wants wanted like likes need needs let lets use uses used try tries tried tell tells told say says said call calls think
world world's worlds place places people person everyone everybody someone somebody something nothing anything everything
thing things way ways life time times day days year years kind kinds lot lots part parts new old small big little great
strange full half whole one two three four five six seven eight nine ten eleven twelve hundred hundreds thousand thousands million
millions first last next another out up down off away back onto imagine create generate build describe want idea story social
size sizes side sides top bottom end ends sort sorts bit bits area areas kind type types number numbers level levels
network instagram everywhere nowhere somewhere sometimes often forever again already yet else well really quite`))

func makeSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

var leadWords = makeSet(strings.Fields("a an the of by with in on at from for about into under over among and its their his her our my every each some many no"))
var verbContext = makeSet(strings.Fields("never always not to will can must cannot could would should who that which they it he she everyone nobody"))
var followNoun = makeSet(strings.Fields("where that who which whose of run ruled built made full with is are"))

// placeNouns name kinds of places; a world name may end with one.
var placeNouns = makeSet(strings.Fields(`city town village station island kingdom planet colony ship harbour harbor port forest desert
school academy market castle tower valley mountain archipelago metropolis oasis empire republic realm citadel outpost moon
continent country nation land lands isle hamlet district`))

// keywords returns the strongest content words of text, singular and
// lowercase, best first: nouns after articles and prepositions, words the
// settings know, repeated words.
func keywords(text string, exclude map[string]bool) []string {
	out, _ := rankWords(text, exclude)
	return out
}

// rankWords returns keywords best first, with their scores.
func rankWords(text string, exclude map[string]bool) ([]string, map[string]int) {
	ws := words(text)
	score := map[string]int{}
	first := map[string]int{}
	for i, w := range ws {
		if stopwords[w] || utf8.RuneCountInString(w) < 3 || exclude[w] || !isLatin(w) {
			continue
		}
		s := singular(w)
		if stopwords[s] || exclude[s] || !nounish(w) {
			continue
		}
		n := 1
		if i > 0 && leadWords[ws[i-1]] {
			n += 2
		}
		if i > 0 && verbContext[ws[i-1]] {
			n -= 3
		}
		if i+1 < len(ws) && followNoun[ws[i+1]] {
			n++
		}
		if triggerWords[s] || placeNouns[s] {
			n += 2
		}
		if strings.HasSuffix(w, "ly") || strings.HasSuffix(w, "ed") {
			n--
		}
		if _, ok := first[s]; !ok {
			first[s] = i
		}
		score[s] += n
	}
	out := make([]string, 0, len(score))
	for w, n := range score {
		if n > 0 {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if score[a] != score[b] {
			return score[b] - score[a]
		}
		return first[a] - first[b]
	})
	return out, score
}

// notNouns are words of an idea that name no thing: the adjectives,
// participles and verbs that "a market on a frozen river during the longest
// night" or "sea turtles carry the mail" are made with, and measures of
// time. A keyword names a place, a group or a tag, so it must be a noun.
var notNouns = makeSet(strings.Fields(`frozen golden hidden wooden broken forgotten sunken fallen stolen woven molten swollen
sleepy stormy rainy snowy sunny foggy misty windy cloudy dusty rusty shady spooky cosy cozy tiny busy lazy crazy
enchanted haunted retired floating flying sleeping dying ruling talking living abandoned cursed blessed
ancient modern strange quiet noisy secret suspicious mysterious magical endless eternal giant huge vast tiny
carry carries deliver delivers gossip gossips sleep sleeps rain rains speak speaks sing sings grow grows float floats
month months week weeks hour hours minute minutes year years always never`))

// nounEnds are nouns that end as adjectives and participles do.
var nounEnds = makeSet(strings.Fields(`harvest forest chest quest guest nest west crest contest interest conquest protest tempest
spring king ring wing string morning evening building ceiling painting wedding meeting clearing landing crossing
bed shed sled thread seed weed reed speed creed steed hundred family jelly belly holly lily ally rally folly`))

// nounish guesses whether a word of an idea names a thing.
func nounish(w string) bool {
	if notNouns[w] {
		return false
	}
	if nounEnds[w] || nounEnds[singular(w)] {
		return true
	}
	for _, end := range []string{"est", "ous", "ful", "less", "ly", "ing", "ed"} {
		if strings.HasSuffix(w, end) && len(w) > len(end)+2 {
			return false
		}
	}
	return true
}

var triggerWords = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range settings {
		for _, t := range s.triggers {
			m[t] = true
		}
	}
	return m
}()

// triggerWeight is how strongly a word names its setting: water that is
// frozen makes a world of ice before one of rivers or the sea, a
// mountain village in the snow stays on its mountain, and islands above the
// clouds float in the sky.
func triggerWeight(t string) int {
	switch t {
	case "frozen", "ice", "icy", "snowbound", "mountain", "alpine", "summit", "cloud", "sky":
		return 2
	}
	return 1
}

// detectSetting returns the setting whose triggers text names most.
func detectSetting(text string) *setting {
	counts := map[string]int{}
	for _, w := range words(text) {
		counts[singular(w)]++
	}
	best, bestN := defaultSetting, 0
	for _, s := range settings {
		n := 0
		for _, t := range s.triggers {
			n += counts[t] * triggerWeight(t)
		}
		if n > bestN {
			best, bestN = s, n
		}
	}
	return best
}
