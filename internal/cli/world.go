package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/offline"
)

// runWorld runs the client commands.
func runWorld(ctx context.Context, args []string, cfg config.Config, env Env) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "usage: generia world create|status|list|show|cancel …")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("world "+sub, env)
	cfg.BindClient(fs)
	var (
		prompt, name        string
		characters, posts   int
		wait, asJSON, watch bool
		private             bool
	)
	switch sub {
	case "create":
		fs.StringVar(&prompt, "prompt", "", "the world, described in a sentence or two (required)")
		fs.StringVar(&name, "name", "", "the world's name (default: the generated one)")
		fs.IntVar(&characters, "characters", 3, "number of characters, 1–40")
		fs.IntVar(&posts, "posts", 10, "number of posts, 1–250")
		fs.BoolVar(&private, "private", false, "only you can see the world")
		fs.BoolVar(&wait, "wait", false, "follow the generation until it ends; exit non-zero unless it completes")
		fs.BoolVar(&asJSON, "json", false, "print the final status record as JSON")
	case "status":
		fs.BoolVar(&watch, "watch", false, "follow the generation until it ends")
		fs.BoolVar(&asJSON, "json", false, "print the status record as JSON")
	case "list", "show", "cancel":
	default:
		fmt.Fprintf(env.Stderr, "generia world: unknown command %q: use create, status, list, show or cancel\n", sub)
		return errUsage
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	c := apiclient.New(cfg.Server, token(cfg))
	needID := func() (string, error) {
		if len(pos) != 1 {
			fmt.Fprintf(env.Stderr, "usage: generia world %s ID   (a world ID or its workflow ID)\n", sub)
			return "", errUsage
		}
		return pos[0], nil
	}
	switch sub {
	case "create":
		if strings.TrimSpace(prompt) == "" {
			fmt.Fprintln(env.Stderr, "generia world create: --prompt is required, e.g. --prompt \"a city where dreams become objects that vanish at dawn\"")
			return errUsage
		}
		vis := ""
		if private {
			vis = "private"
		}
		w, err := c.CreateWorld(ctx, apiclient.NewWorld{Name: name, Prompt: prompt, CharactersCount: characters, PostsCount: posts, Visibility: vis})
		if err != nil {
			return explain(err, cfg)
		}
		if w.Providers.LLM == generia.OfflineProvider && offline.ProbablyNotEnglish(prompt) {
			fmt.Fprintln(env.Stderr, "note: "+offline.LanguageNotice)
		}
		if !wait {
			if asJSON {
				st, err := c.Status(ctx, w.ID)
				if err != nil {
					return explain(err, cfg)
				}
				return printJSON(env.Stdout, st)
			}
			fmt.Fprintf(env.Stdout, "world %s created; workflow %s\nfollow it: generia world status %s --watch\n", w.ID, w.WorkflowID, w.ID)
			return nil
		}
		if !asJSON {
			fmt.Fprintf(env.Stdout, "world %s created; workflow %s\n", w.ID, w.WorkflowID)
		}
		return follow(ctx, c, w.ID, asJSON, env)
	case "status":
		id, err := needID()
		if err != nil {
			return err
		}
		if watch {
			return follow(ctx, c, id, asJSON, env)
		}
		st, err := c.Status(ctx, id)
		if err != nil {
			return explain(err, cfg)
		}
		if asJSON {
			return printJSON(env.Stdout, st)
		}
		printStatus(env.Stdout, st)
		if st.Status == "completed" {
			l, err := c.Life(ctx, st.WorldID)
			if err != nil {
				return explain(err, cfg)
			}
			fmt.Fprintln(env.Stdout, lifeLine(l))
		}
		return nil
	case "cancel":
		id, err := needID()
		if err != nil {
			return err
		}
		st, err := c.Cancel(ctx, id)
		if err != nil {
			return explain(err, cfg)
		}
		fmt.Fprintf(env.Stdout, "cancel requested for world %s; no provider call or item follows\n", st.WorldID)
		return nil
	case "list":
		return listWorlds(ctx, c, cfg, env)
	case "show":
		id, err := needID()
		if err != nil {
			return err
		}
		return showWorld(ctx, c, id, cfg, env)
	}
	return nil
}

