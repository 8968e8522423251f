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
}).ParseFS(promptFS, "prompts/*.tmpl"))

// WorldInput is the input of the world description step.
type WorldInput struct {
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
	// Earlier are the characters planned by earlier batches.
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
type Step[In, Out any] struct {
	Name        string
	Temperature float64
	MaxTokens   int
	template    string
	schema      map[string]any
	resolved    *jsonschema.Resolved
}

// The pipeline's steps.
var (
	WorldStep       = newStep[WorldInput, WorldDescription]("world_description", 0.8, 4096)
	WorldImagesStep = newStep[WorldImagesInput, WorldImagePrompts]("world_image_prompts", 0.7, 1024)
	CastStep        = newStep[CastInput, CastPlan]("cast_plan", 0.9, 6144)
	CharacterStep   = newStep[CharacterInput, CharacterDetail]("character_detail", 0.8, 3072)
	PostPlanStep    = newStep[PostPlanInput, PostPlan]("post_plan", 0.9, 3072)
	PostStep        = newStep[PostInput, PostDetail]("post_detail", 0.8, 1536)
)

func newStep[In, Out any](name string, temperature float64, maxTokens int) *Step[In, Out] {
	s, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("content: schema of %s: %v", name, err))
	}
	strict(s)
	resolved, err := s.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("content: resolving schema of %s: %v", name, err))
	}
	raw, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	if templates.Lookup(name+".tmpl") == nil {
		panic("content: no prompt template for step " + name)
	}
	return &Step[In, Out]{Name: name, Temperature: temperature, MaxTokens: maxTokens, template: name + ".tmpl", schema: m, resolved: resolved}
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

// Schema returns the JSON schema of the step's answer.
func (s *Step[In, Out]) Schema() map[string]any { return s.schema }

// Prompt renders the step's prompt.
func (s *Step[In, Out]) Prompt(in In) (string, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, s.template, in); err != nil {
		return "", fmt.Errorf("rendering the %s prompt: %w", s.Name, err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

// Request builds the provider request of the step for one item of a world.
func (s *Step[In, Out]) Request(worldID, key string, in In) (generia.TextRequest, error) {
	prompt, err := s.Prompt(in)
	if err != nil {
		return generia.TextRequest{}, err
	}
	return generia.TextRequest{
		WorldID:     worldID,
		Key:         key,
		Step:        s.Name,
		Prompt:      prompt,
		SchemaName:  s.Name,
		Schema:      s.schema,
		Temperature: s.Temperature,
		MaxTokens:   s.MaxTokens,
		Input:       in,
	}, nil
}

// Decode validates an answer against the step's schema and decodes it. An
// answer that does not match gives a KindInvalid error saying why.
func (s *Step[In, Out]) Decode(data []byte) (Out, error) {
	var out Out
	var instance any
	if err := json.Unmarshal(data, &instance); err != nil {
		return out, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("the %s answer is not valid JSON", s.Name))
	}
	if err := s.resolved.Validate(instance); err != nil {
		return out, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("the %s answer does not match its schema", s.Name))
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, generia.WrapError(generia.KindInvalid, err, fmt.Sprintf("the %s answer does not decode", s.Name))
	}
	return out, nil
}
