package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// TestRepliesAnswerTheComment holds the offline reply to what a person
// expects: valid for the step, addressed to the commenter, taking up what
// the comment is about, different from what the character wrote lately, and
// different for different comments.
func TestRepliesAnswerTheComment(t *testing.T) {
	in := content.ReplyInput{
		Character: content.CharacterDetail{Username: "mara_k", DisplayName: "Mara Kell", SpeakingStyle: "warm, plain",
			Interests: []string{"Lantern repair", "Night markets"}},
		Post:    content.ThreadLine{Username: "mara_k", DisplayName: "Mara Kell", Text: "The market opened on the ice today."},
		Comment: content.ThreadLine{Username: "ada", DisplayName: "Ada Byron", Text: "Where do the lanterns come from?"},
	}
	texts := map[string]bool{}
	about := []string{"lantern", "photograph", "river"}
	for i, comment := range []string{"Where do the lanterns come from?", "Thank you for the photograph", "The river looks frozen solid"} {
		in.Comment.Text = comment
		res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: "life/reply/" + comment, Input: in})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := content.ReplyStep.Parse(in, res.JSON)
		if err != nil {
			t.Fatalf("reply %d does not parse: %v\n%s", i, err, res.JSON)
		}
		text := ans.Value.Text
		if !strings.Contains(text, "Ada") {
			t.Errorf("reply %q does not address Ada", text)
		}
		if !strings.Contains(strings.ToLower(text), about[i]) {
			t.Errorf("reply %q does not take up %q of %q", text, about[i], comment)
		}
		if texts[text] {
			t.Errorf("reply %q given twice", text)
		}
		texts[text] = true
		in.Recent = append(in.Recent, text)
	}
	// The same comment again, with the last reply among the recent texts:
	// the reply is written anew.
	res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: "life/reply/The river looks frozen solid", Input: in})
	if err != nil {
		t.Fatal(err)
	}
	ans, _ := content.ReplyStep.Parse(in, res.JSON)
	if repeats(ans.Value.Text, in.Recent) {
		t.Errorf("reply %q repeats a recent text %q", ans.Value.Text, in.Recent)
	}
}

// A character answering one person again and again, on one post, never
// repeats what it wrote lately: the answer always passes the step's check.
func TestRepliesStayNewInALongThread(t *testing.T) {
	in := content.ReplyInput{
		Character: content.CharacterDetail{Username: "ilo", DisplayName: "Ilo Marsh", SpeakingStyle: "dry",
			Interests: []string{"Ferries", "Knots", "Tide tables", "Old maps"}},
		Post:    content.ThreadLine{Username: "ilo", DisplayName: "Ilo Marsh", Text: "Fog again."},
		Comment: content.ThreadLine{Username: "ada", DisplayName: "Ada Byron", Text: "Fog again?"},
	}
	for i := range 40 {
		key := "life/reply/m" + strconv.Itoa(i) + "/c1"
		res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: key, Input: in})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := content.ReplyStep.Parse(in, res.JSON)
		if err != nil {
			t.Fatalf("reply %d refused: %v\nrecent: %q", i, err, in.Recent)
		}
		in.Recent = append(in.Recent, ans.Value.Text)
		in.Recent = in.Recent[max(0, len(in.Recent)-10):]
	}
}

// A character posting of its own accord day after day never repeats its
// latest posts: each passes the post step's check.
func TestLifePostsStayNew(t *testing.T) {
	in := content.PostInput{
		World: content.WorldDescription{Name: "Saltmere", Language: "English", DescriptionShort: "A harbour town on stilts."},
		Character: content.CharacterDetail{Username: "ilo", DisplayName: "Ilo Marsh", SpeakingStyle: "dry", Topics: []string{"ferries"},
			DailyRoutine: "Mornings at the quay, evenings with the nets."},
		Concept: content.PostConcept{Topic: "ferries", Brief: "a moment of the day", Tone: "true to the character", Kind: "daily life"},
	}
	for i := range 40 {
		key := "life/2026-12-02/" + strconv.Itoa(i) + "/c1/detail"
		in.Number, in.Total, in.Hashtags = i, i+1, content.HashtagsFor(key)
		res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.PostStep.Name, Key: key, Input: in})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := content.PostStep.Parse(in, res.JSON)
		if err != nil {
			t.Fatalf("post %d refused: %v\nrecent: %q", i, err, in.Recent)
		}
		in.Recent = append([]string{ans.Value.Caption}, in.Recent...)[:min(5, len(in.Recent)+1)]
	}
	// Asked again for a post it has just written, it writes another.
	in.Recent = nil
	first := generate(t, content.PostStep, "life/again", in)
	in.Recent = []string{first.Caption}
	if again := generate(t, content.PostStep, "life/again", in); content.TooSimilar(again.Caption, first.Caption) {
		t.Errorf("asked not to repeat %q, it wrote %q", first.Caption, again.Caption)
	}
}

