package fakeprovider

import (
	"encoding/json"
	"strings"
)

// Faults of a sloppy model: the answer arrives (status 200, paid for) but is
// not quite what was asked, as real models answer on a busy day even under
// a JSON schema. A fake applies them through OpenRouterOptions.Sloppy.
const (
	// FaultTooFew and FaultTooMany: the list the request pins (minItems =
	// maxItems) holds one or two items too few (but at least one), or too
	// many.
	FaultTooFew  Fault = "too-few"
	FaultTooMany Fault = "too-many"
	// FaultFence: the document inside a Markdown fence.
	FaultFence Fault = "fence"
	// FaultPrefix: a sentence before the document.
	FaultPrefix Fault = "prefix"
	// FaultTrailer: a sentence after the document.
	FaultTrailer Fault = "trailer"
	// FaultDuplicateNames: two items of a list share a name.
	FaultDuplicateNames Fault = "duplicate-names"
	// FaultOverlong: a text longer than its maxLength.
	FaultOverlong Fault = "overlong"
	// FaultMissingField: a field that may be empty is left out.
	FaultMissingField Fault = "missing-field"
	// FaultEnumCase: a value of a closed list in another case.
	FaultEnumCase Fault = "enum-case"
	// FaultEmpty: no content at all.
	FaultEmpty Fault = "empty"
	// FaultRefusal: no content, and a refusal.
	FaultRefusal Fault = "refusal"
)

// SloppyFaults are all the faults of a sloppy model, for Faults.SetRate.
var SloppyFaults = []Fault{FaultTooFew, FaultTooMany, FaultFence, FaultPrefix, FaultTrailer, FaultDuplicateNames,
	FaultOverlong, FaultMissingField, FaultEnumCase, FaultEmpty, FaultRefusal}

// sloppy is a document made sloppy: its content, the refusal if the model
// refused, and the fault it was made with (a fault that does not apply to
// the document, such as a wrong count of a document without a pinned list,
// becomes a fence).
type sloppy struct {
	content, refusal string
	fault            Fault
}

// makeSloppy spoils doc, a document valid against schema, with fault. n
// varies how (which item, how many).
func makeSloppy(doc string, schema map[string]any, prompt string, fault Fault, n uint64) sloppy {
	switch fault {
	case FaultEmpty:
		return sloppy{fault: fault}
	case FaultRefusal:
		return sloppy{refusal: "I'm sorry, but I can't help with that request.", fault: fault}
	case FaultPrefix:
		return sloppy{content: "Sure! Here is the JSON you asked for:\n\n" + doc, fault: fault}
	case FaultTrailer:
		return sloppy{content: doc + "\n\nI hope this helps! Let me know if you want any changes.", fault: fault}
	case FaultFence:
		return sloppy{content: "```json\n" + doc + "\n```", fault: fault}
	}
	var v map[string]any
	if schema == nil || json.Unmarshal([]byte(doc), &v) != nil {
		return makeSloppy(doc, schema, prompt, FaultFence, n)
	}
	props, _ := schema["properties"].(map[string]any)
	applied := false
	switch fault {
	case FaultTooFew, FaultTooMany:
		applied = wrongCount(v, props, prompt, fault == FaultTooFew, n)
	case FaultDuplicateNames:
		applied = duplicateNames(v)
	case FaultOverlong:
		applied = overlong(v, props, n)
	case FaultMissingField:
		applied = missingField(v, props, n)
	case FaultEnumCase:
		applied = enumCase(v, props)
	}
	if !applied {
		return makeSloppy(doc, schema, prompt, FaultFence, n)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return makeSloppy(doc, schema, prompt, FaultFence, n)
	}
	return sloppy{content: string(b), fault: fault}
}

