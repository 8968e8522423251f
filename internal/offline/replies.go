package offline

import (
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
	m := understand(in.Comment.Text, k.things)
	if k.onPost {
		m = onPost(m)
	}
	ch := in.Character
	v := voiceFor(ch.SpeakingStyle, ch.Username)
	recent := append([]string{}, in.Recent...)
	for _, l := range in.Thread {
		if l.Username == ch.Username {
			recent = append(recent, l.Text)
		}
	}
	var best, fresh content.Reply
	for attempt := range 24 { // a reply too like a recent text is written again
		r := seed(key, "reply", strconv.Itoa(attempt))
		parts := k.answer(r, m, addressed(in.Comment.DisplayName, in.Comment.Username), attempt)
		text := voiced(r, v, parts, ch.DisplayName)
		best = content.Reply{Text: text, Mentions: []string{}}
		if repeats(text, recent) {
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

func knowledgeOf(in content.ReplyInput) *knowledge {
	k := &knowledge{in: in, fl: flavorOf(in.World), onPost: in.Comment == in.Post, said: map[string]bool{}}
	ch := in.Character
	mine := append([]string{}, in.Recent...)
	for _, l := range in.Thread {
		if l.Username == ch.Username {
			mine = append(mine, l.Text)
		}
	}
	for _, text := range mine {
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
			if determiners[n] || personWords[n] || askWords[n] != "" || auxWords[n] || (adverbs[n] && !adjectives[n]) || verbs[n] && !nounEnds[n] && !isNounToo[n] {
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

// isNounToo are verbs' forms that are nouns as often.
var isNounToo = makeSet(strings.Fields(`fire fall ring work use change help visit love walk call show drink swim run start end cost lead close
mend need wonder wait miss move pay sleep catch feel look try read win`))

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

// focus is what an answer is about: the character, place or group the
// message names, else its topic as the answerer says it, else the post's
// subject. about is what the character knows of it ("" when nothing).
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

// The reply's sentences by kind of message. {F} is what the answer is
// about, {n} whom it answers.
var (
	postPlaceLines = []string{"{Fc} again, {n}? I was there only yesterday.", "I can picture {F} from here, {n}.", "You make me want to go to {F}, {n}.",
		"Save me a place at {F} next time, {n}.", "{Fc} {is} never the same twice, {n}.", "So that is where you were, {n}: {F}.", "Of course it was {F}, {n}."}
	postTopicLines = []string{"Tell me more about {F} when I see you, {n}.", "Good luck with {F}, {n}; I mean it.", "{Fc}, {n}? I had not heard.",
		"I keep thinking about {F} since I read this, {n}.", "Now I want to know everything about {F}, {n}."}
	postPersonLines = []string{"Say hello to {short} for me, {n}.", "{short} told me about it too, {n}.", "Trust {short} to be there, {n}.",
		"You and {short}, {n}? That I would have paid to see."}
	postPlainLines = []string{"Good to hear from you, {n}.", "I read this twice, {n}.", "This made my evening, {n}."}
	askOpeners     = map[string][]string{
		"yes/no": {"Mostly yes, {n}, though {F} {has} surprised me before.", "Yes, {n}, if you ask me, but {F} {is} not something I would bet on.",
			"I would say no, {n}, though with {F} you never quite know.", "Some years yes, some years no, {n}; {F} {has} moods.",
			"About {F}? Yes, {n}, more or less."},
		"where": {"{Fc}? Start at {place}, {n}.", "For {F}, {n}, I would look around {place} first.", "Down past {place}, {n}, if {F} {is} what you are after.",
			"Where {F} {is} concerned, {n}, everything starts at {place}."},
		"why": {"Why {F}? Habit, {n}, and a little pride.", "There is a reason for {F}, {n}, and it is older than me.",
			"Nobody here agrees on why, {n}, least of all about {F}.", "The honest answer about {F}, {n}: because it has always been so."},
		"how": {"{Fc}? Slowly, {n}, and with {object}.", "With patience, {n}, the way we do everything around {F}.",
			"{Fc}? The way we learn everything here, {n}: by watching someone older.", "Carefully, {n}; {F} {is} not forgiving."},
		"who": {"Ask {friend} about {F}, {n}; they know more than I do.", "People will tell you {group}, {n}, when it comes to {F}.",
			"{Fc}? {friend} would know who, {n}, better than me."},
		"when": {"{Fc}? Around {time}, usually, {n}.", "Not before {festival}, {n}, if {F} {is} what you mean.",
			"Most days around {time}, {n}, if you mean {F}."},
		"what":  {"{Fc}? Let me tell you, {n}.", "You mean {F}, {n}? Good eye.", "Ah, {F}. Since you ask, {n}.", "{Fc}, {n}? Here is the short of it."},
		"vague": {"Why indeed, {n}.", "Fair to ask, {n}.", "You caught me thinking, {n}."},
		// Asked yes or no about what the character does not know.
		"doubt": {"Not that I know of, {n}; {F} {is} news to me.", "I doubt it, {n}, though I have never gone looking for {F}.",
			"Not as far as I know, {n}, and I would have heard about {F}.", "No idea, {n}; {F} never came up around here."},
		// Asked about the post's own picture.
		"post": {"That one, {n}? I took {F} around {time}.", "{Fc}? That was {place}, {n}, around {time}.", "Ah, {F}, {n}. I nearly kept it to myself."},
	}
	characterOpeners = []string{"{Fc}? Ah, {n}.", "You ask about {F}, {n}? Fair enough.", "{Fc}, {n}? Let me think how to put it."}
	whereaboutsLines = []string{"I saw {short} at {place} around {time}; that is all I know.", "Try {place} around {time}; that is where I see {short} most.",
		"{short} comes and goes; {place} is your best chance."}
	unknownLines = []string{"I couldn't tell you much more about {F}, I'm afraid; {friend} would know better.",
		"Truth is, {F} {is} not something I know well; I'm {role}, and my days go to {interest}.",
		"I have never looked into {F} properly, so take my word lightly.", "As for {F}, I have heard stories, but none I would swear to.",
		"I can't say I've come across {F} in {world}, not that I remember."}
	strangerLines = []string{"{short} and I nod at each other around {place}, no more than that.", "I know {short} by sight; we have never talked for long.",
		"{short} and I cross paths at {place} now and then."}
	placeLines = []string{"I pass {F} most days around {time}; no two days there are alike.", "{Fc} is where I go when I need to think.",
		"Everyone ends up at {F} sooner or later."}
	groupLines = []string{"{Fc} keeps {its} own counsel; I know a few of them by name.", "{Fc} does more than people give {it} credit for.",
		"I have friends in {F}, and I still could not tell you what they decide."}
	opinionLines = []string{"You may be right about {F}, {n}.", "I feel much the same about {F}, {n}, most days.",
		"I see {F} a little differently, {n}, but I take your point.", "Funny, {n}, I was thinking about {F} only this morning."}
	disagreeLines = []string{"You may have a point about {F}, {n}, but I remember it differently.", "I hear you, {n}, but {F} {is} not what {it} looks like from outside.",
		"We will have to disagree about {F}, {n}.", "Fair, {n}, though I would not write off {F} so quickly."}
	newsLines = []string{"News to me about {F}, {n}!", "I had not heard that about {F}, {n}.", "If that is true of {F}, {n}, {group} will have something to say.",
		"Word travels fast, {n}; I only heard about {F} at {time}."}
	jokeLines = []string{"Ha! {n}, you are not wrong about {F}.", "You will get me in trouble with {F}, {n}.", "I laughed, {n}, and then I thought about {F} and laughed again.",
		"Don't give {F} ideas, {n}."}
	thanksLines        = []string{"You are welcome, {n}.", "Thank you for saying so, {n}.", "Any time, {n}.", "That means a lot, {n}."}
	thanksAboutLines   = []string{"I'm glad {F} meant something to you.", "{Fc} deserved a little attention.", "I could talk about {F} all day, so thank you for listening."}
	greetingLines      = []string{"Hello, {n}!", "Good to see you here, {n}.", "Welcome, {n}, pull up a chair.", "Hey {n}, good of you to come."}
	greetingAboutLines = []string{"{Fc} says hello back, in {its} way.", "You picked a good day for {F}."}
	dayLines           = []string{"It is {time} here and I am {activity}.", "I have just come back from {place}.", "Today was all {interest}, as usual."}
	praiseLines        = []string{"Thank you, {n}!", "You are kind, {n}.", "I thought so too, {n}."}
	postLines          = []string{"The light at {place} did most of the work.", "I nearly didn't post it, so thank you.", "It was {time} and everything went quiet for a moment.",
		"You should see {place} in person one day."}
	linkLines = []string{"I'll open your link after my shift, {n}. What is in it?", "A link, {n}? Tell me what it is about first; the connection here is slow.",
		"Saving that link for tonight, {n}.", "Thanks for the link, {n}; I will read it with my tea."}
	emojiLines   = []string{"{emoji} right back at you, {n}.", "{n}! {emoji}", "That is the face I made too, {n} {emoji}"}
	foreignLines = []string{"My {lang} is not good enough to answer you properly, {n}; I only write in English.",
		"I only have a few words of {lang}, {n}, so forgive me for answering in English.", "Sorry, {n}, I read {lang} slowly and write only English."}
	foreignNamedLines = []string{"{Fc} I understood, though.", "I caught {F}, at least."}
	shoutedOpeners    = []string{"No need to shout, {n}, I can hear you.", "Easy on the capitals, {n}!", "I hear you loud and clear, {n}."}
	longOpeners       = []string{"That is a lot to read before {time}, {n}, but I read every word.", "I read all of it, {n}, twice."}
	aboutLines        = []string{"You bring up {F}, {n}, and now I can't stop thinking about it.", "{Fc}, {n}? Now you have me curious.",
		"Ah, {F}, {n}. I know a little."}
	memoryLines = []string{"I remember {festival} last year; nobody slept.", "{friend} keeps telling me to write it all down.",
		"My notes on {interest} say otherwise, but they are old notes.", "I was at {place} at {time} and thought of exactly this.",
		"Some things you only understand after a season here.", "I keep {object} on my shelf for days like this."}
	otherLines = []string{"Noted, {n}.", "Same here, {n}.", "Ha, {n}, I know the feeling.", "Thanks for stopping by, {n}."}
	// tieLines are by what the one answered is to the character.
	tieLines = map[string][]string{
		"old friend": {"You know me too well.", "Some things never change between us."},
		"rival":      {"Careful, I'm still keeping score.", "Don't look so pleased with yourself."},
		"apprentice": {"Practise first, then ask me again.", "You'll get there; you always do."},
		"mentor":     {"You taught me better than that, I know.", "I'm still learning it from you."},
		"sibling":    {"Family rules: I get the last word.", "Don't tell the others I agreed."},
		"neighbour":  {"I could hear you through the wall anyway.", "Knock if you need anything."},
		"partner":    {"We'll settle it over the books tonight.", "Put it on the list for our next meeting."},
		"ex":         {"Some things we never did agree on.", "Old habits, I suppose."},
		"cousin":     {"Don't make me tell the family.", "Our grandmother would have laughed at this."},
		"colleague":  {"See you on shift.", "Tell me the rest at work."},
	}
	askBackPlaceLines = []string{"When are you next at {F}?", "Who else was at {F}?", "Was it busy at {F}?"}
	askBackPostLines  = []string{"How did it end?", "Need a hand with any of it?", "Does anyone else know yet?"}
	askBackLines      = []string{"What brings you to {world}?", "Have you been to {place} yourself?", "Are you coming to {festival}?",
		"What would you like to see next?"}
	askBackAboutLines = []string{"What made you ask about {F}?", "Have you seen {F} yourself?", "What do you make of {F}?", "Where did you hear about {F}?"}
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
