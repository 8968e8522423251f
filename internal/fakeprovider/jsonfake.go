package fakeprovider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// FakeJSON returns a JSON document that is valid against schema, a JSON
// schema decoded into a map, the way a model with structured output would
// answer prompt. Every property of every object is present; strings are
// short readable phrases built from prompt's words and a counter, never
// empty; numbers are in range; arrays have 2 to 4 items. It understands one
// thing of the prompt: when it says "exactly N", the root object's first
// array property (in the order of "required", then by name) gets exactly N
// items. Properties named "hashtags" hold single words without '#', ones
// named "username" hold lowercase latin handles, and lists that must name
// other characters ("mentions", "relationships", "connections") are empty,
// since a fake cannot know who exists, unless the schema closes their names
// to a list (enum). The same seed gives the same document.
//
// Supported keywords: type (also a list), properties, required, items,
// prefixItems, enum, const, anyOf, oneOf, allOf, local $ref, minItems,
// maxItems, uniqueItems, minLength, maxLength, format, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum and multipleOf. A pattern is honoured
// only when one of a few kinds of candidate string happens to match it.
func FakeJSON(schema map[string]any, prompt string, seed uint64) ([]byte, error) {
	f := newJSONFaker(schema, prompt, seed)
	v, err := f.value(schema, "", 0, true)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// jfMaxDepth bounds recursive schemas.
const jfMaxDepth = 24

// jfReferenceLists are array properties whose items must name other things
// of the world; the fake leaves them empty rather than invent names.
var jfReferenceLists = map[string]bool{"mentions": true, "relationships": true, "connections": true}

var jfExactlyRe = regexp.MustCompile(`exactly (\d+)`)

type jsonFaker struct {
	root    map[string]any
	rng     *rand.Rand
	words   []string // readable words of the prompt
	latin   []string // words of a-z only, for handles
	n       int      // counter that makes phrases unique
	tag     int      // next word for a hashtag
	exactly int      // items of the root's first array, or -1
}

func newJSONFaker(root map[string]any, prompt string, seed uint64) *jsonFaker {
	f := &jsonFaker{root: root, rng: rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc909)), exactly: -1}
	f.words, f.latin = jfPromptWords(prompt)
	f.n = 100 + f.rng.IntN(900)
	f.tag = f.rng.IntN(len(f.words))
	if m := jfExactlyRe.FindStringSubmatch(prompt); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n <= 1000 {
			f.exactly = n
		}
	}
	return f
}

// value generates an instance of s; name is the property the value is
// for (or the array property its item belongs to), depth counts the
// schemas entered so far and root says whether s describes the document.
func (f *jsonFaker) value(s map[string]any, name string, depth int, root bool) (any, error) {
	if depth > jfMaxDepth {
		return nil, fmt.Errorf("schema nests deeper than %d levels", jfMaxDepth)
	}
	s, err := f.deref(s)
	if err != nil {
		return nil, err
	}
	if c, ok := s["const"]; ok {
		return c, nil
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[f.rng.IntN(len(enum))], nil
	}
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		merged, err := f.mergeAllOf(s, all)
		if err != nil {
			return nil, err
		}
		return f.value(merged, name, depth+1, root)
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		alts, ok := s[key].([]any)
		if !ok || len(alts) == 0 {
			continue
		}
		// Prefer an alternative that is not null: an answer with content
		// exercises more of the caller.
		var firstErr error
		for _, a := range alts {
			as, ok := a.(map[string]any)
			if !ok || jfTypeOf(as) == "null" {
				continue
			}
			v, err := f.value(as, name, depth+1, root)
			if err == nil {
				return v, nil
			}
			firstErr = jfFirstErr(firstErr, err)
		}
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, nil
	}
	switch jfTypeOf(s) {
	case "object":
		return f.object(s, depth, root)
	case "array":
		return f.array(s, name, depth, root)
	case "integer":
		return f.integer(s), nil
	case "number":
		return f.number(s), nil
	case "boolean":
		return f.rng.IntN(2) == 0, nil
	case "null":
		return nil, nil
	default:
		return f.str(s, name), nil
	}
}

func jfFirstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// jfTypeOf is the type to generate for s: its type, the first that is not
// null of a list of types, or one inferred from its keywords.
func jfTypeOf(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, e := range t {
			if e, ok := e.(string); ok && e != "null" {
				return e
			}
		}
		if len(t) > 0 {
			return "null"
		}
	}
	switch {
	case s["properties"] != nil:
		return "object"
	case s["items"] != nil || s["prefixItems"] != nil:
		return "array"
	}
	return "string"
}

// deref follows local $refs ("#", "#/$defs/x", "#/definitions/x").
func (f *jsonFaker) deref(s map[string]any) (map[string]any, error) {
	for range jfMaxDepth {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s, nil
		}
		if ref != "#" && !strings.HasPrefix(ref, "#/") {
			return nil, fmt.Errorf("$ref %q: only local references are supported", ref)
		}
		var cur any = f.root
		for _, tok := range strings.Split(strings.TrimPrefix(ref, "#"), "/")[1:] {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("$ref %q does not resolve", ref)
			}
			if cur, ok = m[tok]; !ok {
				return nil, fmt.Errorf("$ref %q does not resolve", ref)
			}
		}
		if s, ok = cur.(map[string]any); !ok {
			return nil, fmt.Errorf("$ref %q is not a schema", ref)
		}
	}
	return nil, fmt.Errorf("$ref chain longer than %d", jfMaxDepth)
}

// mergeAllOf folds the subschemas of allOf into one: properties and
// required are united, other keywords keep their first value.
func (f *jsonFaker) mergeAllOf(s map[string]any, all []any) (map[string]any, error) {
	merged := make(map[string]any, len(s))
	props := map[string]any{}
	var required []any
	add := func(sub map[string]any) {
		for k, v := range sub {
			switch k {
			case "properties":
				if m, ok := v.(map[string]any); ok {
					for pk, pv := range m {
						props[pk] = pv
					}
				}
			case "required":
				if r, ok := v.([]any); ok {
					for _, e := range r {
						if !slices.Contains(required, e) {
							required = append(required, e)
						}
					}
				}
			case "allOf":
			default:
				if _, ok := merged[k]; !ok {
					merged[k] = v
				}
			}
		}
	}
	add(s)
	for _, a := range all {
		sub, ok := a.(map[string]any)
		if !ok {
			continue
		}
		sub, err := f.deref(sub)
		if err != nil {
			return nil, err
		}
		add(sub)
	}
	if len(props) > 0 {
		merged["properties"] = props
	}
	if len(required) > 0 {
		merged["required"] = required
	}
	return merged, nil
}

// jfPropertyOrder lists s's properties the way a model writes them: those in
// "required" in its order (the order of the Go struct for generated
// schemas), then the rest by name.
func jfPropertyOrder(s map[string]any) []string {
	props, _ := s["properties"].(map[string]any)
	var order []string
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if r, ok := r.(string); ok && props[r] != nil && !slices.Contains(order, r) {
				order = append(order, r)
			}
		}
	}
	var rest []string
	for k := range props {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(order, rest...)
}

func (f *jsonFaker) object(s map[string]any, depth int, root bool) (any, error) {
	props, _ := s["properties"].(map[string]any)
	order := jfPropertyOrder(s)
	counted := -1 // the property that gets exactly N items
	if root && f.exactly >= 0 {
		for i, k := range order {
			ps, ok := props[k].(map[string]any)
			if !ok {
				continue
			}
			if ps, err := f.deref(ps); err == nil && jfTypeOf(ps) == "array" {
				counted = i
				break
			}
		}
	}
	obj := make(jfObject, 0, len(order))
	for i, k := range order {
		ps, ok := props[k].(map[string]any)
		if !ok {
			if props[k] == false {
				continue // a property that must not appear
			}
			ps = map[string]any{}
		}
		var v any
		var err error
		if i == counted {
			v, err = f.arrayOf(ps, k, depth+1, f.exactly)
		} else {
			v, err = f.value(ps, k, depth+1, false)
		}
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", k, err)
		}
		obj = append(obj, jfField{k, v})
	}
	return obj, nil
}

