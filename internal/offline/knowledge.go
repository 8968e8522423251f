package offline

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/generia/generia/internal/content"
)

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
	if n := utf8.RuneCountInString(s); n < 20 || n > 180 || strings.ContainsAny(s, "{}?:;\"•|#@") || strings.HasPrefix(s, "—") {
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
			if topicDeterminers[n] || personWords[n] || askWords[n] != "" || auxWords[n] || (adverbs[n] && !adjectives[n]) || verbs[n] && !nounEnds[n] && !nounVerbs[n] {
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

// wholeWord matches w, or its plural in s or es, as a whole word in any
// case. RE2's \b knows only ASCII letters: it would find "Luc" in
// "Lucía" and never find "José" before a space.
func wholeWord(w string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|[^\pL\pN_])` + regexp.QuoteMeta(w) + `(?:s|es)?(?:$|[^\pL\pN_])`)
}

// fact returns a sentence of the lore that names what, or "".
func (k *knowledge) fact(what string) string {
	what = strings.ToLower(strings.TrimPrefix(what, "the "))
	if what == "" {
		return ""
	}
	re := wholeWord(singular(what))
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
		for _, w := range topicNouns(m) {
			if about == "" {
				about = k.fact(w) // "the smoke from the kilns": what is known of kilns
			}
		}
		if about == "" {
			about = k.heard(m.topic.head)
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

// topicNouns are the nouns of a message's topic that the character may
// know something of: those of its head phrase and the last of its
// attached phrase, leaving out the names of the world's things ("dragons
// in Glass Wells" is about dragons).
func topicNouns(m message) []string {
	var out []string
	ws := strings.Fields(m.topic.text)
	for i, w := range ws {
		lw := strings.ToLower(w)
		if attachWords[lw] && i > 0 && i+1 < len(ws) {
			out = append(out, ws[len(ws)-1])
			break
		}
		out = append(out, w)
	}
	return slices.DeleteFunc(out, func(w string) bool {
		lw := strings.ToLower(w)
		if topicDeterminers[lw] || attachWords[lw] || adjectives[lw] || vagueNouns[lw] || utf8.RuneCountInString(lw) <= 3 {
			return true
		}
		for _, n := range m.named {
			if strings.Contains(strings.ToLower(n.name), lw) {
				return true
			}
		}
		return false
	})
}

// heard returns what the thread so far said of a word, as the character
// would point back to it, or "": someone else's comment that names it,
// the latest first.
func (k *knowledge) heard(word string) string {
	if word == "" {
		return ""
	}
	re := wholeWord(singular(strings.ToLower(word)))
	for i := len(k.in.Thread) - 1; i >= 0; i-- {
		l := k.in.Thread[i]
		if l.Username == k.in.Character.Username || !re.MatchString(l.Text) {
			continue
		}
		who := addressed(l.DisplayName, l.Username)
		if l.Username == k.in.Comment.Username {
			return "You said something about " + strings.ToLower(word) + " earlier, and I have been thinking about it since."
		}
		return who + " brought up " + strings.ToLower(word) + " earlier in this thread; I would trust " + who + " on it before me."
	}
	return ""
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
