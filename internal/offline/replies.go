package offline

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/generia/generia/internal/content"
)

// reply answers one reply step: a few sentences in the character's voice
// that take up what the comment says (a question gets an answer, thanks
// get thanks back), lean on one of the character's interests, and differ
// from what the character wrote lately.
func reply(in content.ReplyInput, key string) content.Reply {
	ch := in.Character
	v := voiceFor(ch.SpeakingStyle, ch.Username)
	name := addressed(in.Comment.DisplayName, in.Comment.Username)
	topic := keyword(in.Comment.Text)
	interest := "what I do here"
	if len(ch.Interests) > 0 {
		interest = strings.ToLower(ch.Interests[hashInt(len(ch.Interests), key, "interest")])
	}
	var best content.Reply
	for attempt := range 4 { // a reply too like a recent text is written again
		r := seed(key, "reply", string(rune('a'+attempt)))
		parts := []string{opening(r, in.Comment.Text, name, topic)}
		parts = append(parts, pick(r, replyMiddles(topic, interest, in.Relationship)))
		if r.IntN(3) == 0 {
			parts = append(parts, pick(r, replyClosings))
		}
		text := voiced(r, v, parts, ch.DisplayName)
		best = content.Reply{Text: text, Mentions: []string{}}
		if !repeats(text, in.Recent) {
			break
		}
	}
	return best
}

// opening is a reply's first sentence, answering the comment's kind.
func opening(r *rand.Rand, comment, name, topic string) string {
	c := strings.ToLower(comment)
	switch {
	case strings.Contains(c, "?"):
		return pick(r, []string{
			"Good question, " + name + ".",
			name + ", since you ask: it is about " + topic + ".",
			"Honestly, " + name + "? I think about " + topic + " more than I say.",
		})
	case strings.Contains(c, "thank") || strings.Contains(c, "love") || strings.Contains(c, "beautiful"):
		return pick(r, []string{
			"That means a lot, " + name + ".",
			"Thank you, " + name + ", truly.",
			"You are kind, " + name + ".",
		})
	}
	return pick(r, []string{
		name + ", you noticed the " + topic + ".",
		"Funny you mention " + topic + ", " + name + ".",
		"I hear you, " + name + ".",
	})
}

func replyMiddles(topic, interest, relationship string) []string {
	out := []string{
		"The " + topic + " is half the reason I keep coming back to " + interest + ".",
		"Ask me again after a day of " + interest + " and I will tell you more.",
		"Some days it is all " + interest + ", and some days it is just the " + topic + ".",
	}
	if relationship != "" {
		out = append(out, "Coming from you, that lands differently.")
	}
	return out
}

var replyClosings = []string{
	"More soon.",
	"Stay close to the feed.",
	"We should talk properly one day.",
}

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

// keyword is the longest plain word of a comment, what a reply takes up.
func keyword(text string) string {
	best := ""
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		w = strings.ToLower(strings.Trim(w, "'"))
		if len([]rune(w)) > len([]rune(best)) && !stopWords[w] {
			best = w
		}
	}
	if best == "" {
		return "moment"
	}
	return best
}

var stopWords = map[string]bool{"about": true, "there": true, "their": true, "would": true, "could": true,
	"should": true, "really": true, "which": true, "where": true, "these": true, "those": true, "because": true}

// repeats reports whether text is too like one of the recent texts.
func repeats(text string, recent []string) bool {
	for _, old := range recent {
		if content.TooSimilar(text, old) {
			return true
		}
	}
	return false
}
