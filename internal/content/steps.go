// Package content defines the pipeline's LLM steps: each step's typed input,
// its prompt template (embedded), and the typed JSON answer with the schema
// generated from the Go type. Providers see a rendered prompt and a schema;
// the offline provider reads the typed input instead.
package content

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/generia/generia/internal/generia"
)

//go:embed prompts/*.tmpl
var promptFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"join": strings.Join,
	"inc":  func(i int) int { return i + 1 },
	"add":  func(a, b int) int { return a + b },
	// fence puts people's text in an untrusted block (see Spotlight).
	"fence": Fence,
}).ParseFS(promptFS, "prompts/*.tmpl"))

// WorldInput is the input of the world description step. Its prompt and
// name are a person's words, fenced in the prompt.
type WorldInput struct {
	Spotlight
	Prompt string
	Name   string
}

// WorldImagesInput is the input of the world image prompts step.
type WorldImagesInput struct {
	World WorldDescription
}

// CastInput is the input of one cast planning batch.
type CastInput struct {
	World WorldDescription
	// Batch is the batch's index among Batches; First is the cast position
	// of its first character; Count is how many characters it plans; Total
	// is the size of the whole cast.
	Batch, Batches, First, Count, Total int
	// Earlier are the characters planned before: by earlier batches, and
	// by earlier answers of this batch when the rest of it is asked for.
	Earlier []CastMember
}

// CharacterInput is the input of one character's detail step.
type CharacterInput struct {
	World    WorldDescription
	Position int
	Member   CastMember
	// Cast is every character planned so far, this one included.
	Cast []CastMember
	// Connections are the planned relationships that involve Member.
	Connections []Connection
	// Stories are the planned shared stories that involve Member.
	Stories []Story
}

// PostPlanInput is the input of one batch of a character's post plan.
type PostPlanInput struct {
	World     WorldDescription
	Character CharacterDetail
	// Batch is the batch's index among Batches; First is the index of its
	// first post among the character's Total posts; Count is its size.
	Batch, Batches, First, Count, Total int
	// Stories are the shared stories the character is part of.
	Stories []Story
	// Earlier are the posts of this batch already planned, when the rest
	// of a batch is asked for.
	Earlier []PostConcept
}

// Handle names a character that posts can mention.
type Handle struct {
	Username    string
	DisplayName string
}

// PostInput is the input of one post's detail step.
type PostInput struct {
	World     WorldDescription
	Character CharacterDetail
	Concept   PostConcept
	// Number is the post's index among the character's Total posts.
	Number, Total int
	// Others are characters of the world the post may mention.
	Others []Handle
	// Hashtags is how many hashtags the post carries (see HashtagsFor).
	Hashtags int
	// Recent are the character's latest texts, which a post of its life
	// must not repeat.
	Recent []string
}

// StoriesOf returns the stories that involve a character.
func StoriesOf(stories []Story, name string) []Story {
	var out []Story
	for _, st := range stories {
		for _, c := range st.Characters {
			if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(name)) {
				out = append(out, st)
				break
			}
		}
	}
	return out
}

// Step is one kind of LLM call: In renders the prompt, Out is the answer.
// Its schema is generated from Out, bounded by the step's rules, and each
// request adds its own bounds (how many items, which names it may use), so
// that a provider with structured output is asked for exactly what the
// request wants. Parse takes what a model answers, repairs what can be
// repaired and validates the rest against the same bounds.
type Step[In, Out any] struct {
	Name        string
	Temperature float64
	MaxTokens   int
	template    string
	schema      map[string]any
	rules       rules[In, Out]
}

// rules are what a step knows beyond its Go type.
type rules[In, Out any] struct {
	// static bounds the schema of every request: text lengths, list sizes,
	// the texts an answer cannot do without.
	static func(s node)
	// bound adds one request's own bounds.
	bound func(in In, s node)
	// A list step asks for a number of items in the root property list:
	// count is how many a request asks for, items how many an answer
	// holds, rest the input that asks for n more after those in have, and
	// merge adds the items of more to into.
	list  string
	count func(in In) int
	items func(out Out) int
	rest  func(in In, have Out, n int) In
	merge func(into *Out, more Out)
	// fix makes the repairs only the step knows.
	fix func(in In, out *Out, rep *Repairs)
	// check refuses what the schema cannot say is wrong, with a reason a
	// model can act on when it is asked again.
	check func(in In, out Out) error
	// system is what the step adds to the system message: for a step
	// whose input holds people's text, the instruction hierarchy
	// (untrustedRule) and who the model answers as.
	system func(in In) string
	// relax loosens what an answer must hold below what a request asks for,
	// where less is still usable.
	relax func(in In, s node)
}

