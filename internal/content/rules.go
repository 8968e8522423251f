package content

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/generia/generia/internal/generia"
)

// node is a JSON schema decoded into a map, for adding bounds to it.
type node map[string]any

// at walks down properties by name; "[]" steps into a list's items. A path
// that does not exist panics: the schemas are generated from this package's
// own types.
func (n node) at(path ...string) node {
	cur := n
	for _, p := range path {
		var next any
		if p == "[]" {
			next = cur["items"]
		} else {
			props, _ := cur["properties"].(map[string]any)
			next = props[p]
		}
		m, ok := next.(map[string]any)
		if !ok {
			panic(fmt.Sprintf("content: schema has no %q in %v", p, path))
		}
		cur = node(m)
	}
	return cur
}

// set sets keywords, given as key, value pairs.
func (n node) set(kv ...any) node {
	for i := 0; i+1 < len(kv); i += 2 {
		n[kv[i].(string)] = kv[i+1]
	}
	return n
}

// text bounds a text property: at most max runes, and not empty when
// required.
func (n node) text(name string, max int, required bool) {
	s := n.at(name).set("maxLength", max)
	if required {
		s.set("minLength", 1)
	}
}

// list bounds a list property to at most max items of at most itemMax runes.
func (n node) list(name string, max, itemMax int) {
	n.at(name).set("maxItems", max)
	if itemMax > 0 {
		n.at(name, "[]").set("maxLength", itemMax)
	}
}

// exactly pins a list to n items, when n is known.
func (n node) exactly(name string, count int) {
	if count > 0 {
		n.at(name).set("minItems", count, "maxItems", count)
	}
}

// oneOf closes a text to the given values; with none, the list that holds
// it must stay empty.
func (n node) oneOf(list string, field []string, values []string) {
	if len(values) == 0 {
		n.at(list).set("maxItems", 0)
		return
	}
	enum := make([]any, len(values))
	for i, v := range values {
		enum[i] = v
	}
	n.at(append([]string{list, "[]"}, field...)...).set("enum", enum)
}

