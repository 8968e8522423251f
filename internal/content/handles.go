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

var mention = regexp.MustCompile(`@([A-Za-z0-9_]+)`)

// Mentions keeps @mentions of the world's characters and turns any other
// @name into plain text, so a post never links to someone who does not
// exist.
func Mentions(caption string, chars []Handle) string {
	known := map[string]bool{}
	for _, c := range chars {
		known[strings.ToLower(c.Username)] = true
	}
	return mention.ReplaceAllStringFunc(caption, func(m string) string {
		if known[strings.ToLower(m[1:])] {
			return m
		}
		return m[1:]
	})
}
