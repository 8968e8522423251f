package offline

import (
	_ "embed"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/generia/generia/internal/content"
)

// reply answers one reply step. It reads the comment first (understand):
// what kind of message it is, what it asks, its topic and the world's
// things it names; then it answers that, in the character's voice, from
// what the character knows: its profile and relationships, the world's
// lore, the post the thread stands under. What the character does not
// know it says so, and now and then it asks back. A link or emoji gets a
// reaction. The reply differs from what the character wrote lately and
// from its earlier answers in the thread.
func reply(in content.ReplyInput, key string) content.Reply {
	k := knowledgeOf(in)
	m := understand(k.unhandled(in.Comment.Text), k.things)
	if k.onPost {
		m = onPost(m)
	}
	ch := in.Character
	v := voiceFor(ch.SpeakingStyle, ch.Username)
	var best, fresh content.Reply
	for attempt := range 24 { // a reply too like a recent text is written again
		r := seed(key, "reply", strconv.Itoa(attempt))
		parts := k.answer(r, m, addressed(in.Comment.DisplayName, in.Comment.Username), attempt)
		text := voiced(r, v, parts, ch.DisplayName)
		best = content.Reply{Text: text, Mentions: []string{}}
		if repeats(text, k.mine) {
			continue
		}
		if fresh.Text == "" {
			fresh = best // new enough for the step, if not sentence by sentence
		}
		if !k.saidBefore(parts) {
			return best
		}
	}
	if fresh.Text != "" {
		return fresh
	}
	return best
}

// knowledge is what a character answering in a thread knows: the world's
// things, its lore, its own profile, the post.
type knowledge struct {
	in content.ReplyInput
	// onPost is set when the character comments on the post itself, as
	// characters do of their own accord: the post is someone else's news,
	// not a thing the character knows to tell.
	onPost bool
	fl     *flavor
	things []thing
	lore   []string // sentences a character could tell, its own first
	// mine are the character's latest texts and its answers in the
	// thread, which a reply must not repeat.
	mine []string
	// said are the sentences the character has written lately, in lower
	// case: a thread does not hear the same sentence twice.
	said map[string]bool
}

var signOff = regexp.MustCompile(`\s*— (\p{Lu}\.)+\s*$`)

// plainSentence is a sentence as a reader compares it: in lower case,
// without its closing punctuation, emoji or signature.
func plainSentence(s string) string {
	s = signOff.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		if isPictograph(r) || r == 0xFE0F {
			return -1
		}
		return r
	}, s)
	return strings.ToLower(strings.Trim(s, ".!?… "))
}

// saidBefore reports whether one of a reply's sentences of more than
// three words is one the character has written lately.
func (k *knowledge) saidBefore(parts []string) bool {
	for _, p := range parts {
		for _, s := range sentenceSplit.Split(p, -1) {
			if len(strings.Fields(s)) > 3 && k.said[plainSentence(s)] {
				return true
			}
		}
	}
	return false
}

var mentionedHandle = regexp.MustCompile(`@[A-Za-z0-9_]+`)

// unhandled writes a comment's @mentions as a reader hears them: the
// character's own handle is only an address, another character's is
// that character's name.
func (k *knowledge) unhandled(text string) string {
	return mentionedHandle.ReplaceAllStringFunc(text, func(h string) string {
		if strings.EqualFold(h[1:], k.in.Character.Username) {
			return ""
		}
		for _, o := range append([]content.Handle{{Username: k.in.Post.Username, DisplayName: k.in.Post.DisplayName}}, k.in.Others...) {
			if strings.EqualFold(h[1:], o.Username) && o.DisplayName != "" {
				return o.DisplayName
			}
		}
		return h
	})
}

