package offline

import (
	"math/rand/v2"
	"strconv"
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
	for attempt := range 16 { // a reply too like a recent text is written again
		r := seed(key, "reply", strconv.Itoa(attempt))
		if attempt > 0 && len(ch.Interests) > 0 {
			interest = strings.ToLower(pick(r, ch.Interests))
		}
		open := opening(r, in.Comment.Text, name, topic)
		withTopic, others := replyMiddles(topic, interest, in.Relationship)
		middles := withTopic // the reply takes up what the comment said
		if strings.Contains(open, topic) {
			middles = append(middles, others...)
		}
		parts := []string{open, pick(r, middles)}
		if r.IntN(3) == 0 || attempt >= 8 {
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
			name + ", since you ask: it comes down to the " + topic + ".",
			"Honestly, " + name + "? I think about the " + topic + " more than I say.",
			"Nobody has asked me that before, " + name + ".",
			"Short answer, " + name + ": yes, mostly.",
			"You want the long version, " + name + "?",
		})
	case strings.Contains(c, "thank") || strings.Contains(c, "love") || strings.Contains(c, "beautiful"):
		return pick(r, []string{
			"That means a lot, " + name + ".",
			"Thank you, " + name + ", truly.",
			"You are kind, " + name + ".",
			"You made my evening, " + name + ".",
		})
	}
	return pick(r, []string{
		name + ", you noticed the " + topic + ".",
		"Funny you mention the " + topic + ", " + name + ".",
		"I hear you, " + name + ".",
		"Fair point, " + name + ".",
		"You are not the first to say so, " + name + ".",
	})
}

// replyMiddles are a reply's second sentences: those that name the
// comment's topic, and the others.
func replyMiddles(topic, interest, relationship string) (withTopic, others []string) {
	withTopic = []string{
		"The " + topic + " is half the reason I keep coming back to " + interest + ".",
		"Some days it is all " + interest + ", and some days it is just the " + topic + ".",
		"Everyone asks about the " + topic + ", and " + interest + " is my answer.",
		"The " + topic + "? Blame " + interest + ".",
		"I have a whole theory about the " + topic + ".",
		"The " + topic + " was better last winter, if you ask me.",
		"Without the " + topic + " this place would be quieter, and duller.",
	}
	out := []string{
		"Ask me again after a day of " + interest + " and I will tell you more.",
		"I learned most of it from " + interest + ", which nobody believes.",
		"Between you and me, " + interest + " explains more than it should.",
		"If you had seen it at first light you would understand.",
		"People here pretend not to care, but everyone talks about it.",
		"My notes on " + interest + " fill a whole drawer now.",
		"It changes every week, and I keep count.",
		"There is a story behind it, and it is not a short one.",
		"Come by sometime and I will show you instead of telling you.",
		"I was wrong about it for years, then " + interest + " taught me otherwise.",
	}
	if relationship != "" {
		out = append(out, "Coming from you, that lands differently.", "You of all people know why.")
	}
	return withTopic, out
}

var replyClosings = []string{
	"More soon.",
	"Stay close to the feed.",
	"We should talk properly one day.",
	"Tell me what you think after.",
	"Bring tea next time.",
	"Anyway, thank you for asking.",
	"That is all I will say for now.",
	"Keep an eye out tomorrow.",
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
	"should": true, "really": true, "which": true, "where": true, "these": true, "those": true, "because": true,
	"again": true, "today": true, "tonight": true, "always": true, "never": true, "something": true, "anything": true,
	"everyone": true, "someone": true, "what": true, "when": true, "with": true, "from": true, "have": true,
	"your": true, "this": true, "that": true, "were": true, "been": true, "here": true, "just": true, "like": true}

// repeats reports whether text is too like one of the recent texts.
func repeats(text string, recent []string) bool {
	for _, old := range recent {
		if content.TooSimilar(text, old) {
			return true
		}
	}
	return false
}
