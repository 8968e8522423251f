package offline

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

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
		if utf8.RuneCountInString(f) >= 3 && !stopwords[f] && !adjectives[f] && !adverbs[f] && !verbs[f] && !vagueNouns[f] && !englishWordClass[f] {
			names = append(names, f)
		}
	}
	return names
}

// Word classes of the topic reader: what cannot be a noun of a topic.
var (
	topicDeterminers = wordClass("determiners")
	attachWords      = wordClass("attach words")
	personWords      = wordClass("person words")
	adverbs          = wordClass("adverbs")
	adjectives       = wordClass("adjectives")
	verbs            = wordClass("verbs")
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
func topicOf(low string, things []thing, long bool) topicPhrase {
	var cands []candidate
	for _, sent := range sentenceStop.Split(low, -1) {
		cands = append(cands, candidates(sent, things)...)
	}
	if len(cands) == 0 {
		return topicPhrase{}
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
	return cands[best].topicPhrase
}

// candidate is a noun phrase a topic may be.
type candidate struct {
	topicPhrase
	score int
}

// topicToken is a word of a sentence with what the topic reader takes it for.
type topicToken struct {
	word  string
	class byte // 'd'eterminer, 'p'reposition, 'v'erb, 'x' other function word, 'a'djective, 'n'oun, 'N'ame
	name  string
	kind  string // of the thing a name token names
}

// tag splits a sentence into tokens, joining the names of the world's
// things into one token each.
func tag(sent string, things []thing) []topicToken {
	ws := words(strings.NewReplacer("'s ", " is ", "'d ", " would ", "'re ", " are ", "'m ", " am ", "'ve ", " have ", "'ll ", " will ", "n't", " not").Replace(sent + " "))
	var toks []topicToken
	for i := 0; i < len(ws); i++ {
		if t, n := nameAt(ws[i:], things); n > 0 {
			toks = append(toks, topicToken{word: strings.Join(ws[i:i+n], " "), class: 'N', name: t.name, kind: t.kind})
			i += n - 1
			continue
		}
		w := ws[i]
		var c byte
		switch {
		case topicDeterminers[w]:
			c = 'd'
		case attachWords[w] || w == "to" || w == "for" || w == "into" || w == "than" || w == "after" || w == "before" || w == "during":
			c = 'p'
		case personWords[w] || askWords[w] != "" || adverbs[w] || englishWordClass[w] && !verbs[w]:
			c = 'x'
		case verbs[w]:
			c = 'v'
		case stopwords[w] && !vagueNouns[w] && !adjectives[w] && !nounsToo[w]:
			c = 'x'
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
		toks = append(toks, topicToken{word: w, class: c})
	}
	doVerb(toks)
	return toks
}

// doAux are the auxiliaries after which a question puts its subject, then
// its verb: "where do the zeppelins land?"
var doAux = map[string]bool{"do": true, "does": true, "did": true, "can": true, "could": true, "will": true, "would": true, "should": true}

// doVerb marks the verb of a question asked with "do" and the like: the
// last word of the subject's run of nouns, when the run holds more than
// one and the clause ends there ("the zeppelins land", "the ferry stop").
func doVerb(toks []topicToken) {
	i := 0
	if i < len(toks) && askWords[toks[i].word] != "" {
		i++
	}
	if i >= len(toks) || !doAux[toks[i].word] {
		return
	}
	i++
	if i < len(toks) && toks[i].class == 'd' {
		i++
	}
	j := i
	for j < len(toks) && (toks[j].class == 'n' || toks[j].class == 'a') {
		j++
	}
	if j-i >= 2 && toks[j-1].class == 'n' && (j == len(toks) || toks[j].class == 'p' || toks[j].class == 'x' || toks[j].class == 'd') {
		toks[j-1].class = 'v'
	}
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
		c := candidate{topicPhrase: topicPhrase{text: text, head: head.word}}
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
func wordsOf(toks []topicToken) string {
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
