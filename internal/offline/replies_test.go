package offline

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// TestRepliesAnswerTheComment holds the offline reply to what a person
// expects: valid for the step, addressed to the commenter, taking up a word
// of the comment, different from what the character wrote lately, and
// different for different comments.
func TestRepliesAnswerTheComment(t *testing.T) {
	in := content.ReplyInput{
		Character: content.CharacterDetail{Username: "mara_k", DisplayName: "Mara Kell", SpeakingStyle: "warm, plain",
			Interests: []string{"Lantern repair", "Night markets"}},
		Post:    content.ThreadLine{Username: "mara_k", DisplayName: "Mara Kell", Text: "The market opened on the ice today."},
		Comment: content.ThreadLine{Username: "ada", DisplayName: "Ada Byron", Text: "Where do the lanterns come from?"},
	}
	texts := map[string]bool{}
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
		if !strings.Contains(strings.ToLower(text), keyword(comment)) {
			t.Errorf("reply %q does not take up %q of %q", text, keyword(comment), comment)
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