// knowledgeOf gathers what the character answering in knows.
func knowledgeOf(in content.ReplyInput) *knowledge {
	k := &knowledge{in: in, fl: flavorOf(in.World), onPost: in.Comment == in.Post, said: map[string]bool{}}
	ch := in.Character
	k.mine = append([]string{}, in.Recent...)
	for _, l := range in.Thread {
		if l.Username == ch.Username {
			k.mine = append(k.mine, l.Text)
		}
	}
	for _, text := range k.mine {
		for _, s := range sentenceSplit.Split(text, -1) {
			if s = plainSentence(s); s != "" {
				k.said[s] = true
			}
		}
	}
	seen := map[string]bool{ch.DisplayName: true, "": true}
	for _, rel := range ch.Relationships {
		if !seen[rel.Name] {
			seen[rel.Name] = true
			k.things = append(k.things, thing{name: rel.Name, kind: "character", about: rel.Description})
		}
	}
	others := append([]content.Handle{{Username: in.Post.Username, DisplayName: in.Post.DisplayName}}, in.Others...)
	for _, o := range others {
		if !seen[o.DisplayName] {
			seen[o.DisplayName] = true
			k.things = append(k.things, thing{name: o.DisplayName, kind: "character"})
		}
	}
	for _, p := range k.fl.places {
		k.things = append(k.things, thing{name: p, kind: "place"})
	}
	for _, g := range k.fl.groups {
		k.things = append(k.things, thing{name: g, kind: "group"})
	}
	if in.World.Name != "" {
		k.things = append(k.things, thing{name: in.World.Name, kind: "world"})
	}
	w := in.World
	post := in.Post.Text
	if k.onPost || in.Post.Username != ch.Username {
		post = "" // someone else's words are theirs to tell
	}
	for i, text := range append([]string{ch.DailyRoutine, ch.Bio, ch.Backstory, post, w.DescriptionShort, w.Geography, w.Culture,
		w.SocialStructure, w.History, w.TechnologyLevel, w.Description}, w.Conflicts...) {
		for _, s := range sentenceSplit.Split(text, -1) {
			// A profile tells of its character as "she" and "him": the
			// character cannot say those sentences of itself.
			if s = strings.TrimSpace(s); s != "" && reads(s) && (i > 2 || !thirdPerson(s) && !strings.Contains(s, firstName(ch.DisplayName))) {
				k.lore = append(k.lore, sentence(s))
			}
		}
	}
	for i, t := range k.things {
		if t.about == "" {
			k.things[i].about = k.fact(t.name)
		}
	}
	return k
}

var sentenceSplit = regexp.MustCompile(`(?:[.!?…]+["')]*)(?:\s+|$)|\n+`)

// reads reports whether a sentence of the lore can be told as it is: not
// too long, no slot, no question, no article before a word that is no
// noun.
func reads(s string) bool {
	if n := utf8.RuneCountInString(s); n < 20 || n > 180 || strings.ContainsAny(s, "{}?:;\"") || strings.HasPrefix(s, "—") {
		return false
	}
	return tornAt(s) == ""
}

// tornAt returns an article followed by a word that is no noun, or "".
func tornAt(s string) string {
	ws := words(s)
	for i := 0; i+1 < len(ws); i++ {
		if ws[i] == "the" || ws[i] == "a" || ws[i] == "an" {
			n := ws[i+1]
			if determiners[n] || personWords[n] || askWords[n] != "" || auxWords[n] || (adverbs[n] && !adjectives[n]) || verbs[n] && !nounEnds[n] && !nounVerbs[n] {
				return ws[i] + " " + n
			}
		}
	}
	return ""
}

// thirdPerson reports whether s speaks of someone as he, she, him or her.
func thirdPerson(s string) bool {
	for _, w := range words(s) {
		switch w {
		case "he", "she", "him", "her", "his", "hers", "himself", "herself":
			return true
		}
	}
	return false
}

// nounVerbs are verbs' forms that are nouns as often.
var nounVerbs = wordClass("noun verbs")

// fact returns a sentence of the lore that names what, or "".
func (k *knowledge) fact(what string) string {
	what = strings.ToLower(strings.TrimPrefix(what, "the "))
	if what == "" {
		return ""
	}
	re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(what) + `(s|es)?\b`)
	if s := singular(what); s != what {
		re = regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(s) + `(s|es)?\b`)
	}
	for _, s := range k.lore {
		if re.MatchString(s) && !k.said[plainSentence(s)] {
			return s
		}
	}
	return ""
}

