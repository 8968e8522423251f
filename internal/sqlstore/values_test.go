package sqlstore

import (
	"testing"

	"github.com/generia/generia/internal/generia"
)

func TestCursorFormat(t *testing.T) {
	// A cursor is base64url of a small JSON object, with the time in unix
	// microseconds: the cursors that clients hold stay valid across
	// versions and databases.
	c := cursor{List: listPosts, Time: 1741964966535897, ID: "p1"}
	s := encodeCursor(c)
	if s != "eyJsIjoicCIsInQiOjE3NDE5NjQ5NjY1MzU4OTcsImkiOiJwMSJ9" {
		t.Errorf("cursor = %q", s)
	}
	got, ok, err := decodeCursor(s, listPosts)
	if err != nil || !ok || got != c {
		t.Errorf("decodeCursor = %+v, %v, %v; want %+v", got, ok, err, c)
	}
	if _, _, err := decodeCursor(s, listWorlds); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("a posts cursor for worlds gave %v, want KindInvalid", err)
	}
}