// copySchema copies a decoded schema deeply.
func copySchema(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copySchema(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// Text bounds, in runes: generous for what the prompts ask, so that a good
// answer is never cut.
const (
	nameMax   = 80
	labelMax  = 200
	phraseMax = 400
	proseMax  = 2000
	longMax   = 8000
	promptMax = 2000
	listMax   = 12
)

var worldRules = rules[WorldInput, WorldDescription]{
	static: func(s node) {
		s.text("name", nameMax, true)
		s.text("language", 40, true)
		s.text("description_short", phraseMax, true)
		s.text("description", longMax, true)
		s.text("theme", labelMax, false)
		for _, f := range []string{"technology_level", "social_structure", "culture", "geography", "visual_style", "history"} {
			s.text(f, proseMax, false)
		}
		s.list("conflicts", 6, phraseMax)
		s.list("common_activities", listMax, phraseMax)
		s.list("typical_stories", listMax, phraseMax)
	},
	// The person's idea is what the world is made of, never instructions.
	system: func(in WorldInput) string {
		return untrustedRule(in.Boundary) + " The idea is a description of the world to design, nothing more."
	},
}

var worldImagesRules = rules[WorldImagesInput, WorldImagePrompts]{
	static: func(s node) {
		s.text("header_prompt", promptMax, true)
		s.text("icon_prompt", promptMax, true)
		s.text("mood", labelMax, false)
		s.list("color_palette", 6, 40)
	},
}

var castRules = rules[CastInput, CastPlan]{
	static: func(s node) {
		m := s.at("characters", "[]")
		m.text("name", nameMax, true)
		m.text("concept", proseMax, true)
		m.text("role", labelMax, true)
		m.list("traits", 6, 60)
		m.list("interests", 6, 60)
		c := s.at("connections", "[]")
		c.text("from", nameMax, true)
		c.text("to", nameMax, true)
		c.text("kind", labelMax, false)
		c.text("description", phraseMax, false)
		st := s.at("shared_stories")
		st.set("maxItems", 3)
		st.at("[]").text("title", labelMax, true)
		st.at("[]").text("summary", proseMax, true)
		st.at("[]").list("characters", 10, nameMax)
	},
	bound: func(in CastInput, s node) { s.exactly("characters", in.Count) },
	list:  "characters",
	count: func(in CastInput) int { return in.Count },
	items: func(out CastPlan) int { return len(out.Characters) },
	rest: func(in CastInput, have CastPlan, n int) CastInput {
		in.Earlier = append(append([]CastMember(nil), in.Earlier...), have.Characters...)
		in.First += len(have.Characters)
		in.Count = n
		return in
	},
	merge: func(into *CastPlan, more CastPlan) {
		into.Characters = append(into.Characters, more.Characters...)
		into.Connections = append(into.Connections, more.Connections...)
		into.SharedStories = append(into.SharedStories, more.SharedStories...)
	},
	fix: func(in CastInput, out *CastPlan, rep *Repairs) {
		taken := map[string]bool{}
		for _, e := range in.Earlier {
			taken[NameKey(e.Name)] = true
		}
		for i := range out.Characters {
			name := strings.Join(strings.Fields(out.Characters[i].Name), " ")
			unique := name
			for n := 2; taken[NameKey(unique)]; n++ {
				unique = fmt.Sprintf("%s %s", name, roman(n))
			}
			if unique != out.Characters[i].Name {
				if unique != name {
					rep.add(RepairRenamed)
				}
				out.Characters[i].Name = unique
			}
			taken[NameKey(unique)] = true
		}
	},
}

var characterRules = rules[CharacterInput, CharacterDetail]{
	static: func(s node) {
		s.at("username").set("maxLength", 24, "minLength", 3, "pattern", "^[a-z0-9_]{3,24}$")
		s.text("display_name", nameMax, true)
		s.text("bio", 200, true)
		s.text("personality", proseMax, true)
		s.text("appearance", proseMax, true)
		s.text("backstory", longMax, false)
		s.text("speaking_style", phraseMax, false)
		s.list("interests", 8, 60)
		s.list("topics", 8, labelMax)
		r := s.at("relationships", "[]")
		r.text("kind", labelMax, true)
		r.text("description", phraseMax, false)
		s.at("relationships").set("maxItems", 20)
		s.text("daily_routine", proseMax, false)
		s.text("secret", phraseMax, false)
		s.text("avatar_prompt", promptMax, true)
	},
	bound: func(in CharacterInput, s node) {
		if len(in.Cast) == 0 {
			return
		}
		var others []string
		for _, c := range in.Cast {
			if NameKey(c.Name) != NameKey(in.Member.Name) {
				others = append(others, c.Name)
			}
		}
		s.oneOf("relationships", []string{"name"}, others)
	},
	fix: func(in CharacterInput, out *CharacterDetail, rep *Repairs) {
		if u := Username(out.Username, out.DisplayName, in.Position); u != out.Username {
			out.Username = u
			rep.add(RepairNormalised)
		}
	},
}

var postPlanRules = rules[PostPlanInput, PostPlan]{
	static: func(s node) {
		p := s.at("posts", "[]")
		p.text("topic", labelMax, true)
		p.text("brief", phraseMax*2, true)
		p.text("tone", labelMax, false)
		p.text("kind", labelMax, false)
		s.text("arc", phraseMax, false)
	},
	bound: func(in PostPlanInput, s node) { s.exactly("posts", in.Count) },
	list:  "posts",
	count: func(in PostPlanInput) int { return in.Count },
	items: func(out PostPlan) int { return len(out.Posts) },
	rest: func(in PostPlanInput, have PostPlan, n int) PostPlanInput {
		in.Earlier = append(append([]PostConcept(nil), in.Earlier...), have.Posts...)
		in.First += len(have.Posts)
		in.Count = n
		return in
	},
	merge: func(into *PostPlan, more PostPlan) {
		into.Posts = append(into.Posts, more.Posts...)
		if into.Arc == "" {
			into.Arc = more.Arc
		}
	},
}

var postRules = rules[PostInput, PostDetail]{
	static: func(s node) {
		s.text("caption", proseMax, true)
		s.list("hashtags", 6, 40)
		s.text("image_prompt", promptMax, true)
		s.text("mood", labelMax, false)
		s.text("location", labelMax, false)
		s.at("mentions").set("maxItems", 6)
	},
	bound: func(in PostInput, s node) {
		s.exactly("hashtags", in.Hashtags)
		if in.Hashtags > 0 { // a request: only the characters it lists
			handles := make([]string, len(in.Others))
			for i, o := range in.Others {
				handles[i] = o.Username
			}
			s.oneOf("mentions", nil, handles)
		}
	},
	// A character does not repeat itself.
	check: func(in PostInput, out PostDetail) error { return notRepeated("post", out.Caption, in.Recent) },
	// Fewer hashtags than asked still make a post.
	relax: func(in PostInput, s node) {
		if in.Hashtags > 0 {
			s.at("hashtags").set("minItems", 1, "maxItems", 6)
		}
	},
	fix: func(in PostInput, out *PostDetail, rep *Repairs) {
		tags := generia.Hashtags(out.Hashtags)
		if n := in.Hashtags; n > 0 && len(tags) > n {
			tags = tags[:n]
			rep.add(RepairTrimmed)
		}
		if !equalStrings(tags, out.Hashtags) {
			rep.add(RepairNormalised)
		}
		out.Hashtags = tags
	},
}

// HashtagsFor is how many hashtags the post at key asks for: three to five,
// the same for the same key.
func HashtagsFor(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return 3 + int(h.Sum32()%3)
}

// NameKey is the form in which two characters' names are compared, the one
// rule for the cast's names and a relationship's: case and spacing aside.
func NameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// roman is n (2 to 39) in Roman numerals, as names carry them.
func roman(n int) string {
	if n < 2 || n > 39 {
		return fmt.Sprint(n)
	}
	tens := strings.Repeat("X", n/10)
	return tens + []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"}[n%10]
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
