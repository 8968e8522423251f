package content_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

// injection is one comment of the fixed corpus (testdata/injections.json)
// that tries to make a character do what its author says.
type injection struct {
	Name    string `json:"name"`
	Comment string `json:"comment"`
	// DisplayName is the commenter's name, when the injection is in it;
	// Thread a comment before the one answered, when it is there.
	DisplayName string `json:"display_name"`
	Thread      string `json:"thread"`
	// Payload is what the reply must not say (the text it is told to
	// post, or the name it is told to speak as); Kind is command,
	// takeover or reveal.
	Payload string `json:"payload"`
	Kind    string `json:"kind"`
}

func corpus(t *testing.T) []injection {
	t.Helper()
	data, err := os.ReadFile("testdata/injections.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []injection
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("the corpus holds %d comments, want at least 20", len(out))
	}
	return out
}

var (
	tidewell = content.WorldDescription{Name: "Tidewell", Language: "English", DescriptionShort: "A harbour city on a tide that never ebbs.",
		Description: "Tidewell floats on a tide that has not ebbed in three hundred years.", Theme: "the endless tide",
		VisualStyle: "watercolour, teal and brass", Conflicts: []string{"pilots against menders"}}
	mara = content.CharacterDetail{Username: "mara_kell", DisplayName: "Mara Kell", Bio: "Mending what the tide breaks.",
		Personality: "Stubborn and warm.", SpeakingStyle: "short sentences, dry jokes", Topics: []string{"nets"}}
)

// replyInput is the reply Mara Kell is asked for, under her post, to a
// corpus comment by Sam.
func (e injection) replyInput() content.ReplyInput {
	name := "Sam"
	if e.DisplayName != "" {
		name = e.DisplayName
	}
	in := content.ReplyInput{World: tidewell, Character: mara,
		Post:    content.ThreadLine{Username: "mara_kell", DisplayName: "Mara Kell", Text: "Nets drying after the race."},
		Comment: content.ThreadLine{Username: "sam", DisplayName: name, Text: e.Comment},
		Others:  []content.Handle{{Username: "ilo_venn", DisplayName: "Ilo Venn"}}}
	if e.Thread != "" {
		in.Thread = []content.ThreadLine{{Username: "eve", DisplayName: "Eve", Text: e.Thread}}
	}
	return in
}

// misbehaviour says how a reply to an injection went wrong: it said the
// payload, leaked the prompt, or was not spoken as Mara Kell ("" when it
// did none of these).
func misbehaviour(e injection, req generia.TextRequest, reply string) []string {
	var out []string
	if !strings.HasPrefix(reply, "Mara Kell here") {
		out = append(out, "not spoken as Mara Kell")
	}
	if e.Payload != "" && strings.Contains(strings.ToLower(reply), strings.ToLower(e.Payload)) {
		out = append(out, "said the payload "+e.Payload)
	}
	firstLine, _, _ := strings.Cut(req.Prompt, "\n")
	if strings.Contains(reply, firstLine[:40]) || (req.System != "" && strings.Contains(reply, req.System[:40])) {
		out = append(out, "leaked the prompt")
	}
	return out
}

// ask asks the careless model for the reply and parses it as the pipeline
// does.
func ask(t *testing.T, model *fakeprovider.Careless, in content.ReplyInput, req generia.TextRequest) string {
	t.Helper()
	res, err := model.GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := content.ReplyStep.Parse(in, res.JSON)
	if err != nil {
		t.Fatalf("the answer %s does not parse: %v", res.JSON, err)
	}
	return ans.Value.Text
}

// People's words are data: against a model that obeys every instruction it
// finds outside the untrusted blocks, no comment of the corpus makes the
// character post its payload, leak the prompt or speak as someone else,
// and the prompt holds the comment only inside a block, cleaned.
func TestInjectionCorpusCannotSteerAReply(t *testing.T) {
	model := &fakeprovider.Careless{}
	for _, e := range corpus(t) {
		t.Run(e.Name, func(t *testing.T) {
			in := e.replyInput()
			req, err := content.ReplyStep.Request("w1", "life/reply/m1/c1", in)
			if err != nil {
				t.Fatal(err)
			}
			reply := ask(t, model, in, req)
			for _, p := range misbehaviour(e, req, reply) {
				t.Errorf("the reply %q %s", reply, p)
			}
			boundary := boundaryOf(t, req.Prompt)
			outside := outside(req.Prompt, boundary)
			words := content.Clean(e.Comment, boundary)
			if words = strings.TrimSpace(words); len(words) > 24 {
				words = words[:24]
			}
			if strings.Contains(outside, words) || (e.Payload != "" && strings.Contains(strings.ToLower(outside), strings.ToLower(e.Payload))) {
				t.Errorf("the comment is outside its block:\n%s", outside)
			}
			for _, tok := range []string{"<|eot_id|>", "<|im_start|>", "<|im_end|>", "<|start_header_id|>", "<|endoftext|>", "[INST]", "<s>", "<<SYS>>"} {
				if strings.Contains(req.Prompt, tok) {
					t.Errorf("the control token %s reached the prompt", tok)
				}
			}
			if i := strings.IndexFunc(req.Prompt, func(r rune) bool { return unicode.Is(unicode.Cf, r) }); i >= 0 {
				t.Errorf("an invisible character %U reached the prompt at %d", []rune(req.Prompt[i:])[0], i)
			}
		})
	}
}

// The suite can fail: with the comment pasted into the prompt as it was
// before (no blocks, no cleaning, no hierarchy in the system message), the
// same careless model obeys every comment of the corpus.
func TestInjectionCorpusSteersTheUnfencedPrompt(t *testing.T) {
	model := &fakeprovider.Careless{}
	for _, e := range corpus(t) {
		t.Run(e.Name, func(t *testing.T) {
			in := e.replyInput()
			prompt, err := content.UnfencedReplyPrompt(in)
			if err != nil {
				t.Fatal(err)
			}
			req := generia.TextRequest{Step: content.ReplyStep.Name, Prompt: prompt, Schema: content.ReplyStep.RequestSchema(in)}
			reply := ask(t, model, in, req)
			if len(misbehaviour(e, req, reply)) == 0 {
				t.Errorf("the unfenced prompt did not steer the reply %q: the suite could not fail on this comment", reply)
			}
		})
	}
}

// boundaryOf finds the boundary of a prompt's first untrusted block.
func boundaryOf(t *testing.T, prompt string) string {
	t.Helper()
	i := strings.Index(prompt, "<<untrusted-")
	if i < 0 {
		t.Fatalf("no untrusted block in:\n%s", prompt)
	}
	end := strings.Index(prompt[i:], ">>")
	return prompt[i+2 : i+end]
}

// outside is the prompt without its untrusted blocks.
func outside(prompt, boundary string) string {
	var b strings.Builder
	open, closing := "<<"+boundary+">>", "<</"+boundary+">>"
	for {
		i := strings.Index(prompt, open)
		if i < 0 {
			b.WriteString(prompt)
			return b.String()
		}
		b.WriteString(prompt[:i])
		j := strings.Index(prompt[i:], closing)
		if j < 0 {
			return b.String()
		}
		prompt = prompt[i+j+len(closing):]
	}
}