// focus is what an answer is about: the topic when it holds a thing of
// the world ("the tea at the Lower Quay"), else the character, place or
// group the message names, else its topic as the answerer says it, else
// the world it names. about is what the character knows of it ("" when
// nothing); t is the thing, when the focus is one.
func (k *knowledge) focus(m message) (name, about string, t thing) {
	for _, n := range m.named {
		if n.kind != "world" && strings.Contains(m.topic.text, n.name) && m.topic.head != n.name {
			return ownWords(m.topic.text), n.about, thing{} // "the tea at the Lower Quay"
		}
	}
	for _, n := range m.named {
		if n.kind != "world" {
			return n.name, n.about, n
		}
	}
	if m.topic.text != "" && !postWords[singular(m.topic.head)] {
		about := k.fact(m.topic.head)
		for _, w := range strings.Fields(m.topic.text) {
			if about == "" && !determiners[w] && !attachWords[w] && !adjectives[w] && !vagueNouns[w] && len(w) > 3 {
				about = k.fact(w) // "the smoke from the kilns": what is known of kilns
			}
		}
		return ownWords(m.topic.text), about, thing{}
	}
	if len(m.named) > 0 {
		return m.named[0].name, m.named[0].about, m.named[0]
	}
	if m.topic.text != "" {
		return ownWords(m.topic.text), "", thing{}
	}
	return "", "", thing{}
}

// isPlural reports whether a phrase names more than one thing, by its
// head: "the wells under the kilns" are wells.
func isPlural(p string) bool {
	head := firstNoun(p)
	if head == "" {
		ws := strings.Fields(p)
		head = strings.ToLower(ws[len(ws)-1])
	}
	switch head {
	case "children", "people", "men", "women", "feet", "geese", "mice", "teeth":
		return true
	}
	return singular(head) != head
}

// firstNoun is the last word of a phrase before its attached phrase:
// "wells" of "the wells under the kilns".
func firstNoun(p string) string {
	ws := strings.Fields(p)
	for i, w := range ws {
		if attachWords[w] && i > 0 {
			return ws[i-1]
		}
	}
	return ""
}

// ownWords turns a phrase of the commenter's into the answerer's: "your
// photos" are "my photos", "that tower" is "the tower".
func ownWords(p string) string {
	ws := strings.Split(p, " ")
	for i, w := range ws {
		switch w {
		case "your":
			ws[i] = "my"
		case "my":
			ws[i] = "your"
		case "that", "this", "these", "those":
			if i == 0 {
				ws[i] = "the"
			}
		}
	}
	return strings.Join(ws, " ")
}

