package content

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Profile decodes a character's stored profile (generia.Character.Profile).
// A character without one, as a person's, gives ok false; one that does
// not decode, an error.
func Profile(raw json.RawMessage) (d CharacterDetail, ok bool, err error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return CharacterDetail{}, false, nil
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return CharacterDetail{}, false, fmt.Errorf("a character's profile does not decode: %w", err)
	}
	return d, true, nil
}

// RelationshipWith returns the character's tie to the character of that
// display name, the names compared by NameKey, the one rule for every
// reader of relationships; ok is false when it has none.
func (d CharacterDetail) RelationshipWith(displayName string) (rel Relationship, ok bool) {
	key := NameKey(displayName)
	for _, r := range d.Relationships {
		if key != "" && NameKey(r.Name) == key {
			return r, true
		}
	}
	return Relationship{}, false
}
