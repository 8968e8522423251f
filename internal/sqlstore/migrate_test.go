package sqlstore

import (
	"testing"
	"testing/fstest"
)

// A migration is written once and read in each dialect's types; a name the
// types do not have stops it before it reaches the database.
func TestMigrationsRenderInTheDialectsTypes(t *testing.T) {
	files := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (id {{.ID}} PRIMARY KEY, at {{.Time}}{{if .Postgres}}, tags {{.Strings}}{{end}});")},
		"0002_b.sql": {Data: []byte("ALTER TABLE a ADD COLUMN b {{.Tim}};")},
	}
	pg := Migrations{Files: files, Types: Types{Postgres: true, ID: `TEXT COLLATE "C"`, Time: "TIMESTAMPTZ", Strings: "TEXT[]"}}
	lite := Migrations{Files: files, Types: Types{ID: "TEXT", Time: "INTEGER"}}
	for _, c := range []struct {
		m    Migrations
		want string
	}{
		{pg, `CREATE TABLE a (id TEXT COLLATE "C" PRIMARY KEY, at TIMESTAMPTZ, tags TEXT[]);`},
		{lite, `CREATE TABLE a (id TEXT PRIMARY KEY, at INTEGER);`},
	} {
		if got, err := c.m.Render("0001_a.sql"); err != nil || got != c.want {
			t.Errorf("Render = %q, %v; want %q", got, err, c.want)
		}
	}
	if got, err := lite.Render("0002_b.sql"); err == nil {
		t.Errorf("a misspelt type rendered as %q", got)
	}
	names, err := lite.Names()
	if err != nil || len(names) != 2 || names[0] != "0001_a.sql" {
		t.Errorf("Names = %v, %v", names, err)
	}
}