func (f *jsonFaker) array(s map[string]any, name string, depth int, root bool) (any, error) {
	n := 2 + f.rng.IntN(3)
	if root && f.exactly >= 0 {
		n = f.exactly
	}
	if jfReferenceLists[strings.ToLower(name)] && !jfClosed(s) {
		n = 0
	}
	return f.arrayOf(s, name, depth, n)
}

// jfClosed reports whether a list's items are, or name, values of a closed
// list (an enum): then the fake knows which names exist.
func jfClosed(s map[string]any) bool {
	items, _ := s["items"].(map[string]any)
	if _, ok := items["enum"]; ok {
		return true
	}
	props, _ := items["properties"].(map[string]any)
	for _, p := range props {
		if ps, ok := p.(map[string]any); ok && ps["enum"] != nil {
			return true
		}
	}
	return false
}

// arrayOf generates an array of n items, or as close to n as minItems and
// maxItems allow.
func (f *jsonFaker) arrayOf(s map[string]any, name string, depth, n int) (any, error) {
	s, err := f.deref(s)
	if err != nil {
		return nil, err
	}
	if lo, ok := jfInt(s, "minItems"); ok {
		n = max(n, lo)
	}
	if hi, ok := jfInt(s, "maxItems"); ok {
		n = min(n, hi)
	}
	prefix, _ := s["prefixItems"].([]any)
	items, _ := s["items"].(map[string]any)
	if items == nil {
		if s["items"] == false {
			n = min(n, len(prefix))
		}
		items = map[string]any{}
	}
	unique, _ := s["uniqueItems"].(bool)
	out := make([]any, 0, n)
	seen := map[string]bool{}
	for i := range n {
		is := items
		if i < len(prefix) {
			if p, ok := prefix[i].(map[string]any); ok {
				is = p
			}
		}
		var v any
		for attempt := 0; ; attempt++ {
			if v, err = f.value(is, name, depth+1, false); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			if !unique {
				break
			}
			key, _ := json.Marshal(v)
			if !seen[string(key)] || attempt >= 20 {
				seen[string(key)] = true
				break
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func jfInt(s map[string]any, key string) (int, bool) {
	v, ok := s[key].(float64)
	if !ok {
		return 0, false
	}
	return int(v), true
}

func jfFloat(s map[string]any, key string) (float64, bool) {
	v, ok := s[key].(float64)
	return v, ok
}

// jfBounds returns the inclusive range of a number schema and whether each
// end is exclusive; without bounds the range is 1 to 100.
func jfBounds(s map[string]any) (lo, hi float64, loEx, hiEx bool) {
	lo, hasLo := jfFloat(s, "minimum")
	hi, hasHi := jfFloat(s, "maximum")
	if v, ok := jfFloat(s, "exclusiveMinimum"); ok && (!hasLo || v >= lo) {
		lo, hasLo, loEx = v, true, true
	} else if b, _ := s["exclusiveMinimum"].(bool); b && hasLo {
		loEx = true // draft 4
	}
	if v, ok := jfFloat(s, "exclusiveMaximum"); ok && (!hasHi || v <= hi) {
		hi, hasHi, hiEx = v, true, true
	} else if b, _ := s["exclusiveMaximum"].(bool); b && hasHi {
		hiEx = true
	}
	switch {
	case !hasLo && !hasHi:
		lo, hi = 1, 100
	case !hasLo:
		lo = hi - 100
	case !hasHi:
		hi = lo + 100
	}
	return lo, hi, loEx, hiEx
}

func (f *jsonFaker) integer(s map[string]any) int64 {
	lo, hi, loEx, hiEx := jfBounds(s)
	ilo, ihi := int64(math.Ceil(lo)), int64(math.Floor(hi))
	if loEx && float64(ilo) == lo {
		ilo++
	}
	if hiEx && float64(ihi) == hi {
		ihi--
	}
	if ihi < ilo {
		return ilo
	}
	if m, ok := jfFloat(s, "multipleOf"); ok && m >= 1 && m == math.Trunc(m) {
		step := int64(m)
		first := (ilo + step - 1) / step
		if ilo < 0 {
			first = ilo / step
		}
		last := ihi / step
		if ihi < 0 && ihi%step != 0 {
			last--
		}
		if last >= first {
			return (first + f.rng.Int64N(last-first+1)) * step
		}
	}
	return ilo + f.rng.Int64N(ihi-ilo+1)
}

func (f *jsonFaker) number(s map[string]any) float64 {
	lo, hi, loEx, hiEx := jfBounds(s)
	if hi < lo {
		return lo
	}
	inRange := func(v float64) bool {
		return (v > lo || !loEx && v == lo) && (v < hi || !hiEx && v == hi)
	}
	v := lo + f.rng.Float64()*(hi-lo)
	if r := math.Round(v*100) / 100; inRange(r) {
		return r
	}
	if inRange(v) {
		return v
	}
	return (lo + hi) / 2
}

// str generates a string: a formatted value, a handle, a hashtag word or a
// phrase, fitted to minLength and maxLength and, if it can, to pattern.
func (f *jsonFaker) str(s map[string]any, name string) string {
	key := strings.ToLower(name)
	var v string
	switch format, _ := s["format"].(string); {
	case format != "":
		v = f.formatted(format)
	case key == "username" || key == "handle" || key == "user_name" || key == "screen_name":
		v = f.handle()
	case key == "hashtags" || key == "hashtag" || key == "tags":
		v = f.hashtag()
	case key == "name" || key == "display_name" || key == "title" || strings.HasSuffix(key, "_name"):
		v = f.title()
	default:
		v = f.phrase(s)
	}
	if pattern, ok := s["pattern"].(string); ok {
		v = f.matching(pattern, v)
	}
	return jfFitLength(s, v, f.words)
}

func (f *jsonFaker) word() string { return f.words[f.rng.IntN(len(f.words))] }

func (f *jsonFaker) count() int {
	f.n++
	return f.n
}

// phrase is a capitalised run of the prompt's words and a counter; where
// the schema asks for sentences or paragraphs, a few such sentences.
func (f *jsonFaker) phrase(s map[string]any) string {
	sentences := 1
	desc, _ := s["description"].(string)
	if strings.Contains(desc, "sentence") || strings.Contains(desc, "paragraph") {
		sentences = 2 + f.rng.IntN(2)
	}
	parts := make([]string, sentences)
	for i := range parts {
		n := 3 + f.rng.IntN(4)
		ws := make([]string, n)
		for j := range ws {
			ws[j] = f.word()
		}
		parts[i] = jfCapitalize(strings.Join(ws, " ")) + " " + strconv.Itoa(f.count())
		if sentences > 1 {
			parts[i] += "."
		}
	}
	return strings.Join(parts, " ")
}

// title is a name: two capitalised words and a counter.
func (f *jsonFaker) title() string {
	return jfCapitalize(f.word()) + " " + jfCapitalize(f.word()) + " " + strconv.Itoa(f.count())
}

// handle is a social network handle: latin words, digits and underscores,
// 3 to 24 characters.
func (f *jsonFaker) handle() string {
	suffix := "_" + strconv.Itoa(f.count())
	h := f.latin[f.rng.IntN(len(f.latin))]
	if len(h)+len(suffix) > 24 {
		h = h[:24-len(suffix)]
	}
	if w := f.latin[f.rng.IntN(len(f.latin))]; len(h)+1+len(w)+len(suffix) <= 24 {
		h += "_" + w
	}
	return h + suffix
}

// hashtag is one word, without '#', taken in turn from the prompt so that
// the hashtags of a list differ.
func (f *jsonFaker) hashtag() string {
	f.tag = (f.tag + 1) % len(f.words)
	return f.words[f.tag]
}

func (f *jsonFaker) formatted(format string) string {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(f.rng.IntN(365*24*3600)) * time.Second)
	switch format {
	case "date-time":
		return day.Format(time.RFC3339)
	case "date":
		return day.Format(time.DateOnly)
	case "time":
		return day.Format("15:04:05Z")
	case "email":
		return f.handle() + "@example.com"
	case "uri", "url", "iri", "uri-reference":
		return "https://example.com/" + f.handle()
	case "hostname":
		return strings.ReplaceAll(f.handle(), "_", "-") + ".example.com"
	case "uuid":
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(f.rng.IntN(256))
		}
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	case "ipv4":
		return fmt.Sprintf("192.0.2.%d", 1+f.rng.IntN(254))
	}
	return f.phrase(nil)
}

// matching returns v if it matches pattern, else the first of a few other
// kinds of string that does, else v.
func (f *jsonFaker) matching(pattern, v string) string {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return v
	}
	for _, c := range []string{v, f.handle(), f.hashtag(), strings.ToLower(f.latin[0]), strconv.Itoa(f.count()), f.title()} {
		if re.MatchString(c) {
			return c
		}
	}
	return v
}

// jfFitLength pads v with words up to minLength and cuts it at maxLength
// (both in characters), never leaving it empty unless maxLength is 0.
func jfFitLength(s map[string]any, v string, words []string) string {
	if lo, ok := jfInt(s, "minLength"); ok {
		for i := 0; len([]rune(v)) < lo; i++ {
			v += " " + words[i%len(words)]
		}
	}
	if hi, ok := jfInt(s, "maxLength"); ok && len([]rune(v)) > hi {
		v = strings.TrimRightFunc(string([]rune(v)[:hi]), unicode.IsSpace)
		if lo, _ := jfInt(s, "minLength"); len([]rune(v)) < lo {
			v = string([]rune(v + strings.Repeat("x", hi))[:hi])
		}
	}
	return v
}

func jfCapitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// jfStopWords are words of the prompts' instructions that make poor content.
var jfStopWords = map[string]bool{
	"about": true, "after": true, "also": true, "answer": true, "before": true, "being": true,
	"characters": true, "each": true, "every": true, "exactly": true, "field": true, "from": true,
	"have": true, "into": true, "json": true, "language": true, "like": true, "make": true,
	"matches": true, "more": true, "most": true, "object": true, "only": true, "other": true,
	"over": true, "schema": true, "should": true, "some": true, "such": true, "than": true,
	"that": true, "their": true, "them": true, "then": true, "there": true, "these": true,
	"they": true, "this": true, "those": true, "through": true, "what": true, "when": true,
	"where": true, "which": true, "while": true, "will": true, "with": true, "write": true,
	"would": true, "your": true, "text": true, "prompt": true, "prompts": true, "generia": true,
}

// jfFallbackWords make up for a prompt with few usable words.
var jfFallbackWords = []string{
	"harbor", "lantern", "meadow", "copper", "whisper", "orchard", "ember", "willow",
	"signal", "market", "river", "thistle", "beacon", "hollow", "saffron", "glacier",
}

// jfPromptWords returns the prompt's distinct words of four letters or more
// (lowercase, in order, instruction words left out) and those of them
// written in latin letters only, each padded with fallback words.
func jfPromptWords(prompt string) (words, latin []string) {
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(prompt, func(r rune) bool { return !unicode.IsLetter(r) }) {
		w = strings.ToLower(w)
		if len([]rune(w)) < 4 || len([]rune(w)) > 16 || jfStopWords[w] || seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
		if jfIsLatin(w) {
			latin = append(latin, w)
		}
	}
	for _, w := range jfFallbackWords {
		if len(words) < 8 && !seen[w] {
			words = append(words, w)
		}
		if len(latin) < 4 && !slices.Contains(latin, w) {
			latin = append(latin, w)
		}
	}
	return words, latin
}

func jfIsLatin(w string) bool {
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// jfObject is a JSON object that keeps its keys in the order they were
// generated, as a model writes them.
type jfObject []jfField

type jfField struct {
	key   string
	value any
}

// MarshalJSON writes the object with its keys in order.
func (o jfObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, fv := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(fv.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(fv.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
