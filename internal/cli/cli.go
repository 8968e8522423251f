// Package cli is the generia command: server roles (up, api, worker,
// temporal) and the client commands (world …).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/config"
)

// Env is what a command runs with.
type Env struct {
	Stdout, Stderr io.Writer
	// StartTemporal starts the embedded Temporal server; nil in builds
	// without it.
	StartTemporal app.StartTemporal
}

const usage = `generia: AI-generated social worlds on Temporal.

Usage: generia <command> [flags]

Server roles:
  up        everything in one process: embedded Temporal (+ Web UI), API, workers, SQLite, media on disk
  api       the HTTP API only, against TEMPORAL_ADDRESS
  worker    workers for some task queues (--queues main,llm,images,progress,services)
  temporal  the embedded Temporal server alone, for a local multi-process setup
  migrate   create or update the store's schema and exit

Client:
  world create --prompt TEXT --characters N --posts M [--name NAME] [--wait] [--json]
  world status ID [--watch] [--json]     ID is a world ID or its workflow ID
  world list
  world show ID
  world cancel ID

Operator (the operator token):
  account ceilings USER [--daily-budget-usd X] [--daily-calls N] [--life-actions-per-hour X]
                        [--life-daily-calls N] [--life-daily-budget-usd X] [--reset] [--json]
            read, raise or lower one account's ceilings over the GENERIA_LIFE_MAX_* and
            GENERIA_ACCOUNT_DAILY_* settings (no flag: read them)
  admin grant USER ROLE   give an account a role: moderator, admin (the operator only) or none

Moderators (a moderator's or admin's token, or the operator token):
  admin cases [--status open|resolved] [--limit N] [--json]
            the moderation queue: reported and held content, with what it said
  admin audit [--subject TYPE/ID] [--actor ID] [--limit N] [--json]
            the audit log, newest first: reports, holds, actions, appeals, role grants

Other:
  bench     generate worlds on the embedded stack and report time, activities/s, memory
  fake-providers  fake OpenRouter, Runware and moderation servers (real wire formats) for demos and benchmarks
  config    print the effective configuration, secrets redacted
  version   print the version

Run 'generia <command> -h' for the flags of a command. Every flag also has an
environment variable; a .env file in the working directory is read.
`

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(env.Stderr, "generia:", err)
		return 2
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up", "api", "worker", "temporal", "migrate":
		err = runServer(ctx, cmd, rest, cfg, env)
	case "world":
		err = runWorld(ctx, rest, cfg, env)
	case "account":
		err = runAccount(ctx, rest, cfg, env)
	case "admin":
		err = runAdmin(ctx, rest, cfg, env)
	case "bench":
		err = runBench(ctx, rest, cfg, env)
	case "fake-providers":
		err = runFakes(ctx, rest, cfg, env)
	case "config":
		fs := newFlagSet("config", env)
		cfg.BindServer(fs)
		if _, err = parse(fs, rest); err == nil {
			printConfig(env.Stdout, &cfg)
		}
	case "version":
		fmt.Fprintln(env.Stdout, "generia", version())
	default:
		fmt.Fprintf(env.Stderr, "generia: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var exit exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return int(exit)
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(env.Stderr, "generia:", err)
		return 1
	}
}

// exitCode ends a command with a code after it printed its own message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

var errUsage = errors.New("usage")

// parse parses flags that may come before or after positional arguments
// ("world status ID --json") and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("generia "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + info.GoVersion
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
