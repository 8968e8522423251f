package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/config"
)

const adminUsage = `usage:
  generia admin grant USER ROLE                  ROLE is moderator, admin or none
  generia admin cases [--status open|resolved] [--limit N] [--json]
  generia admin audit [--subject TYPE/ID] [--actor ID] [--limit N] [--json]`

// runAdmin runs the moderators' and the operator's commands: roles, the
// moderation queue and the audit log, through the API.
func runAdmin(ctx context.Context, args []string, cfg config.Config, env Env) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, adminUsage)
		return errUsage
	}
	switch args[0] {
	case "grant":
		return adminGrant(ctx, args[1:], cfg, env)
	case "cases":
		return adminCases(ctx, args[1:], cfg, env)
	case "audit":
		return adminAudit(ctx, args[1:], cfg, env)
	}
	fmt.Fprintf(env.Stderr, "generia admin: unknown command %q\n%s\n", args[0], adminUsage)
	return errUsage
}

func adminGrant(ctx context.Context, args []string, cfg config.Config, env Env) error {
	fs := newFlagSet("admin grant", env)
	cfg.BindClient(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[1] != "moderator" && pos[1] != "admin" && pos[1] != "none") {
		fmt.Fprintln(env.Stderr, "usage: generia admin grant USER ROLE   (USER is an account's username or ID; ROLE is moderator, admin or none)")
		return errUsage
	}
	u, err := apiclient.New(cfg.Server, token(cfg)).GrantRole(ctx, pos[0], pos[1])
	if err != nil {
		return explain(err, cfg)
	}
	if u.Role == "" {
		fmt.Fprintf(env.Stdout, "%s (%s) has no role now\n", u.Username, u.ID)
	} else {
		fmt.Fprintf(env.Stdout, "%s (%s) is now %s\n", u.Username, u.ID, article(u.Role))
	}
	return nil
}

func article(role string) string {
	if strings.HasPrefix(role, "a") {
		return "an " + role
	}
	return "a " + role
}

// pageSize is the page the admin commands ask for; --limit may take more
// pages.
const pageSize = 100

// fetchUpTo reads pages until it has limit items or the list ends; more
// says whether items were left.
func fetchUpTo[T any](limit int, fetch func(n int, cursor string) ([]T, string, error)) (items []T, more bool, err error) {
	for cursor := ""; len(items) < limit; {
		got, next, err := fetch(min(pageSize, limit-len(items)), cursor)
		if err != nil {
			return nil, false, err
		}
		items = append(items, got...)
		if next == "" {
			return items, false, nil
		}
		cursor = next
	}
	return items, true, nil
}

func adminCases(ctx context.Context, args []string, cfg config.Config, env Env) error {
	fs := newFlagSet("admin cases", env)
	cfg.BindClient(fs)
	status := fs.String("status", "", "only open or only resolved cases (both without it)")
	limit := fs.Int("limit", 50, "at most this many cases")
	asJSON := fs.Bool("json", false, "print the cases as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *limit < 1 || (*status != "" && *status != "open" && *status != "resolved") {
		fmt.Fprintln(env.Stderr, adminUsage)
		return errUsage
	}
	c := apiclient.New(cfg.Server, token(cfg))
	cases, more, err := fetchUpTo(*limit, func(n int, cursor string) ([]apiclient.Case, string, error) {
		return c.Cases(ctx, *status, n, cursor)
	})
	if err != nil {
		return explain(err, cfg)
	}
	if *asJSON {
		return printJSON(env.Stdout, cases)
	}
	if len(cases) == 0 {
		fmt.Fprintln(env.Stdout, "no cases")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tSTATUS\tSUBJECT\tSOURCE\tREPORTS\tSCORE\tOPENED\tCONTENT")
	for _, k := range cases {
		status := k.Status
		if k.Resolution != "" {
			status += " (" + k.Resolution + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.1f\t%s\t%s\n", k.ID, status, k.Subject.String(), k.Source, k.Reports, k.Score,
			k.CreatedAt.Local().Format("2006-01-02 15:04"), excerpt(k.Snapshot.Text, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreNote(env.Stdout, more, "cases")
	return nil
}

func adminAudit(ctx context.Context, args []string, cfg config.Config, env Env) error {
	fs := newFlagSet("admin audit", env)
	cfg.BindClient(fs)
	subject := fs.String("subject", "", "only one subject's entries, as TYPE/ID (post/…, comment/…, character/…, world/…, user/…)")
	actor := fs.String("actor", "", "only one actor's entries: an account's ID, operator or system")
	limit := fs.Int("limit", 50, "at most this many entries")
	asJSON := fs.Bool("json", false, "print the entries as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := apiclient.AuditQuery{Actor: *actor}
	if *subject != "" {
		var ok bool
		if q.SubjectType, q.SubjectID, ok = strings.Cut(*subject, "/"); !ok || q.SubjectType == "" || q.SubjectID == "" {
			fmt.Fprintln(env.Stderr, "generia admin audit: --subject is TYPE/ID, such as post/3f2a…")
			return errUsage
		}
	}
	if len(pos) != 0 || *limit < 1 {
		fmt.Fprintln(env.Stderr, adminUsage)
		return errUsage
	}
	c := apiclient.New(cfg.Server, token(cfg))
	entries, more, err := fetchUpTo(*limit, func(n int, cursor string) ([]apiclient.AuditEntry, string, error) {
		return c.Audit(ctx, q, n, cursor)
	})
	if err != nil {
		return explain(err, cfg)
	}
	if *asJSON {
		return printJSON(env.Stdout, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintln(env.Stdout, "the audit log has no such entries")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tACTOR\tVERB\tSUBJECT\tCASE\tREASON")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.CreatedAt.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Verb,
			e.Subject.String(), orDash(e.CaseID), excerpt(e.Reason, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	moreNote(env.Stdout, more, "entries")
	return nil
}

func moreNote(w io.Writer, more bool, what string) {
	if more {
		fmt.Fprintf(w, "(more %s: raise --limit)\n", what)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// excerpt is text on one line, cut to n characters.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n-1]) + "…"
}
