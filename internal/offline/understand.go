package offline

import (
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed understand.txt
var understandWords string

// wordClasses are the word classes of understand.txt, by name.
var wordClasses = func() map[string]map[string]bool {
	classes := map[string]map[string]bool{}
	var cur map[string]bool
	for _, line := range strings.Split(understandWords, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			name, rest, ok := strings.Cut(line, ":")
			if !ok {
				panic("offline: understand.txt: a class without a name: " + line)
			}
			cur = map[string]bool{}
			classes[name] = cur
			line = rest
		}
		if cur == nil {
			panic("offline: understand.txt: words before the first class")
		}
		for _, w := range strings.Fields(line) {
			cur[w] = true
		}
	}
	return classes
}()

// wordClass returns the words of a class of understand.txt; a class the
// file lacks is a mistake of this package's, found when it loads.
func wordClass(name string) map[string]bool {
	c, ok := wordClasses[name]
	if !ok || len(c) == 0 {
		panic("offline: understand.txt has no class " + name)
	}
	return c
}

// The kinds of message the offline writer tells apart before it answers.
const (
	msgQuestion = "question"
	msgOpinion  = "opinion"
	msgNews     = "news"
	msgGreeting = "greeting"
	msgThanks   = "thanks"
	msgDisagree = "disagreement"
	msgJoke     = "joke"
	msgPraise   = "praise" // one word of wonder: "Wow", "Beautiful."
	msgLink     = "link"
	msgEmoji    = "emoji"
	msgForeign  = "other language"
	msgOther    = "other"
	msgPost     = "post" // the post itself, commented on
)

// message is what the offline writer understands of a comment: what kind
// of message it is, what it asks, what it is about, and which things of
// the world it names.
type message struct {
	kind string
	// ask is the question's kind: "yes/no", "where", "why", "how",
	// "who", "when" or "what"; "" for a message that asks nothing.
	ask string
	// topic is what the message is about, a whole noun phrase as the
	// answer would say it ("the wells under the kilns"); zero when it
	// names no thing.
	topic phrase
	// named are the things of the world the message names, the strongest
	// first.
	named []thing
	// lang is the message's language when it is not English.
	lang    string
	shouted bool
	long    bool
	// emoji are the pictographs the message carries.
	emoji []string
}

// phrase is a noun phrase and its head noun.
type phrase struct {
	text string // "the wells under the kilns"
	head string // "wells"
}

// thing is something of the world a message can name.
type thing struct {
	name string // as the world writes it: "Mara Kell", "the Lower Quay"
	kind string // "character", "place", "group", "world"
	// about is what the answering character knows of it, a sentence in
	// its own words; "" when it knows nothing in particular.
	about string
}

// short is how a thing is named in passing: a character by first name.
func (t thing) short() string {
	if t.kind == "character" {
		if f := firstName(t.name); f != "" {
			return f
		}
	}
	return t.name
}

var (
	linkPattern  = regexp.MustCompile(`(?i)\b(https?://\S+|www\.\S+)`)
	sentenceStop = regexp.MustCompile(`[.!?…]+\s*`)
)

// understand reads a comment. things are what the world holds that the
// comment may name (see knowledge.things).
func understand(text string, things []thing) message {
	var m message
	text = strings.TrimSpace(text)
	for _, r := range text {
		if isPictograph(r) {
			m.emoji = append(m.emoji, string(r))
		}
	}
	bare := strings.TrimSpace(linkPattern.ReplaceAllString(text, ""))
	hasLetters := strings.IndexFunc(bare, unicode.IsLetter) >= 0
	switch {
	case linkPattern.MatchString(text) && len(words(bare)) <= 2:
		m.kind = msgLink
		return m
	case !hasLetters && len(m.emoji) > 0:
		m.kind = msgEmoji
		return m
	case !hasLetters:
		m.kind = msgOther
		return m
	}
	m.shouted = shouted(bare)
	m.long = utf8.RuneCountInString(bare) > 400
	m.named = namedIn(bare, things)
	if m.lang = languageOf(bare); m.lang != "" {
		m.kind = msgForeign
		m.ask = foreignAsk(bare)
		return m
	}
	low := strings.ToLower(bare)
	// A long message is answered where it asks: its last question.
	focus := low
	if m.long {
		if qs := questions(low); len(qs) > 0 {
			focus = qs[len(qs)-1]
		}
	}
	m.kind, m.ask = kindOf(focus, m.emoji)
	m.topic = topicOf(low, things, m.long)
	return m
}

