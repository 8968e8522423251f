package content

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Repairs a model's answer may need before it is used. Each is recorded on
// the ledger row of the call whose answer needed it, so an operator sees how
// sloppy a model is.
const (
	// RepairUnfenced: the JSON document was taken out of a Markdown fence or
	// from between sentences.
	RepairUnfenced = "unfenced"
	// RepairTrimmed: a list held more items than asked; the surplus was
	// dropped.
	RepairTrimmed = "trimmed"
	// RepairToppedUp: a list held fewer items than asked; the missing ones
	// were asked for alone.
	RepairToppedUp = "topped_up"
	// RepairRenamed: a name repeated one already in the cast and was made
	// unique.
	RepairRenamed = "renamed"
	// RepairFallbackModel: the answer came from a fallback model after the
	// primary model's answers were invalid.
	RepairFallbackModel = "fallback_model"
	// RepairSplit: a batch whose answers stayed invalid was asked for in
	// smaller parts.
	RepairSplit = "split"
	// RepairShortened: a text was longer than its bound and was cut at a
	// word.
	RepairShortened = "shortened"
	// RepairRecased: a closed value (a name from a given list) came in
	// another case.
	RepairRecased = "recased"
	// RepairFilled: a field the answer left out, or sent as null, was filled
	// with its empty value.
	RepairFilled = "filled"
	// RepairDropped: an unknown field, or a list item that named something
	// that does not exist, was dropped.
	RepairDropped = "dropped"
	// RepairNormalised: handles or hashtags were brought to their form.
	RepairNormalised = "normalised"
)

// Repairs lists the repairs one answer needed, each once, in the order they
// were first made.
type Repairs []string

func (r *Repairs) add(repair string) {
	if !slices.Contains(*r, repair) {
		*r = append(*r, repair)
	}
}

// Merge adds the repairs of other that r lacks.
func (r *Repairs) Merge(other ...string) {
	for _, o := range other {
		r.add(o)
	}
}

var fenceRe = regexp.MustCompile("(?s)```[a-zA-Z]*[ \t]*\n?(.*?)```")

// extractJSON returns the one JSON document in a model's answer: the answer
// itself, or the document inside a Markdown fence, or the first balanced
// object among other text. ok is false when there is none.
func extractJSON(raw []byte, rep *Repairs) ([]byte, bool) {
	raw = bytes.TrimSpace(bytes.TrimPrefix(raw, []byte("\ufeff")))
	if json.Valid(raw) {
		return raw, true
	}
	var candidates [][]byte
	for _, m := range fenceRe.FindAllSubmatch(raw, -1) {
		candidates = append(candidates, bytes.TrimSpace(m[1]))
	}
	if obj := firstObject(raw); obj != nil {
		candidates = append(candidates, obj)
	}
	for _, c := range candidates {
		if json.Valid(c) {
			rep.add(RepairUnfenced)
			return c, true
		}
	}
	return nil, false
}

// firstObject returns the first balanced {...} in s, minding strings and
// escapes, or nil.
func firstObject(s []byte) []byte {
	start := bytes.IndexByte(s, '{')
	for start >= 0 {
		depth, inString, escaped := 0, false, false
		for i := start; i < len(s); i++ {
			c := s[i]
			switch {
			case escaped:
				escaped = false
			case inString && c == '\\':
				escaped = true
			case c == '"':
				inString = !inString
			case inString:
			case c == '{':
				depth++
			case c == '}':
				depth--
				if depth == 0 {
					if json.Valid(s[start : i+1]) {
						return s[start : i+1]
					}
					i = len(s) // not a document: try the next '{'
				}
			}
		}
		next := bytes.IndexByte(s[start+1:], '{')
		if next < 0 {
			return nil
		}
		start += 1 + next
	}
	return nil
}

// conform brings a decoded answer as close to its schema as repairs can
// without inventing content: unknown fields are dropped, missing or null
// ones filled with their empty value, over-long texts cut at a word, closed
// values recased, lists trimmed to their maximum, and list items that
// cannot be valid (a name outside its list, an empty required text)
// dropped. ok is false when v itself cannot be valid; the caller's
// validation then says why.
func conform(s map[string]any, v any, rep *Repairs) (any, bool) {
	switch schemaType(s) {
	case "object":
		obj, isObj := v.(map[string]any)
		if !isObj {
			return v, false
		}
		props, _ := s["properties"].(map[string]any)
		for k := range obj {
			if _, known := props[k]; !known {
				delete(obj, k)
				rep.add(RepairDropped)
			}
		}
		ok := true
		for _, k := range sortedKeys(props) {
			ps, _ := props[k].(map[string]any)
			val, present := obj[k]
			if !present || val == nil {
				val = emptyOf(ps)
				rep.add(RepairFilled)
			}
			val, propOK := conform(ps, val, rep)
			obj[k] = val
			ok = ok && propOK
		}
		return obj, ok
	case "array":
		list, isList := v.([]any)
		if !isList {
			return v, false
		}
		items, _ := s["items"].(map[string]any)
		kept := list[:0]
		for _, e := range list {
			e, ok := conform(items, e, rep)
			if !ok {
				rep.add(RepairDropped)
				continue
			}
			kept = append(kept, e)
		}
		if n, has := intOf(s, "maxItems"); has && len(kept) > n {
			kept = kept[:n]
			rep.add(RepairTrimmed)
		}
		return kept, true
	case "string":
		str, isString := v.(string)
		if !isString {
			return v, false
		}
		if enum, has := s["enum"].([]any); has {
			for _, e := range enum {
				if e == str {
					return str, true
				}
			}
			for _, e := range enum {
				if es, _ := e.(string); strings.EqualFold(strings.TrimSpace(es), strings.TrimSpace(str)) {
					rep.add(RepairRecased)
					return es, true
				}
			}
			return str, false
		}
		if n, has := intOf(s, "maxLength"); has && utf8.RuneCountInString(str) > n {
			str = cutAtWord(str, n)
			rep.add(RepairShortened)
		}
		if n, has := intOf(s, "minLength"); has && utf8.RuneCountInString(strings.TrimSpace(str)) < n {
			return str, false
		}
		return str, true
	}
	return v, true
}

// emptyOf is the empty value of a schema's type.
func emptyOf(s map[string]any) any {
	switch schemaType(s) {
	case "object":
		return map[string]any{}
	case "array":
		return []any{}
	case "string":
		return ""
	case "boolean":
		return false
	case "integer", "number":
		return 0
	}
	return nil
}

func schemaType(s map[string]any) string {
	t, _ := s["type"].(string)
	return t
}

func intOf(s map[string]any, key string) (int, bool) {
	switch n := s[key].(type) {
	case int:
		return n, true
	case float64:
		return int(n), true
	}
	return 0, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// cutAtWord shortens s to at most n runes, at the end of a sentence or a
// word when one is near, without trailing punctuation that reads cut.
func cutAtWord(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	cut := string(runes[:n])
	if i := strings.LastIndexAny(cut, ".!?"); i >= n*2/3 {
		return cut[:i+1]
	}
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); i >= n/2 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' || r == '-' })
}