// answer writes a reply's sentences to m, addressed to name.
func (k *knowledge) answer(r *rand.Rand, m message, name string, attempt int) []string {
	ch := k.in.Character
	fl := k.fl
	f, about, th := k.focus(m)
	if m.kind == msgGreeting {
		f, about, th = "", "", thing{} // "what a place!" greets, it asks about nothing
		if len(m.named) > 0 {
			f, about, th = m.named[0].name, m.named[0].about, m.named[0]
		}
	}
	plural := (th.kind == "" || th.kind == "place" || th.kind == "group") && f != "" && isPlural(f)
	agree := func(sing, plur string) string {
		if plural {
			return plur
		}
		return sing
	}
	pron, pronPoss := agree("it", "they"), agree("its", "their")
	if th.kind == "character" {
		pron, pronPoss = "they", "their"
	}
	world := k.in.World.Name
	if world == "" {
		world = "these parts"
	}
	place := pick(r, fl.places)
	if th.kind == "place" {
		place = pick(r, fl.places) // another place than the one asked about, when there is one
		for i := 0; i < 4 && strings.EqualFold(place, th.name); i++ {
			place = pick(r, fl.places)
		}
	}
	var friends []string // whom the character would send a question on to
	for _, rel := range ch.Relationships {
		friends = append(friends, firstName(rel.Name))
	}
	if len(friends) == 0 {
		for _, o := range k.in.Others {
			friends = append(friends, firstName(o.DisplayName))
		}
	}
	friends = slices.DeleteFunc(friends, func(f string) bool { return f == "" || f == name || f == th.short() })
	friend := pick(r, friends)
	if friend == "" {
		friend = "my neighbour"
	}
	role := roleOf(ch)
	fill := strings.NewReplacer("{n}", name, "{F}", f, "{Fc}", capFirst(f), "{place}", place, "{Place}", capFirst(place),
		"{friend}", friend, "{group}", pick(r, fl.groups), "{time}", pick(r, fl.set.timesOfDay), "{world}", world,
		"{object}", pick(r, fl.set.objects), "{activity}", pick(r, fl.set.activities), "{festival}", pick(r, fl.set.festivals),
		"{lang}", m.lang, "{emoji}", pickEmoji(r, m.emoji), "{interest}", strings.ToLower(pick(r, append(append([]string{}, ch.Interests...), "work"))),
		"{role}", withArticle(orDefault(role, "local")), "{is}", agree("is", "are"), "{has}", agree("has", "have"),
		"{it}", pron, "{its}", pronPoss, "{short}", th.short())
	say := func(lines []string) string { return sentence(fill.Replace(pick(r, lines))) }
	var parts []string
	if m.shouted {
		parts = append(parts, say(shoutedOpeners))
	}
	if m.long {
		parts = append(parts, say(longOpeners))
	}
	// known is what the character can tell about the focus; without it,
	// it says in its own way that it does not know.
	known := func() string {
		switch {
		case about != "":
			return about
		case strings.HasPrefix(f, "my ") || postWords[singular(m.topic.head)] && th.kind == "":
			return say(postLines) // what the character made: the post
		case th.kind == "character" && m.kind == msgQuestion:
			return say(whereaboutsLines)
		case th.kind == "character":
			return say(strangerLines)
		case th.kind == "place":
			return say(placeLines)
		case th.kind == "group":
			return say(groupLines)
		}
		return say(unknownLines)
	}
	withF := func(lines []string) []string {
		if f == "" {
			return nil
		}
		return lines
	}
	switch m.kind {
	case msgPost:
		lines := postTopicLines
		switch th.kind {
		case "character":
			lines = postPersonLines
		case "place":
			lines = postPlaceLines
		}
		if f == "" {
			parts = append(parts, say(postPlainLines), say(pick(r, [][]string{dayLines, memoryLines})))
			break
		}
		body := about
		if body == "" || th.kind == "character" {
			body = say(pick(r, [][]string{dayLines, memoryLines}))
		}
		parts = append(parts, say(lines), body)
	case msgLink:
		return []string{say(linkLines)}
	case msgEmoji:
		return []string{say(emojiLines), say(postLines)}
	case msgPraise:
		return append(parts, say(praiseLines), say(postLines))
	case msgForeign:
		parts = append(parts, say(foreignLines))
		if f != "" && len(m.named) > 0 {
			parts = append(parts, say(foreignNamedLines), known())
		} else {
			parts = append(parts, say(askBackLines))
		}
		return parts
	case msgQuestion:
		if f == "" {
			parts = append(parts, say(askOpeners["vague"]), say(postLines))
			break
		}
		if th.kind == "character" {
			parts = append(parts, say(characterOpeners), known())
			break
		}
		ask := m.ask
		switch {
		case th.kind == "" && postWords[singular(m.topic.head)]:
			ask = "post"
		case ask == "yes/no" && about == "" && th.kind == "":
			ask = "doubt"
		}
		parts = append(parts, say(askOpeners[ask]), known())
	case msgThanks:
		parts = append(parts, say(thanksLines))
		if f != "" {
			parts = append(parts, say(thanksAboutLines))
		} else {
			parts = append(parts, say(postLines))
		}
	case msgGreeting:
		parts = append(parts, say(greetingLines), say(dayLines))
		if f != "" {
			parts = append(parts, say(greetingAboutLines))
		}
	case msgOpinion, msgDisagree, msgNews, msgJoke:
		lines := map[string][]string{msgOpinion: opinionLines, msgDisagree: disagreeLines, msgNews: newsLines, msgJoke: jokeLines}[m.kind]
		if f == "" {
			parts = append(parts, say(otherLines))
			break
		}
		parts = append(parts, say(lines), known())
	default:
		if o := withF(aboutLines); o != nil {
			parts = append(parts, say(o), known())
		} else {
			parts = append(parts, say(otherLines), say(postLines))
		}
	}
	// Written again, the answer's second sentence comes from the
	// character's own days instead.
	if attempt >= 4 && len(parts) >= 2 {
		own := [][]string{dayLines, postLines, memoryLines}
		if m.kind == msgPost {
			own = own[:1] // the post is not the character's own
			own = append(own, memoryLines)
		}
		parts[len(parts)-1] = say(pick(r, own))
	}
	if f != "" && !strings.Contains(strings.ToLower(strings.Join(parts, " ")), strings.ToLower(strings.TrimPrefix(f, "the "))) {
		parts = append(parts, say(aboutLines))
	}
	if r.IntN(3) == 0 {
		switch {
		case m.kind == msgPost && th.kind == "place":
			parts = append(parts, say(askBackPlaceLines))
		case m.kind == msgPost:
			parts = append(parts, say(askBackPostLines))
		case f != "" && m.kind != msgGreeting && m.kind != msgThanks:
			parts = append(parts, say(askBackAboutLines))
		default:
			parts = append(parts, say(askBackLines))
		}
	}
	// Someone the character knows hears it in the tone of their tie.
	if kind, _, ok := strings.Cut(k.in.Relationship, ":"); ok && len(tieLines[kind]) > 0 && m.kind != msgLink && m.kind != msgEmoji && r.IntN(2) == 0 {
		parts = append(parts, say(tieLines[kind]))
	}
	// A reply is a comment, not a post.
	for len(parts) > 2 && utf8.RuneCountInString(strings.Join(parts, " ")) > 420 {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// pickEmoji returns one of the message's emoji, or one of a few.
func pickEmoji(r *rand.Rand, es []string) string {
	if len(es) > 0 {
		return pick(r, es)
	}
	return pick(r, []string{"🙂", "✨", "👋"})
}

// onPost reads a post as what a character comments on: news of the
// author's, about the places and groups it names before the people.
func onPost(m message) message {
	m.kind, m.ask = msgPost, ""
	slices.SortStableFunc(m.named, func(a, b thing) int { return rankOfKind(a.kind) - rankOfKind(b.kind) })
	return m
}

func rankOfKind(kind string) int {
	return map[string]int{"place": 0, "group": 1, "character": 2, "world": 3}[kind]
}

// sentences are the reply's sentences, kept in replies.json: "ask" by
// what a question asks, "tie" by what the one answered is to the
// character, "lines" by the part of the answer they write. {F} is what
// the answer is about ({Fc} capitalised), {n} whom it answers, {short} a
// character's first name; {is}, {has}, {it} and {its} agree with {F}.
var sentences = func() replySentences {
	var s replySentences
	if err := json.Unmarshal(repliesJSON, &s); err != nil {
		panic("offline: replies.json: " + err.Error())
	}
	return s
}()

//go:embed replies.json
var repliesJSON []byte

type replySentences struct {
	Ask   map[string][]string `json:"ask"`
	Tie   map[string][]string `json:"tie"`
	Lines map[string][]string `json:"lines"`
}

// lines returns the sentences kept under name; a name the file lacks is a
// mistake of this package's, found when it loads.
func (s replySentences) lines(name string) []string {
	if len(s.Lines[name]) == 0 {
		panic("offline: replies.json has no lines " + strconv.Quote(name))
	}
	return s.Lines[name]
}

var (
	postPlaceLines     = sentences.lines("post place")
	postTopicLines     = sentences.lines("post topic")
	postPersonLines    = sentences.lines("post person")
	postPlainLines     = sentences.lines("post plain")
	askOpeners         = sentences.Ask
	characterOpeners   = sentences.lines("character openers")
	whereaboutsLines   = sentences.lines("whereabouts")
	unknownLines       = sentences.lines("unknown")
	strangerLines      = sentences.lines("stranger")
	placeLines         = sentences.lines("place")
	groupLines         = sentences.lines("group")
	opinionLines       = sentences.lines("opinion")
	disagreeLines      = sentences.lines("disagree")
	newsLines          = sentences.lines("news")
	jokeLines          = sentences.lines("joke")
	thanksLines        = sentences.lines("thanks")
	thanksAboutLines   = sentences.lines("thanks about")
	greetingLines      = sentences.lines("greeting")
	greetingAboutLines = sentences.lines("greeting about")
	dayLines           = sentences.lines("day")
	praiseLines        = sentences.lines("praise")
	postLines          = sentences.lines("post")
	linkLines          = sentences.lines("link")
	emojiLines         = sentences.lines("emoji")
	foreignLines       = sentences.lines("foreign")
	foreignNamedLines  = sentences.lines("foreign named")
	shoutedOpeners     = sentences.lines("shouted openers")
	longOpeners        = sentences.lines("long openers")
	aboutLines         = sentences.lines("about")
	memoryLines        = sentences.lines("memory")
	otherLines         = sentences.lines("other")
	tieLines           = sentences.Tie
	askBackPlaceLines  = sentences.lines("ask back place")
	askBackPostLines   = sentences.lines("ask back post")
	askBackLines       = sentences.lines("ask back")
	askBackAboutLines  = sentences.lines("ask back about")
)

// addressed is how a reply addresses someone.
func addressed(display, username string) string {
	if f := firstName(display); f != "" {
		return f
	}
	if username != "" {
		return "@" + username
	}
	return "friend"
}

// repeats reports whether text is too like one of the recent texts.
func repeats(text string, recent []string) bool {
	for _, old := range recent {
		if content.TooSimilar(text, old) {
			return true
		}
	}
	return false
}