// The pipeline's steps.
var (
	WorldStep       = newStep("world_description", 0.8, 4096, worldRules)
	WorldImagesStep = newStep("world_image_prompts", 0.7, 1024, worldImagesRules)
	CastStep        = newStep("cast_plan", 0.9, 6144, castRules)
	CharacterStep   = newStep("character_detail", 0.8, 3072, characterRules)
	PostPlanStep    = newStep("post_plan", 0.9, 3072, postPlanRules)
	PostStep        = newStep("post_detail", 0.8, 1536, postRules)
	ReplyStep       = newStep("reply", 0.8, 512, replyRules)
)

func newStep[In, Out any](name string, temperature float64, maxTokens int, r rules[In, Out]) *Step[In, Out] {
	s, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("content: schema of %s: %v", name, err))
	}
	strict(s)
	raw, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	if r.static != nil {
		r.static(node(m))
	}
	if templates.Lookup(name+".tmpl") == nil {
		panic("content: no prompt template for step " + name)
	}
	step := &Step[In, Out]{Name: name, Temperature: temperature, MaxTokens: maxTokens, template: name + ".tmpl", schema: m, rules: r}
	var zero In
	if _, err := resolve(step.RequestSchema(zero)); err != nil {
		panic(fmt.Sprintf("content: resolving schema of %s: %v", name, err))
	}
	return step
}

// strict makes a generated schema fit providers' strict structured output:
// arrays are arrays (never null).
func strict(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if len(s.Types) == 2 && s.Types[0] == "null" && s.Types[1] == "array" {
		s.Types = nil
		s.Type = "array"
	}
	for _, p := range s.Properties {
		strict(p)
	}
	strict(s.Items)
}

// Schema returns the JSON schema of the step's answer, with the bounds every
// request shares.
func (s *Step[In, Out]) Schema() map[string]any { return s.schema }

// RequestSchema returns the schema one request sends: the step's schema with
// the request's own bounds.
func (s *Step[In, Out]) RequestSchema(in In) map[string]any {
	m := copySchema(s.schema)
	if s.rules.bound != nil {
		s.rules.bound(in, node(m))
	}
	return m
}

// acceptSchema is the schema an answer to a request is held to: the
// request's, loosened where less than asked is still usable. A list step
// accepts fewer items than asked, but at least one: the missing ones are
// asked for on their own.
func (s *Step[In, Out]) acceptSchema(in In) map[string]any {
	m := s.RequestSchema(in)
	if s.rules.list != "" && s.Count(in) > 0 {
		node(m).at(s.rules.list).set("minItems", 1)
	}
	if s.rules.relax != nil {
		s.rules.relax(in, node(m))
	}
	return m
}

// resolve prepares a schema for validation.
func resolve(m map[string]any) (*jsonschema.Resolved, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var js jsonschema.Schema
	if err := json.Unmarshal(raw, &js); err != nil {
		return nil, err
	}
	return js.Resolve(nil)
}