// isPictograph reports whether r is an emoji or a like symbol.
func isPictograph(r rune) bool {
	return r >= 0x1F000 || (r >= 0x2600 && r <= 0x27BF) || r == 0x2764
}

// shouted reports whether most of a text's letters are capitals.
func shouted(s string) bool {
	upper, letters := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 6 && upper*10 >= letters*8
}

// questions are a text's sentences that end in a question mark.
func questions(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		switch r {
		case '.', '!', '?':
			if r == '?' {
				out = append(out, strings.TrimSpace(s[start:i+1]))
			}
			start = i + 1
		}
	}
	return out
}

// Little words that tell a message's language.
var languageWords = map[string]map[string]bool{
	"German":  wordClass("german words"),
	"French":  wordClass("french words"),
	"Spanish": wordClass("spanish words"),
}

var englishWords = wordClass("english words")

// scripts name the language a text in another script is most likely in.
var scripts = []struct {
	table *unicode.RangeTable
	lang  string
}{{unicode.Cyrillic, "Russian"}, {unicode.Greek, "Greek"}, {unicode.Hiragana, "Japanese"}, {unicode.Katakana, "Japanese"},
	{unicode.Hangul, "Korean"}, {unicode.Han, "Chinese"}, {unicode.Arabic, "Arabic"}, {unicode.Hebrew, "Hebrew"},
	{unicode.Devanagari, "Hindi"}, {unicode.Thai, "Thai"}}

// languageOf names a text's language when it is clearly not English.
func languageOf(s string) string {
	if strings.ContainsAny(s, "¿¡") {
		return "Spanish"
	}
	letters, latin := 0, 0
	count := map[string]int{}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if unicode.Is(unicode.Latin, r) {
			latin++
			continue
		}
		for _, sc := range scripts {
			if unicode.Is(sc.table, r) {
				count[sc.lang]++
				break
			}
		}
	}
	if latin*2 < letters {
		best, n := "", 0
		for _, sc := range scripts { // in order, so that kana before Han makes Japanese
			if count[sc.lang] > n {
				best, n = sc.lang, count[sc.lang]
			}
		}
		if count["Japanese"] > 0 {
			best = "Japanese"
		}
		if best != "" {
			return best
		}
	}
	en := 0
	score := map[string]int{}
	seen := map[string]bool{}
	for _, w := range words(s) {
		if seen[w] {
			continue // "la la la" is a song, not French
		}
		seen[w] = true
		if englishWords[w] {
			en++
		}
		for lang, set := range languageWords {
			if set[w] {
				score[lang]++
			}
		}
	}
	best, n := "", 0
	for _, lang := range []string{"German", "French", "Spanish"} {
		if score[lang] > n {
			best, n = lang, score[lang]
		}
	}
	if n >= 2 && n > en {
		return best
	}
	return ""
}

// foreignAsk is what a question in another language asks, by its question
// word.
func foreignAsk(s string) string {
	if !strings.Contains(s, "?") {
		return ""
	}
	for _, w := range words(s) {
		switch w {
		case "wo", "où", "dónde", "donde":
			return "where"
		case "warum", "pourquoi", "qué", "por":
			return "why"
		case "wer", "qui", "quién", "quien":
			return "who"
		case "wann", "quand", "cuándo":
			return "when"
		}
	}
	return "what"
}

