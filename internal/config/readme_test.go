package config

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's configuration table from Settings")

const readme = "../../README.md"

// TestREADMEListsEverySetting holds the README's configuration table to
// Settings: the same variables in the same order, each with its flag,
// default and meaning.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	first, end := configTable(t, lines)
	var want []string
	for _, s := range new(Config).Settings() {
		want = append(want, markdownRow(s))
	}
	got := lines[first:end]
	if slices.Equal(got, want) {
		return
	}
	if *update {
		out := slices.Concat(lines[:first], want, lines[end:])
		if err := os.WriteFile(readme, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the configuration table of %s", readme)
		return
	}
	t.Errorf("the README's configuration table does not match Settings (go test ./internal/config -run README -update rewrites it):\n%s",
		tableDiff(got, want))
}

// configTable finds the rows of the table under "## Configuration": from
// the line after its header's separator to the first line that is no row.
func configTable(t *testing.T, lines []string) (first, end int) {
	t.Helper()
	section := slices.Index(lines, "## Configuration")
	if section < 0 {
		t.Fatalf("%s has no \"## Configuration\" section", readme)
	}
	for i := section + 1; i < len(lines) && !strings.HasPrefix(lines[i], "## "); i++ {
		if strings.HasPrefix(lines[i], "|---") {
			first = i + 1
			break
		}
	}
	if first == 0 {
		t.Fatalf("the configuration section of %s has no table", readme)
	}
	for end = first; end < len(lines) && strings.HasPrefix(lines[end], "|"); end++ {
	}
	return first, end
}

// markdownRow is a setting's row of the README: variable, flag, default
// and meaning.
func markdownRow(s Setting) string {
	cells := []string{"`" + s.Env + "`", "", readmeDefault(s), s.Help}
	if s.Flag != "" {
		cells[1] = "`" + s.Flag + "`"
	}
	row := "|"
	for _, c := range cells {
		if c != "" {
			row += " " + c
		}
		row += " |"
	}
	return row
}

func readmeDefault(s Setting) string {
	switch {
	case s.Default != "" && s.Unset != "":
		return "`" + s.Default + "` (" + s.Unset + ")"
	case s.Default != "":
		return "`" + s.Default + "`"
	case s.Unset != "":
		return s.Unset
	}
	return "none"
}

// tableDiff says, per variable, how the README's rows differ from the
// wanted ones.
func tableDiff(got, want []string) string {
	name := func(row string) string {
		cells := strings.Split(row, "|")
		if len(cells) < 2 {
			return row
		}
		return strings.Trim(strings.TrimSpace(cells[1]), "`")
	}
	byName := func(rows []string) map[string]string {
		m := map[string]string{}
		for _, r := range rows {
			m[name(r)] = r
		}
		return m
	}
	gotBy, wantBy := byName(got), byName(want)
	var b strings.Builder
	for _, w := range want {
		n := name(w)
		g, ok := gotBy[n]
		switch {
		case !ok:
			fmt.Fprintf(&b, "missing %s:\n  want %s\n", n, w)
		case g != w:
			fmt.Fprintf(&b, "%s differs:\n  README   %s\n  Settings %s\n", n, g, w)
		}
	}
	for _, g := range got {
		if _, ok := wantBy[name(g)]; !ok {
			fmt.Fprintf(&b, "%s is in the README but is no setting:\n  %s\n", name(g), g)
		}
	}
	if b.Len() == 0 {
		var order []string
		for _, w := range want {
			order = append(order, name(w))
		}
		fmt.Fprintf(&b, "the rows are in another order; Settings' order is %s\n", strings.Join(order, ", "))
	}
	return b.String()
}