// wrongCount makes the root list whose count the request pins one or two
// items shorter (never below one), or longer.
func wrongCount(v map[string]any, props map[string]any, prompt string, fewer bool, n uint64) bool {
	for _, k := range jfPropertyOrder(map[string]any{"properties": props}) {
		ps, _ := props[k].(map[string]any)
		lo, okLo := jfInt(ps, "minItems")
		hi, okHi := jfInt(ps, "maxItems")
		list, isList := v[k].([]any)
		if !okLo || !okHi || lo != hi || !isList || len(list) == 0 {
			continue
		}
		delta := 1 + int(n%2)
		if fewer {
			if len(list) == 1 {
				return false
			}
			v[k] = list[:max(1, len(list)-delta)]
			return true
		}
		items, _ := ps["items"].(map[string]any)
		for i := range delta { // more
			extra, err := FakeJSON(items, prompt, n+uint64(i)+1)
			var item any
			if err != nil || json.Unmarshal(extra, &item) != nil {
				item = list[len(list)-1]
			}
			list = append(list, item)
		}
		v[k] = list
		return true
	}
	return false
}

// duplicateNames gives the second item of a list of named objects the first
// one's name.
func duplicateNames(v map[string]any) bool {
	for _, k := range sortedAnyKeys(v) {
		list, _ := v[k].([]any)
		if len(list) < 2 {
			continue
		}
		first, ok1 := list[0].(map[string]any)
		second, ok2 := list[1].(map[string]any)
		if !ok1 || !ok2 {
			continue
		}
		for _, field := range []string{"name", "username", "display_name"} {
			if name, ok := first[field].(string); ok && name != "" {
				if _, has := second[field]; has {
					second[field] = name
					return true
				}
			}
		}
	}
	return false
}

// overlong makes a bounded text of the root longer than its bound.
func overlong(v map[string]any, props map[string]any, n uint64) bool {
	keys := jfPropertyOrder(map[string]any{"properties": props})
	for i := range keys {
		k := keys[(uint64(i)+n)%uint64(len(keys))]
		ps, _ := props[k].(map[string]any)
		limit, ok := jfInt(ps, "maxLength")
		s, isString := v[k].(string)
		if !ok || !isString || s == "" {
			continue
		}
		for len([]rune(s)) <= limit+10 {
			s += " And there is more to say about it, much more than anyone asked for."
		}
		v[k] = s
		return true
	}
	return false
}

// missingField leaves out a field of the root that may be empty.
func missingField(v map[string]any, props map[string]any, n uint64) bool {
	var optional []string
	for _, k := range jfPropertyOrder(map[string]any{"properties": props}) {
		ps, _ := props[k].(map[string]any)
		if _, min := jfInt(ps, "minLength"); min {
			continue
		}
		if _, min := jfInt(ps, "minItems"); min {
			continue
		}
		optional = append(optional, k)
	}
	if len(optional) == 0 {
		return false
	}
	delete(v, optional[n%uint64(len(optional))])
	return true
}

// enumCase upper-cases a value of a closed list: a text of the root, or of
// an item of one of its lists.
func enumCase(v map[string]any, props map[string]any) bool {
	for _, k := range jfPropertyOrder(map[string]any{"properties": props}) {
		ps, _ := props[k].(map[string]any)
		switch val := v[k].(type) {
		case string:
			if _, closed := ps["enum"]; closed && strings.ToUpper(val) != val {
				v[k] = strings.ToUpper(val)
				return true
			}
		case []any:
			items, _ := ps["items"].(map[string]any)
			if _, closed := items["enum"]; closed {
				for i, e := range val {
					if s, ok := e.(string); ok && strings.ToUpper(s) != s {
						val[i] = strings.ToUpper(s)
						return true
					}
				}
			}
			itemProps, _ := items["properties"].(map[string]any)
			for _, e := range val {
				if obj, ok := e.(map[string]any); ok && enumCase(obj, itemProps) {
					return true
				}
			}
		}
	}
	return false
}

func sortedAnyKeys(m map[string]any) []string {
	return jfPropertyOrder(map[string]any{"properties": m})
}