var (
	thanksWords   = []string{"thank", "thanks", "thx", "cheers for", "grateful"}
	greetingStart = []string{"hi", "hello", "hey", "good morning", "good evening", "good afternoon", "morning", "evening", "greetings", "howdy", "hiya", "yo"}
	jokeMarks     = []string{"lol", "haha", "lmao", "knock knock", "plot twist", "jk", "rofl", "hehe"}
	disagreeMarks = []string{"not true", "disagree", "no way", "you're wrong", "you are wrong", "that's wrong", "nope", "sorry but", "i doubt", "not really"}
	newsMarks     = []string{"just heard", "breaking", "apparently", "big news", "news", "they found", "did you hear", "heads up", "rumour", "rumor", "last night", "yesterday"}
	opinionMarks  = []string{"i think", "honestly", "in my opinion", "i love", "i like", "i hate", "overrated", "underrated", "better than", "ugly", "the best",
		"always make", "great job", "i prefer", "i feel", "love the", "beautiful", "worst"}
	praiseWords = wordClass("praise words")
	askWords    = map[string]string{"where": "where", "why": "why", "how": "how", "who": "who", "whose": "who", "whom": "who", "when": "when",
		"what": "what", "which": "what", "what's": "what", "who's": "who", "where's": "where", "how's": "how"}
	auxWords = wordClass("aux words")
)

// kindOf tells a message's kind and, for a question, what it asks.
func kindOf(s string, emoji []string) (kind, ask string) {
	ws := words(s)
	has := func(marks []string) bool {
		for _, m := range marks {
			if strings.Contains(" "+strings.Join(ws, " ")+" ", " "+m+" ") {
				return true
			}
		}
		return false
	}
	starts := func(marks []string) bool {
		for _, m := range marks {
			if strings.HasPrefix(strings.Join(ws, " ")+" ", m+" ") {
				return true
			}
		}
		return false
	}
	ask = askOf(s, ws)
	laughs := slices.ContainsFunc(emoji, func(e string) bool { return e == "😂" || e == "🤣" || e == "😹" || e == "😆" })
	switch {
	case has(thanksWords):
		return msgThanks, ""
	case has(jokeMarks) || laughs:
		return msgJoke, ""
	case has(disagreeMarks):
		return msgDisagree, ""
	case ask != "":
		return msgQuestion, ask
	case starts(greetingStart) && len(ws) <= 12:
		return msgGreeting, ""
	case len(ws) <= 2 && praiseWords[ws[0]]:
		return msgPraise, ""
	case has(newsMarks):
		return msgNews, ""
	case has(opinionMarks):
		return msgOpinion, ""
	}
	return msgOther, ""
}

// askOf is what a sentence asks: by its question word, or yes or no when
// it opens with an auxiliary; "" when it asks nothing.
func askOf(s string, ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	q := strings.Contains(s, "?")
	if a, ok := askWords[ws[0]]; ok {
		if ws[0] == "how" && len(ws) > 1 && ws[1] == "come" {
			return "why"
		}
		if ws[0] == "what" && !q && len(ws) > 1 && (ws[1] == "a" || ws[1] == "an") {
			return "" // "what a place!"
		}
		return a
	}
	if auxWords[ws[0]] {
		return "yes/no"
	}
	if q {
		for _, w := range ws {
			if a, ok := askWords[w]; ok {
				return a
			}
		}
		return "what"
	}
	return ""
}

// namedIn returns the things a text names, in the order of things; a
// character is named by full name, first name or handle.
func namedIn(s string, things []thing) []thing {
	low := " " + strings.Join(words(s), " ") + " "
	var out []thing
	seen := map[string]bool{}
	for _, t := range things {
		if seen[t.name] {
			continue
		}
		names := namesOf(t)
		for _, n := range names {
			if n != "" && strings.Contains(low, " "+strings.Join(words(n), " ")+" ") {
				out = append(out, t)
				seen[t.name] = true
				break
			}
		}
	}
	return out
}

