package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/generia"
)

// runAccount runs the operator's account commands: for now, one account's
// ceilings.
func runAccount(ctx context.Context, args []string, cfg config.Config, env Env) error {
	if len(args) == 0 || args[0] != "ceilings" {
		fmt.Fprintln(env.Stderr, "usage: generia account ceilings USER [--daily-budget-usd X] [--daily-calls N] [--life-actions-per-hour X] [--life-daily-calls N] [--life-daily-budget-usd X] [--reset] [--json]")
		return errUsage
	}
	fs := newFlagSet("account ceilings", env)
	cfg.BindClient(fs)
	// The flags are the API's fields: only those given are sent, so that
	// the others stay as they are.
	fields := map[string]string{
		"daily-budget-usd":      "what the account's worlds may spend a day, generations and lives together (0: no ceiling)",
		"daily-calls":           "provider calls the account's worlds may make a day (0: no ceiling)",
		"life-actions-per-hour": "the most actions an hour the account may choose for a world's life (0: no ceiling)",
		"life-daily-calls":      "the most calls a day the account may choose for a world's life (0: no ceiling)",
		"life-daily-budget-usd": "the most the account may choose for a world's life to spend a day (0: no ceiling)",
	}
	values := map[string]*float64{}
	for name, help := range fields {
		values[name] = fs.Float64(name, 0, help)
	}
	reset := fs.Bool("reset", false, "return the account to the operator's settings first")
	asJSON := fs.Bool("json", false, "print the ceilings as JSON")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "usage: generia account ceilings USER [flags]   (USER is an account's username or ID)")
		return errUsage
	}
	change := map[string]any{}
	fs.Visit(func(f *flag.Flag) {
		if v, ok := values[f.Name]; ok {
			change[apiField(f.Name)] = *v
		}
	})
	if *reset {
		change["reset"] = true
	}
	c := apiclient.New(cfg.Server, token(cfg))
	var a apiclient.AccountCeilings
	if len(change) == 0 {
		a, err = c.AccountCeilings(ctx, pos[0])
	} else {
		a, err = c.SetAccountCeilings(ctx, pos[0], change)
	}
	if err != nil {
		return explain(err, cfg)
	}
	if *asJSON {
		return printJSON(env.Stdout, a)
	}
	printCeilings(env.Stdout, pos[0], a)
	return nil
}

// apiField is the API's name of a flag: life-daily-calls → life_daily_calls.
func apiField(flagName string) string {
	b := []byte(flagName)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

func printCeilings(w io.Writer, name string, a generia.AccountCeilings) {
	c := a.Ceilings
	whose := "the operator's settings"
	if a.Custom {
		whose = "set for this account"
	}
	fmt.Fprintf(w, "account %s (%s), ceilings %s:\n", name, a.UserID, whose)
	for _, line := range []struct {
		label, value string
	}{
		{"calls a day, all its worlds", orNone(float64(c.DailyCalls), "%.0f")},
		{"spending a day, all its worlds", orNone(c.DailyBudgetUSD, "$%.2f")},
		{"a world's life, actions an hour", orNone(c.LifeActionsPerHour, "%g")},
		{"a world's life, calls a day", orNone(float64(c.LifeDailyCalls), "%.0f")},
		{"a world's life, spending a day", orNone(c.LifeDailyBudgetUSD, "$%.2f")},
	} {
		fmt.Fprintf(w, "  %-32s %s\n", line.label+":", line.value)
	}
	fmt.Fprintf(w, "today (%s): %d calls, $%.4f\n", a.Today.Day, a.Today.Calls, a.Today.CostUSD)
}

// orNone formats a ceiling, 0 as none.
func orNone(v float64, format string) string {
	if v == 0 {
		return "no ceiling"
	}
	return fmt.Sprintf(format, v)
}