// token is the CLI's access token: --token / GENERIA_TOKEN, else the local
// operator token that `generia up` writes into the data dir.
func token(cfg config.Config) string {
	if cfg.Token != "" {
		return cfg.Token
	}
	b, err := os.ReadFile(filepath.Join(cfg.DataDir, app.OperatorTokenFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// explain adds what to do to common client errors.
func explain(err error, cfg config.Config) error {
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) && apiErr.Status == 401 {
		return fmt.Errorf("%s\nthe CLI needs a token: pass --data-dir of a running `generia up` (it writes %s there), or --token / GENERIA_TOKEN",
			apiErr.Message, app.OperatorTokenFile)
	}
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("%w\nis Generia running at %s? start it with `go run ./cmd/generia up`, or pass --server", err, cfg.Server)
	}
	return err
}

// follow watches a generation to its end: a live bar on a terminal, a line
// per change otherwise. It fails unless the world completes.
func follow(ctx context.Context, c *apiclient.Client, id string, asJSON bool, env Env) error {
	live := !asJSON && isTerminal(env.Stdout)
	var lastLine string
	st, err := c.Watch(ctx, id, func(st apiclient.Status) {
		if asJSON {
			return
		}
		if live {
			fmt.Fprintf(env.Stdout, "\r\033[K%s", progressBar(st))
			return
		}
		line := progressLine(st)
		if line != lastLine {
			fmt.Fprintln(env.Stdout, line)
			lastLine = line
		}
	})
	if live {
		fmt.Fprintln(env.Stdout)
	}
	if err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(env.Stdout, st); err != nil {
			return err
		}
	} else {
		printStatus(env.Stdout, st)
	}
	if st.Status != "completed" {
		return exitCode(1)
	}
	return nil
}

func progressLine(st apiclient.Status) string {
	return fmt.Sprintf("%-11s stage %-17s characters %d/%d  posts %d/%d  images %d/%d",
		st.Status, st.CurrentStage, st.CharactersCreated, st.CharactersPredicted, st.PostsCreated, st.PostsPredicted, st.ImagesCreated, st.ImagesPredicted)
}

func progressBar(st apiclient.Status) string {
	const width = 30
	done := st.ProgressPercent * width / 100
	return fmt.Sprintf("[%s%s] %3d%%  %-17s characters %d/%d  posts %d/%d  %.1fs",
		strings.Repeat("#", done), strings.Repeat(".", width-done), st.ProgressPercent, st.CurrentStage,
		st.CharactersCreated, st.CharactersPredicted, st.PostsCreated, st.PostsPredicted, st.ElapsedSeconds)
}

func printStatus(w io.Writer, st apiclient.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "World\t%s\n", st.WorldID)
	fmt.Fprintf(tw, "Workflow\t%s\n", st.WorkflowID)
	fmt.Fprintf(tw, "Status\t%s (%d%%)\n", st.Status, st.ProgressPercent)
	var stages []string
	for _, s := range st.Stages {
		stages = append(stages, s.Name+" "+stageMark(s.Status))
	}
	fmt.Fprintf(tw, "Stages\t%s\n", strings.Join(stages, "  "))
	fmt.Fprintf(tw, "Characters\t%d/%d\n", st.CharactersCreated, st.CharactersPredicted)
	fmt.Fprintf(tw, "Posts\t%d/%d\n", st.PostsCreated, st.PostsPredicted)
	fmt.Fprintf(tw, "Images\t%d/%d\n", st.ImagesCreated, st.ImagesPredicted)
	fmt.Fprintf(tw, "Calls\tLLM %d (limit %d), images %d (limit %d); failed and made again: LLM %d, images %d\n",
		st.CallsLLM, st.CallLimitLLM, st.CallsImages, st.CallLimitImages, st.CallsFailedLLM, st.CallsFailedImages)
	fmt.Fprintf(tw, "Cost\t$%.4f (providers: llm %s, images %s)\n", st.LLMCost+st.ImageCost, st.Providers.LLM, st.Providers.Image)
	fmt.Fprintf(tw, "Answers\t%d repaired, %d invalid ($%.4f paid for invalid answers)\n", st.AnswersRepaired, st.AnswersInvalid, st.AnswersInvalidCost)
	fmt.Fprintf(tw, "Elapsed\t%s\n", (time.Duration(st.ElapsedSeconds * float64(time.Second))).Round(100*time.Millisecond))
	if st.Error != "" {
		fmt.Fprintf(tw, "Error\t%s\n", st.Error)
	}
	tw.Flush()
}