// namesOf are the ways a comment names a thing, in lower case: in full,
// and a character by first name too, unless that name is also a word
// ("Long", "Will").
func namesOf(t thing) []string {
	names := []string{strings.TrimPrefix(strings.ToLower(t.name), "the ")}
	if t.kind == "character" {
		f := strings.ToLower(firstName(t.name))
		if utf8.RuneCountInString(f) >= 3 && !stopwords[f] && !adjectives[f] && !adverbs[f] && !verbs[f] && !vagueNouns[f] && !englishWords[f] {
			names = append(names, f)
		}
	}
	return names
}

// Word classes of the topic reader: what cannot be a noun of a topic.
var (
	determiners = wordClass("determiners")
	attachWords = wordClass("attach words")
	personWords = wordClass("person words")
	adverbs     = wordClass("adverbs")
	adjectives  = wordClass("adjectives")
	verbs       = wordClass("verbs")
	// vagueNouns carry little of a topic on their own.
	vagueNouns = wordClass("vague nouns")
)

// nounsToo are nouns among the little words the keyword reader skips.
var nounsToo = wordClass("nouns too")

// postWords name the post itself.
var postWords = wordClass("post words")

// topicOf finds what a message is about: the noun phrase that names the
// world's things, that an article introduces, that follows a verb as its
// object; in a long message, the one it comes back to most.
func topicOf(low string, things []thing, long bool) phrase {
	var cands []candidate
	for _, sent := range sentenceStop.Split(low, -1) {
		cands = append(cands, candidates(sent, things)...)
	}
	if len(cands) == 0 {
		return phrase{}
	}
	count := map[string]int{}
	for _, c := range cands {
		count[singular(c.head)]++
	}
	best, bestScore := -1, -1<<30
	for i, c := range cands {
		s := c.score
		if long {
			s += 3 * (count[singular(c.head)] - 1)
		}
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	return cands[best].phrase
}

// candidate is a noun phrase a topic may be.
type candidate struct {
	phrase
	score int
}

// token is a word of a sentence with what the topic reader takes it for.
type token struct {
	word  string
	class byte // 'd'eterminer, 'p'reposition, 'v'erb, 'x' other function word, 'a'djective, 'n'oun, 'N'ame
	name  string
	kind  string // of the thing a name token names
}

// tag splits a sentence into tokens, joining the names of the world's
// things into one token each.
func tag(sent string, things []thing) []token {
	ws := words(strings.NewReplacer("'s ", " is ", "'d ", " would ", "'re ", " are ", "'m ", " am ", "'ve ", " have ", "'ll ", " will ", "n't", " not").Replace(sent + " "))
	var toks []token
	for i := 0; i < len(ws); i++ {
		if t, n := nameAt(ws[i:], things); n > 0 {
			toks = append(toks, token{word: strings.Join(ws[i:i+n], " "), class: 'N', name: t.name, kind: t.kind})
			i += n - 1
			continue
		}
		w := ws[i]
		var c byte
		switch {
		case determiners[w]:
			c = 'd'
		case attachWords[w] || w == "to" || w == "for" || w == "into" || w == "than" || w == "after" || w == "before" || w == "during":
			c = 'p'
		case personWords[w] || askWords[w] != "" || adverbs[w] || englishWords[w] || stopwords[w] && !vagueNouns[w] && !adjectives[w] && !nounsToo[w]:
			c = 'x'
		case verbs[w]:
			c = 'v'
		case adjectives[w]:
			c = 'a'
		case strings.HasSuffix(w, "ly") && !nounEnds[w]:
			c = 'x'
		case !isLatin(w) || unicode.IsDigit(rune(w[0])):
			c = 'x'
		default:
			c = 'n'
		}
		if c == 'n' && len(toks) > 0 {
			prev := toks[len(toks)-1]
			// After a pronoun or "to", a word of no class is a verb; so is
			// one ending as a participle that no article introduces.
			if prev.class == 'x' && (personWords[prev.word] || prev.word == "people") || prev.word == "to" ||
				(strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing")) && !nounEnds[w] && prev.class != 'd' && prev.class != 'a' {
				c = 'v'
			}
		}
		toks = append(toks, token{word: w, class: c})
	}
	return toks
}

// nameAt returns the thing whose name ws opens with, and its length in
// words.
func nameAt(ws []string, things []thing) (thing, int) {
	for _, t := range things {
		names := namesOf(t)
		for _, n := range names {
			nw := words(n)
			if len(nw) > 0 && len(nw) <= len(ws) && slices.Equal(nw, ws[:len(nw)]) {
				return t, len(nw)
			}
		}
	}
	return thing{}, 0
}

// candidates are a sentence's noun phrases: a determiner, modifiers and a
// head noun, with one attached phrase ("the wells under the kilns").
func candidates(sent string, things []thing) []candidate {
	toks := tag(sent, things)
	var out []candidate
	for i := 0; i < len(toks); {
		start := i
		det := ""
		if toks[i].class == 'd' {
			det = toks[i].word
			i++
		}
		j := i
		for j < len(toks) && (toks[j].class == 'a' || toks[j].class == 'n' || toks[j].class == 'N') {
			j++
			if toks[j-1].class == 'N' {
				break // a name is whole
			}
			if j < len(toks) && toks[j].class == 'N' {
				break // "plot twist Mara": the name starts anew
			}
		}
		// Trailing adjectives are no noun: "the new bakery open".
		end := j
		for end > i && toks[end-1].class == 'a' {
			end--
		}
		if end == i {
			i = max(j, start+1)
			continue
		}
		head := toks[end-1]
		words := wordsOf(toks[i:end])
		text := words
		if det != "" {
			text = det + " " + words
		}
		c := candidate{phrase: phrase{text: text, head: head.word}}
		if head.class == 'N' {
			c.head = head.name
			if end-i == 1 {
				c.text = head.name // a name needs no article of ours
			}
			c.score += 4
			if head.kind == "world" {
				c.score -= 3 // the world's name is where, seldom what
			}
		}
		if det != "" {
			c.score += 2
		}
		if start > 0 && toks[start-1].class == 'v' {
			c.score++
		}
		if vagueNouns[singular(head.word)] {
			c.score -= 3
		}
		if postWords[singular(head.word)] {
			c.score--
		}
		// One attached phrase: "of the harbour", "under the kilns"; two
		// when the first carries the topic: "the story with the wells
		// under the kilns".
		vague := vagueNouns[singular(head.word)] || postWords[singular(head.word)]
		for range 2 {
			if end != j || j+1 >= len(toks) || toks[j].class != 'p' || !attachWords[toks[j].word] {
				break
			}
			k := j + 1
			det2 := ""
			if toks[k].class == 'd' {
				det2 = toks[k].word + " "
				k++
			}
			l := k
			for l < len(toks) && (toks[l].class == 'a' || toks[l].class == 'n' || toks[l].class == 'N') {
				l++
				if toks[l-1].class == 'N' || l < len(toks) && toks[l].class == 'N' {
					break
				}
			}
			for l > k && toks[l-1].class == 'a' {
				l--
			}
			if l == k {
				break
			}
			tail := toks[k:l]
			tailText := wordsOf(tail)
			last := tail[len(tail)-1]
			if last.class != 'N' && vagueNouns[singular(last.word)] {
				break // "at dawn", "of the year": when, not what
			}
			if last.class == 'N' {
				det2 = ""
				tailText = wordsOf(tail[:len(tail)-1]) + " " + last.name
				c.score += 3
			}
			c.text += " " + toks[j].word + " " + strings.TrimSpace(det2+tailText)
			end, j = l, l
			if !vague || last.class == 'N' {
				break
			}
			// "the story about the wells" is about the wells.
			vague = false
			c.head = last.word
			c.text = strings.TrimSpace(det2 + tailText)
			if !vagueNouns[singular(c.head)] {
				c.score += 2
			}
		}
		out = append(out, c)
		i = max(j, start+1)
	}
	return out
}

// wordsOf joins tokens' words, names as the world writes them.
func wordsOf(toks []token) string {
	var ws []string
	for _, t := range toks {
		if t.class == 'N' {
			ws = append(ws, t.name)
		} else {
			ws = append(ws, t.word)
		}
	}
	return strings.Join(ws, " ")
}
