package offline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/moderation"
)

// The offline writer and the offline checker are what every newcomer meets
// together: nothing the writer makes of the fixture ideas may be held by the
// word list, or a newcomer's own world would fill with held posts.
func TestOfflineTextPassesTheOfflineCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a world of 30 posts for every fixture idea")
	}
	mod := moderation.NewOffline()
	checked, flagged := 0, 0
	for _, idea := range loadIdeas(t) {
		w := simulate(t, idea.Prompt, 6, 30)
		texts := map[string]string{"name": w.desc.Name, "description": w.desc.Description, "short description": w.desc.DescriptionShort}
		for i, c := range w.chars {
			texts[fmt.Sprintf("bio %d", i)] = c.Bio
		}
		for b, batch := range w.posts {
			for i, p := range batch {
				texts[fmt.Sprintf("post %d.%d", b, i)] = p.Caption + " " + strings.Join(p.Hashtags, " ")
			}
		}
		for where, text := range texts {
			v, err := mod.CheckText(t.Context(), generia.TextCheck{Kind: generia.CheckPost, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if len(v.Flagged) > 0 {
				flagged++
				t.Errorf("%q: the offline check flags the %s (%v, %v): %q", idea.Prompt, where, v.Flagged, v.Terms, text)
			}
		}
	}
	t.Logf("%d offline texts checked, %d flagged", checked, flagged)
}
