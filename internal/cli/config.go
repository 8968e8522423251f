package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/secret"
)

// printConfig writes the effective configuration (`generia config`), one
// setting a line, secrets redacted: a secret setting shows only that it is
// set, a name (a model) shows as it is, scrubbed, and any other shows its
// URLs without their credentials.
func printConfig(w io.Writer, cfg *config.Config) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range cfg.Settings() {
		v := s.Value()
		if s.Secret && v != "" {
			v = "(set, redacted)"
		} else if s.Name {
			v = secret.Scrub(v)
		} else {
			v = secret.URL(v)
		}
		fmt.Fprintf(tw, "%s\t%s\n", s.Env, v)
	}
	tw.Flush()
}
