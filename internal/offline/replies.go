package offline

import (
	_ "embed"
	"encoding/json"
	"math/rand/v2"
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
	friendSaid := false // the friend is named once an answer: "ask Liv; Liv would know" is one Liv too many
	say := func(lines []string) string {
		if friendSaid {
			if others := slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return strings.Contains(l, "{friend}") }); len(others) > 0 {
				lines = others
			}
		}
		l := pick(r, lines)
		friendSaid = friendSaid || strings.Contains(l, "{friend}")
		return sentence(fill.Replace(l))
	}
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
