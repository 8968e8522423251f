package content

import (
	"encoding/json"
	"testing"
)

func TestProfileDecodesOnceForEveryReader(t *testing.T) {
	for _, raw := range []json.RawMessage{nil, json.RawMessage(" null "), json.RawMessage("")} {
		if _, ok, err := Profile(raw); ok || err != nil {
			t.Errorf("Profile(%q) = ok %v, %v; want no profile, no error", raw, ok, err)
		}
	}
	if _, ok, err := Profile(json.RawMessage(`{"relationships": 3}`)); ok || err == nil {
		t.Errorf("a profile that does not decode gives ok %v, %v; want an error", ok, err)
	}
	d, ok, err := Profile(json.RawMessage(`{"display_name": "Mara Kell", "relationships": [{"name": " oren  Vale ", "kind": "rival"}, {"name": "", "kind": "ghost"}]}`))
	if !ok || err != nil || d.DisplayName != "Mara Kell" {
		t.Fatalf("Profile = %+v, %v, %v", d, ok, err)
	}
	// A relationship names its character as the cast does, in any case
	// and spacing.
	for name, want := range map[string]bool{"Oren Vale": true, "OREN VALE": true, "oren vale ": true, "Oren": false, "": false} {
		rel, ok := d.RelationshipWith(name)
		if ok != want || ok && rel.Kind != "rival" {
			t.Errorf("RelationshipWith(%q) = %+v, %v; want %v", name, rel, ok, want)
		}
	}
}