// replyIdeas are the worlds the fixture comments are written under: built
// by the offline generator, as a newcomer's would be.
var replyIdeas = []string{
	"A city of glass kilns built over ancient wells",
	"A floating archipelago of poets and fishermen",
	"A harbour town where sea turtles carry the mail",
	"A mountain village buried in snow for nine months a year",
	"A desert oasis at the crossroads of three caravan routes",
}

// commentFixture is one comment of testdata/comments.json. Its text and
// expectations may name the world's things by placeholder: {author} (the
// post's author, first name), {friend} (someone the author knows), {other}
// (another character), {@author} and {@other} (their handles), {place},
// {group}, {world}.
type commentFixture struct {
	Kind   string   `json:"kind"`
	Text   string   `json:"text"`
	Expect []string `json:"expect"` // what a reader looks for in the answer: one of them
	Upper  bool     `json:"upper"`  // shouted once the placeholders are filled
	Lang   string   `json:"lang"`   // the comment's language, when not English
}

func loadComments(t testing.TB) []commentFixture {
	t.Helper()
	data, err := os.ReadFile("testdata/comments.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []commentFixture
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// fill replaces a fixture's placeholders with the world's things.
func (w *world) fill(s string, author int) string {
	fl := flavorOf(w.desc)
	ch := w.chars[author]
	other := w.chars[(author+1)%len(w.chars)].DisplayName
	friend := other
	if len(ch.Relationships) > 0 {
		friend = ch.Relationships[0].Name
	}
	return strings.NewReplacer("{author}", firstName(ch.DisplayName), "{friend}", friend, "{other}", other,
		"{@author}", "@"+ch.Username, "{@other}", "@"+w.chars[(author+1)%len(w.chars)].Username,
		"{place}", strings.TrimPrefix(fl.places[0], "the "), "{group}", strings.TrimPrefix(fl.groups[0], "the "),
		"{world}", w.desc.Name).Replace(s)
}

// namesAny reports whether text names one of the things a reader looks
// for: a word in its singular or plural, a name in full or by its first
// word.
func namesAny(text string, things []string) bool {
	low := strings.ToLower(text)
	for _, th := range things {
		th = strings.ToLower(strings.TrimPrefix(th, "the "))
		if th == "" {
			continue
		}
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(th) + `(s|es)?\b`).MatchString(low) {
			return true
		}
		if f := strings.Fields(th); len(f) > 1 && len(f[0]) > 3 && regexp.MustCompile(`\b`+regexp.QuoteMeta(f[0])+`\b`).MatchString(low) {
			return true
		}
	}
	return false
}

// nonNouns are words a reader never finds after "the" or "a": pronouns,
// auxiliaries, verbs, adverbs and the small words of a sentence.
var nonNouns = makeSet(strings.Fields(`i me you he him she it we us they them my your his her its our their mine yours this that these those
is are was were be been being am do does did has have had can could will would should may might must shall
happens happened happen goes went gone makes made says said seems looks gets got comes came takes took knows knew thinks thought
already ever never always really very just still yet also too soon here there then now often again maybe perhaps almost
of and or but if so as at by for from in into on onto to with without about under over than when where why how what who whom which
not no yes anyone everyone someone nobody anything everything something nothing lol haha wow`))

// tornFragment returns what in text a reader would take for a torn
// fragment, or "": an article before a word that is not a noun, a sentence
// cut short, a slot left unfilled, a word twice.
func tornFragment(text string) string {
	// Go's \b knows only ASCII letters: the "a" that ends "Lucía" is no article.
	for _, m := range regexp.MustCompile(`(?i)(?:^|[^\p{L}'])((?:the|a|an)\s+([\p{L}']+))`).FindAllStringSubmatch(text, -1) {
		if nonNouns[strings.ToLower(m[2])] {
			return m[1]
		}
	}
	if m := regexp.MustCompile(`(^|[.!?] )Blame [a-z]+ [a-z]+`).FindString(text); m != "" {
		return m
	}
	for _, re := range slotTraces {
		if m := re.FindString(text); m != "" {
			return m
		}
	}
	if d := doubled(text); d != "" {
		return d
	}
	for _, s := range sentencesOf(text) {
		if cutSentence(s) {
			return s
		}
	}
	return ""
}

// stockReplies are the old offline sentences that answered nothing.
var stockReplies = []string{"I have a whole theory about", "Nobody has asked me that before", "You want the long version",
	"is half the reason I keep coming back to", "and some days it is just the", "Everyone asks about the", "was better last winter, if you ask me",
	"this place would be quieter, and duller", "you noticed the", "Funny you mention the", "it comes down to the", "Short answer", "? Blame "}

// replyWorld is a world of the fixtures with the threads written so far.
type replyWorld struct {
	*world
	threads map[int][]content.ThreadLine // by post
	recent  map[int][]string             // by character
}

// postOf returns the author and caption of a world's n-th post, taking
// the characters' posts in turn.
func (w *world) postOf(n int) (int, content.PostDetail) {
	a := n % len(w.chars)
	ps := w.posts[a]
	return a, ps[(n/len(w.chars))%len(ps)]
}

// TestRepliesAnswerWhatIsSaid writes the offline reply to every fixture
// comment, under posts of worlds built from a handful of ideas, and reads
// each as a newcomer would: it names the comment's topic or a thing the
// comment names, it holds no torn fragment, it is none of the old stock
// sentences, a link or an emoji gets a reaction, another language is
// owned up to. Comments under one post form a thread, so the replies must
// also differ from one another.
func TestRepliesAnswerWhatIsSaid(t *testing.T) {
	comments := loadComments(t)
	if len(comments) < 100 {
		t.Fatalf("%d fixture comments, want at least 100", len(comments))
	}
	var worlds []*replyWorld
	for _, idea := range replyIdeas {
		worlds = append(worlds, &replyWorld{world: simulate(t, idea, 6, 24), threads: map[int][]content.ThreadLine{}, recent: map[int][]string{}})
	}
	people := []content.ThreadLine{{Username: "theo", DisplayName: "Theo Brandt"}, {Username: "ada_b", DisplayName: "Ada Byron"},
		{Username: "noor", DisplayName: "Noor Haddad"}, {Username: "kim22", DisplayName: ""}}
	topical, named, torn, stock, refused, asks := 0, 0, 0, 0, 0, 0
	said := map[string]string{} // a thread's sentences, by world, post and sentence: no stock sentence twice in a thread
	for i, c := range comments {
		w := worlds[i%len(worlds)]
		n := (i / len(worlds)) % 4
		author, post := w.postOf(n)
		ch := w.chars[author]
		text := w.fill(c.Text, author)
		if c.Upper {
			text = strings.ToUpper(text)
		}
		var expect []string
		for _, e := range c.Expect {
			expect = append(expect, w.fill(e, author))
		}
		commenter := people[i%len(people)]
		commenter.Text = text
		var others []content.Handle
		for j, h := range w.handles {
			if j != author {
				others = append(others, h)
			}
		}
		in := content.ReplyInput{World: w.desc, Character: ch, Post: content.ThreadLine{Username: ch.Username, DisplayName: ch.DisplayName, Text: post.Caption},
			Thread: w.threads[n][max(0, len(w.threads[n])-10):], Comment: commenter, Recent: w.recent[author], Others: others}
		res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: fmt.Sprintf("reply/%d", i), Input: in})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := content.ReplyStep.Parse(in, res.JSON)
		if err != nil {
			refused++
			t.Errorf("%s %q: the reply is refused: %v", c.Kind, text, err)
			continue
		}
		reply := ans.Value.Text
		t.Logf("%s %q → %q", c.Kind, text, reply)
		w.threads[n] = append(w.threads[n], commenter, content.ThreadLine{Username: ch.Username, DisplayName: ch.DisplayName, Text: reply})
		w.recent[author] = append(w.recent[author], reply)
		if len(expect) > 0 {
			named++
			if namesAny(reply, expect) {
				topical++
			} else {
				t.Logf("misses %v: %s %q → %q", expect, c.Kind, text, reply)
			}
		}
		if f := tornFragment(reply); f != "" {
			torn++
			t.Errorf("%s %q → %q: torn fragment %q", c.Kind, text, reply, f)
		}
		sents := sentencesOf(reply)
		if len(sents) > 1 && strings.HasSuffix(strings.TrimRight(signature.ReplaceAllString(reply, ""), " "+string(emojiTail(reply))), "?") {
			asks++
		}
		for _, s := range sents {
			k := fmt.Sprintf("%d/%d/%s", i%len(worlds), n, s)
			if earlier, ok := said[k]; ok && len(strings.Fields(s)) > 3 {
				t.Errorf("%q said twice in one thread: %q and %q", s, earlier, reply)
			}
			said[k] = reply
		}
		for _, s := range stockReplies {
			if strings.Contains(reply, s) {
				stock++
				t.Errorf("%s %q → %q: the old stock sentence %q", c.Kind, text, reply, s)
				break
			}
		}
		switch {
		case c.Lang != "" && !strings.Contains(strings.ToLower(reply), strings.ToLower(c.Lang)) && !strings.Contains(strings.ToLower(reply), "english"):
			t.Errorf("%s %q → %q: does not own up to the language", c.Kind, text, reply)
		case c.Kind == "emoji only" && !hasEmoji(reply):
			t.Errorf("%s %q → %q: no emoji back", c.Kind, text, reply)
		case c.Kind == "link only" && !strings.Contains(strings.ToLower(reply), "link"):
			t.Errorf("%s %q → %q: no word about the link", c.Kind, text, reply)
		}
	}
	share := float64(topical) / float64(max(1, named))
	t.Logf("%d comments under %d worlds: %d of %d (%.0f%%) replies name the comment's topic or a thing it names; %d torn fragments; %d stock sentences; %d refused; %d ask back",
		len(comments), len(worlds), topical, named, 100*share, torn, stock, refused, asks)
	if share < 0.9 {
		t.Errorf("%.0f%% of the replies name what the comment is about, want at least 90%%", 100*share)
	}
}