// lifeLine says what a world's life is doing, as `world status` prints it.
func lifeLine(l apiclient.Life) string {
	line := fmt.Sprintf("Life        %s", l.State)
	if l.Day != "" {
		line += fmt.Sprintf(" — today (%s) %d actions, %d calls, $%.4f", l.Day, l.ActionsToday, l.CallsToday, l.CostTodayUSD)
	}
	if l.Settings.DailyCalls > 0 {
		line += fmt.Sprintf("; %g actions an hour, at most %d calls and $%.2f a day", l.Settings.ActionsPerHour, l.Settings.DailyCalls, l.Settings.DailyBudgetUSD)
	}
	return line
}

func stageMark(s string) string {
	switch s {
	case "completed":
		return "✓"
	case "in_progress":
		return "…"
	case "failed":
		return "✗"
	case "cancelled":
		return "⊘"
	}
	return "·"
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func listWorlds(ctx context.Context, c *apiclient.Client, cfg config.Config, env Env) error {
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tCHARACTERS\tPOSTS\tCREATED")
	cursor := ""
	for {
		worlds, next, err := c.Worlds(ctx, 100, cursor)
		if err != nil {
			return explain(err, cfg)
		}
		for _, w := range worlds {
			name := w.Name
			if name == "" {
				name = "(naming…)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", w.ID, name, w.Status, w.CharactersCount, w.PostsCount, w.CreatedAt.Local().Format("2006-01-02 15:04"))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return tw.Flush()
}

func showWorld(ctx context.Context, c *apiclient.Client, id string, cfg config.Config, env Env) error {
	w, err := c.World(ctx, id)
	if err != nil {
		return explain(err, cfg)
	}
	out := env.Stdout
	fmt.Fprintf(out, "%s\n%s\n\n", w.Name, strings.Repeat("=", max(len([]rune(w.Name)), 3)))
	if w.Description != "" {
		fmt.Fprintf(out, "%s\n\n", w.Description)
	}
	fmt.Fprintf(out, "Prompt: %s\n", w.Prompt)
	if st := w.Generation; st != nil {
		fmt.Fprintf(out, "Status: %s — %d/%d characters, %d/%d posts\n", st.Status, st.CharactersCreated, st.CharactersPredicted, st.PostsCreated, st.PostsPredicted)
		if st.Error != "" {
			fmt.Fprintf(out, "Error:  %s\n", st.Error)
		}
	}
	chars, err := apiclient.All(func(cursor string) ([]apiclient.Character, string, error) {
		return c.Characters(ctx, w.ID, 100, cursor)
	})
	if err != nil {
		return explain(err, cfg)
	}
	posts, err := apiclient.All(func(cursor string) ([]apiclient.Post, string, error) {
		return c.Posts(ctx, w.ID, 100, cursor)
	})
	if err != nil {
		return explain(err, cfg)
	}
	fmt.Fprintln(out, "\nCharacters")
	for _, ch := range chars {
		fmt.Fprintf(out, "  %s (@%s)\n    %s\n", ch.DisplayName, ch.Username, ch.Bio)
	}
	fmt.Fprintln(out, "\nFeed")
	for _, p := range posts {
		tags := ""
		for _, t := range p.Hashtags {
			tags += " #" + t
		}
		fmt.Fprintf(out, "  %s · %s\n    %s\n    %s\n", p.DisplayName, p.CreatedAt.Format("Jan 2 15:04"), p.Caption, strings.TrimSpace(tags))
	}
	return nil
}
