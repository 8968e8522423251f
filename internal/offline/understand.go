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
	topic topicPhrase
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

// topicPhrase is a noun phrase and its head noun.
type topicPhrase struct {
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

var englishWordClass = wordClass("english words")

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
		if englishWordClass[w] {
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
