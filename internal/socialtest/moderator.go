package socialtest

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/generia/generia/internal/generia"
)

// Words is a moderator for the HTTP surfaces' tests: it flags a text that
// holds one of its words with that word's category, and on a bad day
// (Down) answers every check with an outage, as a moderation service that
// times out does.
type Words struct {
	Flags map[string]generia.Category
	Down  atomic.Bool
}

// Name labels the backend.
func (w *Words) Name() string { return "words" }

// CheckText flags the categories of the words the text holds, in any case.
func (w *Words) CheckText(_ context.Context, c generia.TextCheck) (generia.Verdict, error) {
	if w.Down.Load() {
		return generia.Verdict{}, generia.Errorf(generia.KindUnavailable, "the moderation service did not answer in time")
	}
	v := generia.Verdict{Checker: w.Name()}
	text := strings.ToLower(c.Text)
	for word, cat := range w.Flags {
		if strings.Contains(text, strings.ToLower(word)) {
			v.Flagged = append(v.Flagged, cat)
			v.Terms = append(v.Terms, word)
		}
	}
	return v, nil
}

// CheckImage passes every image (a backend that cannot judge images), or
// fails on a bad day.
func (w *Words) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	if w.Down.Load() {
		return generia.Verdict{}, generia.Errorf(generia.KindUnavailable, "the moderation service did not answer in time")
	}
	return generia.Verdict{Checker: w.Name()}, nil
}
