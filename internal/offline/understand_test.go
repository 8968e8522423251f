package offline

import (
	"strings"
	"testing"

	"github.com/generia/generia/internal/content"
)

// TestUnderstandReadsAComment holds the reading of a comment to what a
// person means by it: its kind, what a question asks, its topic as a
// whole noun phrase, and the world's things it names.
func TestUnderstandReadsAComment(t *testing.T) {
	things := []thing{{name: "Mara Kell", kind: "character"}, {name: "the Lower Quay", kind: "place"},
		{name: "the Kiln Guild", kind: "group"}, {name: "Saltmere", kind: "world"}}
	cases := []struct {
		text, kind, ask, topic, named string
	}{
		{"Where are the wells under the kilns?", msgQuestion, "where", "the wells under the kilns", ""},
		{"Are the wells under the kilns safe to drink from?", msgQuestion, "yes/no", "the wells under the kilns", ""},
		{"Why do the kilns never go cold?", msgQuestion, "why", "the kilns", ""},
		{"Where do the zeppelins land?", msgQuestion, "where", "the zeppelins", ""},
		{"Where does the night ferry stop in winter?", msgQuestion, "where", "the night ferry", ""},
		{"Where is the bread market?", msgQuestion, "where", "the bread market", ""},
		{"How come the ferry is late?", msgQuestion, "why", "the ferry", ""},
		{"Who painted the mural by the well?", msgQuestion, "who", "the mural by the well", ""},
		{"When will the new bakery open?", msgQuestion, "when", "the new bakery", ""},
		{"What's the story with the wells under the kilns?", msgQuestion, "what", "the wells under the kilns", ""},
		{"Where can I buy bread that early in the morning?", msgQuestion, "where", "bread", ""},
		{"Have you ever been to the Lower Quay?", msgQuestion, "yes/no", "the Lower Quay", "the Lower Quay"},
		{"Did Mara really leave town?", msgQuestion, "yes/no", "Mara Kell", "Mara Kell"},
		{"WHO STOLE THE BELL FROM THE TOWER", msgQuestion, "who", "the bell from the tower", ""},
		{"The tea at the Lower Quay is overrated.", msgOpinion, "", "the tea at the Lower Quay", "the Lower Quay"},
		{"Just heard the east gate is closing for repairs.", msgNews, "", "the east gate", ""},
		{"Good morning, Mara!", msgGreeting, "", "Mara Kell", "Mara Kell"},
		{"Thanks for showing me the way to the market.", msgThanks, "", "the market", ""},
		{"That's not true, the bridge was built before the war.", msgDisagree, "", "the bridge", ""},
		{"Plot twist: Mara was the ghost all along lol", msgJoke, "", "Mara Kell", "Mara Kell"},
		{"https://example.com/kilns", msgLink, "", "", ""},
		{"🔥🔥🔥", msgEmoji, "", "", ""},
		{"Wow", msgPraise, "", "", ""},
		{"Wo sind die Brunnen unter den Öfen?", msgForeign, "where", "", ""},
		{"Où se trouvent les puits sous les fours ?", msgForeign, "where", "", ""},
		{"¿Quién es Mara?", msgForeign, "who", "", "Mara Kell"},
		{"Где колодцы под печами?", msgForeign, "what", "", ""},
		{"Me too, the lower quay at dawn is the best", msgOpinion, "", "the Lower Quay", "the Lower Quay"},
		{"Does Saltmere have a library?", msgQuestion, "yes/no", "a library", "Saltmere"},
		{"Following for more posts about the wells.", msgOther, "", "the wells", ""},
	}
	for _, c := range cases {
		m := understand(c.text, things)
		if m.kind != c.kind || m.ask != c.ask || m.topic.text != c.topic {
			t.Errorf("%q: read as %s %q about %q, want %s %q about %q", c.text, m.kind, m.ask, m.topic.text, c.kind, c.ask, c.topic)
		}
		if c.named != "" && (len(m.named) == 0 || m.named[0].name != c.named) {
			t.Errorf("%q: names %v, want %q first", c.text, m.named, c.named)
		}
		if m.topic.text != "" && tornAt(m.topic.text) != "" {
			t.Errorf("%q: the topic %q is torn", c.text, m.topic.text)
		}
	}
}