// emojiTail returns the emoji and spaces that end s.
func emojiTail(s string) string {
	rs := []rune(s)
	i := len(rs)
	for i > 0 && (hasEmoji(string(rs[i-1])) || rs[i-1] == ' ' || rs[i-1] == 0xFE0F) {
		i--
	}
	return string(rs[i:])
}

// hasEmoji reports whether s holds a pictograph.
func hasEmoji(s string) bool {
	for _, r := range s {
		if r >= 0x2600 && (unicode.Is(unicode.So, r) || r >= 0x1F300) {
			return true
		}
	}
	return false
}

// TestCharactersAnswerEachOthersPosts has characters comment on one
// another's posts, as the world's life does (the comment answered is the
// post itself), and reads the comments as a newcomer would: each names the
// post's subject or a thing the post names, and none holds a torn
// fragment or an old stock sentence.
func TestCharactersAnswerEachOthersPosts(t *testing.T) {
	total, topical, torn, stock := 0, 0, 0, 0
	for wi, idea := range replyIdeas {
		w := simulate(t, idea, 6, 24)
		fl := flavorOf(w.desc)
		recent := map[int][]string{}
		for a, posts := range w.posts {
			for j, p := range posts {
				c := (a + 1 + j%(len(w.chars)-1)) % len(w.chars) // another character
				ch := w.chars[c]
				author := w.chars[a]
				line := content.ThreadLine{Username: author.Username, DisplayName: author.DisplayName, Text: p.Caption}
				var others []content.Handle
				for k, h := range w.handles {
					if k != c {
						others = append(others, h)
					}
				}
				in := content.ReplyInput{World: w.desc, Character: ch, Post: line, Comment: line, Recent: recent[c], Others: others}
				if rel, ok := ch.RelationshipWith(author.DisplayName); ok {
					in.Relationship = rel.Kind + ": " + rel.Description
				}
				key := fmt.Sprintf("life/%d/comment/%d/%d", wi, a, j)
				res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: key, Input: in})
				if err != nil {
					t.Fatal(err)
				}
				ans, err := content.ReplyStep.Parse(in, res.JSON)
				if err != nil {
					t.Errorf("%s: refused: %v", key, err)
					continue
				}
				reply := ans.Value.Text
				recent[c] = append(recent[c], reply)
				total++
				// What a reader finds the post about: its planned topic,
				// and the people, places and groups its caption names.
				expect := []string{headNoun(w.plans[a][j].Topic), author.DisplayName}
				for _, th := range append(append([]string{}, fl.places...), fl.groups...) {
					if strings.Contains(strings.ToLower(p.Caption), strings.ToLower(strings.TrimPrefix(th, "the "))) {
						expect = append(expect, th)
					}
				}
				for _, h := range w.handles {
					if strings.Contains(p.Caption, "@"+h.Username) {
						expect = append(expect, h.DisplayName)
					}
				}
				t.Logf("%q\n    → %q", p.Caption, reply)
				if namesAny(reply, expect[:1]) || namesAny(reply, expect[2:]) {
					topical++
				} else {
					t.Logf("misses %v", expect)
				}
				if f := tornFragment(reply); f != "" {
					torn++
					t.Errorf("%q → %q: torn fragment %q", p.Caption, reply, f)
				}
				for _, s := range stockReplies {
					if strings.Contains(reply, s) {
						stock++
						t.Errorf("%q → %q: the old stock sentence %q", p.Caption, reply, s)
						break
					}
				}
			}
		}
	}
	share := float64(topical) / float64(max(1, total))
	t.Logf("%d comments of characters on each other's posts: %d (%.0f%%) name the post's subject or a thing it names; %d torn fragments; %d stock sentences",
		total, topical, 100*share, torn, stock)
	if share < 0.9 {
		t.Errorf("%.0f%% of the characters' comments name what the post is about, want at least 90%%", 100*share)
	}
}