// Prompt renders the step's prompt. An input that holds people's text
// fences it with its boundary, drawn now if it has none.
func (s *Step[In, Out]) Prompt(in In) (string, error) {
	spotlightOf(&in)
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, s.template, in); err != nil {
		return "", fmt.Errorf("rendering the %s prompt: %w", s.Name, err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

// spotlightOf draws the boundary of an input that holds people's text and
// has none yet.
func spotlightOf[In any](in *In) {
	if sp, ok := any(in).(spotlit); ok && sp.spotlight().Boundary == "" {
		sp.spotlight().Boundary = NewBoundary()
	}
}

// System is what the step adds to the system message for a request with
// input in ("" for none).
func (s *Step[In, Out]) System(in In) string {
	if s.rules.system == nil {
		return ""
	}
	return s.rules.system(in)
}

// Request builds the provider request of the step for one item of a world.
// A step whose input holds people's text fences it with a boundary drawn
// for this request alone, and states in the system message that what is
// fenced is data.
func (s *Step[In, Out]) Request(worldID, key string, in In) (generia.TextRequest, error) {
	if sp, ok := any(&in).(spotlit); ok {
		sp.spotlight().Boundary = NewBoundary()
	}
	prompt, err := s.Prompt(in)
	if err != nil {
		return generia.TextRequest{}, err
	}
	return generia.TextRequest{
		System:      s.System(in),
		WorldID:     worldID,
		Key:         key,
		Step:        s.Name,
		Prompt:      prompt,
		SchemaName:  s.Name,
		Schema:      s.RequestSchema(in),
		Temperature: s.Temperature,
		MaxTokens:   s.MaxTokens,
		Input:       in,
	}, nil
}

// IsList reports whether the step asks for a number of items (a cast batch,
// a post plan) that a short answer can be topped up to.
func (s *Step[In, Out]) IsList() bool { return s.rules.list != "" }

// Count is how many items a request of a list step asks for.
func (s *Step[In, Out]) Count(in In) int {
	if s.rules.count == nil {
		return 1
	}
	return s.rules.count(in)
}

// Items is how many items an answer of a list step holds.
func (s *Step[In, Out]) Items(out Out) int {
	if s.rules.items == nil {
		return 1
	}
	return s.rules.items(out)
}

// Rest returns the input of a list step that asks for n more items after
// those in have, naming them so that they are not repeated.
func (s *Step[In, Out]) Rest(in In, have Out, n int) In { return s.rules.rest(in, have, n) }

// Merge adds the items of more to into.
func (s *Step[In, Out]) Merge(into *Out, more Out) { s.rules.merge(into, more) }

// Answer is a model's answer, made valid by repairs.
type Answer[Out any] struct {
	Value   Out
	Repairs Repairs
}

// Parse turns a model's answer to a request with input in into the step's
// value. It repairs what it can (see the Repair constants) and validates
// the result against the request's schema; an answer that stays invalid
// gives a KindInvalid error saying why, in words a model can act on when it
// is asked again. A list step's answer may hold fewer items than asked, but
// at least one, and never more.
func (s *Step[In, Out]) Parse(in In, raw []byte) (Answer[Out], error) {
	var ans Answer[Out]
	if len(bytes.TrimSpace(raw)) == 0 {
		return ans, generia.Errorf(generia.KindInvalid, "the answer is empty")
	}
	doc, ok := extractJSON(raw, &ans.Repairs)
	if !ok {
		return ans, generia.Errorf(generia.KindInvalid, "the answer is not one JSON document")
	}
	var instance any
	if err := json.Unmarshal(doc, &instance); err != nil {
		return ans, generia.WrapError(generia.KindInvalid, err, "the answer is not valid JSON")
	}
	schema := s.acceptSchema(in)
	instance, _ = conform(schema, instance, &ans.Repairs)
	if conformed, err := json.Marshal(instance); err == nil {
		if err := json.Unmarshal(conformed, &ans.Value); err != nil {
			return ans, generia.WrapError(generia.KindInvalid, err, "the answer does not match the schema")
		}
	}
	if s.rules.fix != nil {
		s.rules.fix(in, &ans.Value, &ans.Repairs)
	}
	if err := s.validate(schema, ans.Value); err != nil {
		return ans, err
	}
	if s.rules.check != nil {
		if err := s.rules.check(in, ans.Value); err != nil {
			return ans, err
		}
	}
	return ans, nil
}

// validate checks a value against a schema.
func (s *Step[In, Out]) validate(schema map[string]any, out Out) error {
	resolved, err := resolve(schema)
	if err != nil {
		return fmt.Errorf("the %s schema: %w", s.Name, err)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	var instance any
	if err := json.Unmarshal(data, &instance); err != nil {
		return err
	}
	if err := resolved.Validate(instance); err != nil {
		return generia.Errorf(generia.KindInvalid, "the answer does not match the schema: %v", err)
	}
	return nil
}

// Decode validates a complete answer against the step's schema, with no
// repair, and decodes it.
func (s *Step[In, Out]) Decode(data []byte) (Out, error) {
	var out Out
	var instance any
	if err := json.Unmarshal(data, &instance); err != nil {
		return out, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("the %s answer is not valid JSON", s.Name))
	}
	var zero In
	resolved, err := resolve(s.RequestSchema(zero))
	if err != nil {
		return out, err
	}
	if err := resolved.Validate(instance); err != nil {
		return out, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("the %s answer does not match its schema", s.Name))
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("the %s answer does not decode", s.Name))
	}
	return out, nil
}