// TestUnderstandFlagsShoutingAndLength reads the manner of a comment:
// capitals, length, emoji.
func TestUnderstandFlagsShoutingAndLength(t *testing.T) {
	if m := understand("WHERE ARE THE WELLS UNDER THE KILNS???", nil); !m.shouted {
		t.Error("a comment in capitals is not read as shouted")
	}
	if m := understand("Where is the ferry?", nil); m.shouted {
		t.Error("a plain question is read as shouted")
	}
	long := strings.Repeat("The wells under the kilns are older than the town. ", 40) + "Is the bakery still open?"
	m := understand(long, nil)
	if !m.long || m.kind != msgQuestion || m.topic.head != "wells" {
		t.Errorf("a long comment that keeps coming back to the wells: long %v, %s about %q", m.long, m.kind, m.topic.text)
	}
	if m := understand("👏👏", nil); m.kind != msgEmoji || len(m.emoji) != 2 {
		t.Errorf("👏👏 read as %s with emoji %v", m.kind, m.emoji)
	}
}

// TestUnderstandNamesTheLanguage names the language of a comment in
// another language or script, and takes no English comment for one.
func TestUnderstandNamesTheLanguage(t *testing.T) {
	for text, lang := range map[string]string{"Wo sind die Brunnen?": "German", "Bonjour, c'est magnifique !": "French", "¡Qué bonito!": "Spanish",
		"Где колодцы?": "Russian", "井戸はどこですか？": "Japanese", "우물은 어디에 있나요?": "Korean", "Me too!": "", "La la la, what a day": "",
		"Is the bakery still open?": ""} {
		if got := understand(text, nil).lang; got != lang {
			t.Errorf("%q read as written in %q, want %q", text, got, lang)
		}
	}
}

// TestNamesWithAccentsAreReadWhole reads names written with letters
// beyond ASCII ("Lucía", "José", "Øresund") as whole words: the comment
// names the character, the lore tells of it, the thread brought it up,
// "an Élan" takes the article of its sound, and the "a" that ends "Lucía"
// is no article to a reader.
func TestNamesWithAccentsAreReadWhole(t *testing.T) {
	things := []thing{{name: "Lucía Delgado", kind: "character"}, {name: "José Ferrer", kind: "character"}, {name: "the Øresund Steps", kind: "place"}}
	cases := []struct{ text, ask, topic, named string }{
		{"When did you last see Lucía Delgado?", "when", "Lucía Delgado", "Lucía Delgado"},
		{"Is José back from the mill?", "yes/no", "José Ferrer", "José Ferrer"},
		{"Where are the Øresund Steps?", "where", "the Øresund Steps", "the Øresund Steps"},
	}
	for _, c := range cases {
		m := understand(c.text, things)
		if m.kind != msgQuestion || m.ask != c.ask || m.topic.text != c.topic {
			t.Errorf("%q: read as %s %q about %q, want a question %q about %q", c.text, m.kind, m.ask, m.topic.text, c.ask, c.topic)
		}
		if len(m.named) == 0 || m.named[0].name != c.named {
			t.Errorf("%q: names %v, want %q first", c.text, m.named, c.named)
		}
	}
	k := &knowledge{lore: []string{"Lucas keeps the ferry.", "José mends the nets before dawn.", "Nobody climbs the Øresund Steps at night."}, said: map[string]bool{}}
	for what, want := range map[string]string{"José": "José mends the nets before dawn.", "the Øresund Steps": "Nobody climbs the Øresund Steps at night.", "Luc": ""} {
		if got := k.fact(what); got != want {
			t.Errorf("the lore on %q: %q, want %q", what, got, want)
		}
	}
	k.in.Character.Username = "mara"
	k.in.Comment.Username = "theo"
	k.in.Thread = []content.ThreadLine{{Username: "ada_b", DisplayName: "Ada Byron", Text: "I saw José at the mill."}}
	if got := k.heard("José"); !strings.Contains(got, "Ada") {
		t.Errorf("the thread brought José up, but the answer does not point back to Ada: %q", got)
	}
	for phrase, want := range map[string]string{"Élan": "an", "Øresund ferry": "an", "úlcera": "an", "Ñandú": "a", "Łódź barge": "a", "owl": "an", "ferry": "a"} {
		if got := article(phrase); got != want {
			t.Errorf("%q %s, want %q", got, phrase, want)
		}
	}
	for text, want := range map[string]string{"I saw Lucía at the market around dusk.": "", "I know Lucía by sight.": "",
		"Lucía would know better.": "", "I saw the at market.": "the at", "Ask José a would.": "a would"} {
		if got := tornFragment(text); got != want {
			t.Errorf("%q: torn fragment %q, want %q", text, got, want)
		}
	}
}