// TestRepliesAreDeterministic asks for one reply twice: the same request
// gives the same bytes; another key gives another reply.
func TestRepliesAreDeterministic(t *testing.T) {
	w := simulate(t, replyIdeas[0], 4, 8)
	ch := w.chars[0]
	in := content.ReplyInput{World: w.desc, Character: ch, Post: content.ThreadLine{Username: ch.Username, DisplayName: ch.DisplayName, Text: w.posts[0][0].Caption},
		Comment: content.ThreadLine{Username: "theo", DisplayName: "Theo Brandt", Text: "Where are the wells under the kilns?"}}
	ask := func(key string) string {
		res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: key, Input: in})
		if err != nil {
			t.Fatal(err)
		}
		return string(res.JSON)
	}
	first, again := ask("reply/1"), ask("reply/1")
	if first != again {
		t.Errorf("the same request gave %s, then %s", first, again)
	}
	others := map[string]bool{first: true}
	for i := range 6 {
		others[ask(fmt.Sprintf("reply/other/%d", i))] = true
	}
	if len(others) < 5 {
		t.Errorf("seven keys gave %d different replies, want at least 5", len(others))
	}
}

// TestRepliesKnowWhomTheyAnswer has a character answer a rival and a
// stranger the same comment: the rival hears the rivalry now and then, the
// stranger never does.
func TestRepliesKnowWhomTheyAnswer(t *testing.T) {
	w := simulate(t, replyIdeas[2], 4, 8)
	ch := w.chars[0]
	in := content.ReplyInput{World: w.desc, Character: ch, Post: content.ThreadLine{Username: ch.Username, DisplayName: ch.DisplayName, Text: w.posts[0][0].Caption},
		Comment: content.ThreadLine{Username: "ilo", DisplayName: "Ilo Marsh", Text: "Is the ferry running tomorrow?"}}
	rivalry := func() int {
		n := 0
		for i := range 20 {
			key := fmt.Sprintf("reply/tie/%d", i)
			res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: key, Input: in})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(res.JSON), "keeping score") || strings.Contains(string(res.JSON), "pleased with yourself") {
				n++
			}
		}
		return n
	}
	if n := rivalry(); n != 0 {
		t.Errorf("a stranger heard the rivalry %d times in 20", n)
	}
	in.Relationship = "rival: Ilo keeps score. So do I, and I'm ahead."
	if n := rivalry(); n < 4 {
		t.Errorf("a rival heard the rivalry %d times in 20, want at least 4", n)
	}
}

