package content

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/generia/generia/internal/generia"
)

var nonHandle = regexp.MustCompile(`[^a-z0-9_]+`)

// Username makes a valid handle (generia.ValidHandle) from what the LLM
// proposed.
func Username(proposed, displayName string, position int) string {
	u := nonHandle.ReplaceAllString(strings.ToLower(proposed), "")
	if len(u) < generia.MinHandle {
		u = nonHandle.ReplaceAllString(strings.ToLower(strings.ReplaceAll(displayName, " ", "_")), "")
	}
	if len(u) < generia.MinHandle {
		u = fmt.Sprintf("character_%d", position+1)
	}
	return TrimTo(u, generia.MaxHandle)
}

// TrimTo cuts an ASCII handle to n bytes.
func TrimTo(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Mentions keeps @mentions (generia.FindMentions) of the world's
// characters and turns any other into plain text, so a post never links to
// someone who does not exist.
func Mentions(caption string, chars []Handle) string {
	known := map[string]bool{}
	for _, c := range chars {
		known[strings.ToLower(c.Username)] = true
	}
	var b strings.Builder
	last := 0
	for _, m := range generia.FindMentions(caption) {
		if !known[strings.ToLower(m.Word)] {
			b.WriteString(caption[last:m.Start])
			last = m.Start + 1 // drop the @
		}
	}
	b.WriteString(caption[last:])
	return b.String()
}
