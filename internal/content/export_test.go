package content

import (
	"bytes"
	"strings"
	"text/template"
)

// UnfencedReplyPrompt renders a reply prompt as it was before people's
// text was fenced (testdata/reply_unfenced.tmpl: the comment pasted into
// the prompt as it is), so that the injection suite can show it fails
// against it.
func UnfencedReplyPrompt(in ReplyInput) (string, error) {
	t, err := template.Must(templates.Clone()).ParseFiles("testdata/reply_unfenced.tmpl")
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "reply_unfenced.tmpl", in); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}