// TestReplySentencesAreComplete reads replies.json as the composer uses
// it: every question kind has sentences, and every sentence uses only the
// slots the composer fills.
func TestReplySentencesAreComplete(t *testing.T) {
	for _, ask := range []string{"yes/no", "where", "why", "how", "who", "when", "what", "vague", "doubt", "post"} {
		if len(sentences.Ask[ask]) == 0 {
			t.Errorf("no sentences answer a %q question", ask)
		}
	}
	slots := makeSet(strings.Fields("{n} {F} {Fc} {place} {Place} {friend} {group} {time} {world} {object} {activity} {festival} {lang} {emoji} {interest} {role} {is} {has} {it} {its} {short}"))
	all := [][]string{}
	for _, m := range []map[string][]string{sentences.Ask, sentences.Tie, sentences.Lines} {
		for _, ls := range m {
			all = append(all, ls)
		}
	}
	for _, ls := range all {
		for _, l := range ls {
			for _, slot := range regexp.MustCompile(`\{[^}]*\}`).FindAllString(l, -1) {
				if !slots[slot] {
					t.Errorf("%q: the composer fills no slot %s", l, slot)
				}
			}
		}
	}
}

// TestRepliesAnswerInEveryWorld writes the reply to every fixture comment
// in each of the quality test's worlds, from harbours to space stations,
// so that the reading holds beyond the five worlds of the fixtures.
func TestRepliesAnswerInEveryWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two thousand replies in 17 worlds")
	}
	comments := loadComments(t)
	total, named, topical, torn := 0, 0, 0, 0
	for wi, idea := range qualityPrompts {
		w := simulate(t, idea, 6, 24)
		for i, c := range comments {
			author, post := w.postOf(i % len(w.chars))
			ch := w.chars[author]
			text := w.fill(c.Text, author)
			if c.Upper {
				text = strings.ToUpper(text)
			}
			var expect []string
			for _, e := range c.Expect {
				expect = append(expect, w.fill(e, author))
			}
			in := content.ReplyInput{World: w.desc, Character: ch, Post: content.ThreadLine{Username: ch.Username, DisplayName: ch.DisplayName, Text: post.Caption},
				Comment: content.ThreadLine{Username: "theo", DisplayName: "Theo Brandt", Text: text}, Others: w.handles}
			res, err := NewText(0).GenerateJSON(context.Background(), generia.TextRequest{Step: content.ReplyStep.Name, Key: fmt.Sprintf("world/%d/%d", wi, i), Input: in})
			if err != nil {
				t.Fatal(err)
			}
			ans, err := content.ReplyStep.Parse(in, res.JSON)
			if err != nil {
				t.Fatalf("%q → refused: %v", text, err)
			}
			total++
			if len(expect) > 0 {
				named++
				if namesAny(ans.Value.Text, expect) {
					topical++
				} else {
					t.Logf("misses %v: %q → %q", expect, text, ans.Value.Text)
				}
			}
			if f := tornFragment(ans.Value.Text); f != "" {
				torn++
				t.Errorf("%q → %q: torn fragment %q", text, ans.Value.Text, f)
			}
		}
	}
	share := float64(topical) / float64(max(1, named))
	t.Logf("%d replies in %d worlds: %d of %d (%.1f%%) name the comment's topic or a thing it names; %d torn fragments",
		total, len(qualityPrompts), topical, named, 100*share, torn)
	if share < 0.9 {
		t.Errorf("%.1f%% of the replies name what the comment is about, want at least 90%%", 100*share)
	}
}

// TestRepliesRememberTheThread asks a character about something the world
// does not tell of, but an earlier comment of the thread did: the answer
// points back to whoever brought it up.
func TestRepliesRememberTheThread(t *testing.T) {
	w := simulate(t, replyIdeas[3], 4, 8)
	ch := w.chars[0]
	in := content.ReplyInput{World: w.desc, Character: ch, Post: content.ThreadLine{Username: ch.Username, DisplayName: ch.DisplayName, Text: w.posts[0][0].Caption},
		Thread:  []content.ThreadLine{{Username: "ada_b", DisplayName: "Ada Byron", Text: "The zeppelins were back over the pass this morning."}},
		Comment: content.ThreadLine{Username: "theo", DisplayName: "Theo Brandt", Text: "Where do the zeppelins land?"}}
	for i := range 5 {
		text := generate(t, content.ReplyStep, fmt.Sprintf("reply/thread/%d", i), in).Text
		if !strings.Contains(text, "Ada") {
			t.Errorf("%q: the answer does not point back to Ada, who brought the zeppelins up", text)
		}
	}
}
