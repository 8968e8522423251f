package moderation

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/openai/openai-go/v3"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

// Guard checks texts with a guard model (Llama Guard 3 or 4) through chat
// completions, the server applying the model's own prompt template. The
// model answers "safe", or "unsafe" and a line of hazard codes; anything
// else is an error, never a pass.
type Guard struct {
	api   openai.Client
	model string
	scrub *secret.Scrubber
}

// guardMaxTokens is enough for "unsafe" and a few codes.
const guardMaxTokens = 10

// guardCategories maps Llama Guard's hazard codes (MLCommons' 13 and Code
// Interpreter Abuse) onto the taxonomy.
var guardCategories = map[string]generia.Category{
	"S1":  generia.CategoryViolence,     // violent crimes
	"S2":  generia.CategoryIllicit,      // non-violent crimes
	"S3":  generia.CategorySexual,       // sex-related crimes
	"S4":  generia.CategorySexualMinors, // child sexual exploitation
	"S5":  generia.CategoryHarassment,   // defamation
	"S6":  generia.CategoryIllicit,      // specialized advice
	"S7":  generia.CategoryHarassment,   // privacy
	"S8":  generia.CategoryIllicit,      // intellectual property
	"S9":  generia.CategoryViolence,     // indiscriminate weapons
	"S10": generia.CategoryHate,         // hate
	"S11": generia.CategorySelfHarm,     // suicide and self-harm
	"S12": generia.CategorySexual,       // sexual content
	"S13": generia.CategorySpam,         // elections
	"S14": generia.CategoryIllicit,      // code interpreter abuse
}

// Name is "guard".
func (g *Guard) Name() string { return BackendGuard }

// CheckText asks the guard model about a text: alone as the user's turn,
// or, for a reply, as the assistant's turn after the text it answers (the
// model judges the last turn).
func (g *Guard) CheckText(ctx context.Context, c generia.TextCheck) (generia.Verdict, error) {
	v, err := g.check(ctx, c)
	return v, g.scrub.ProviderError(err)
}

func (g *Guard) check(ctx context.Context, c generia.TextCheck) (generia.Verdict, error) {
	messages := []openai.ChatCompletionMessageParamUnion{openai.UserMessage(c.Text)}
	if c.Answers != "" {
		messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage(c.Answers), openai.AssistantMessage(c.Text)}
	}
	params := openai.ChatCompletionNewParams{
		Model:       g.model,
		Messages:    messages,
		Temperature: openai.Float(0),
		MaxTokens:   openai.Int(guardMaxTokens),
	}
	if c.UserID != "" {
		// OpenRouter reads user, OpenAI safety_identifier: a block then
		// hits this person, not the operator's key.
		params.User = openai.String(c.UserID)
		params.SafetyIdentifier = openai.String(c.UserID)
	}
	res, err := g.api.Chat.Completions.New(ctx, params)
	if err != nil {
		return generia.Verdict{}, classify(ctx, err)
	}
	if f, ok := res.JSON.ExtraFields["error"]; ok && f.Raw() != "" && f.Raw() != "null" {
		return generia.Verdict{}, unavailable("the guard model failed while answering (an error inside a 200 answer)")
	}
	if len(res.Choices) == 0 {
		return generia.Verdict{}, unavailable("the guard model's answer has no choices")
	}
	choice := res.Choices[0]
	if choice.FinishReason != "" && choice.FinishReason != "stop" {
		return generia.Verdict{}, unavailable("the guard model stopped with %q", choice.FinishReason)
	}
	return ParseGuard(choice.Message.Content)
}

// CheckImage answers no flags: Llama Guard does not judge images that a
// generative model made, nor images alone.
func (g *Guard) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	return generia.Verdict{Checker: BackendGuard}, nil
}

var guardCodes = regexp.MustCompile(`^S[0-9]{1,2}( *, *S[0-9]{1,2})*$`)

// ParseGuard reads a guard model's answer strictly: "safe" passes;
// "unsafe" and a second line of known codes ("S1,S10", spaces allowed)
// flags their categories, with the codes as Terms. Trailing whitespace is
// forgiven; anything else (leading blank lines, "Unsafe", prose, an empty
// answer, an unknown code, no codes) is an error of KindUnavailable: the
// content was not judged.
func ParseGuard(answer string) (generia.Verdict, error) {
	a := strings.TrimRight(answer, " \t\r\n")
	if a == "safe" {
		return generia.Verdict{Checker: BackendGuard}, nil
	}
	first, codes, ok := strings.Cut(a, "\n")
	codes = strings.TrimRight(codes, " \t\r")
	if !ok || first != "unsafe" || !guardCodes.MatchString(codes) {
		return generia.Verdict{}, unavailable("the guard model answered %q, neither \"safe\" nor \"unsafe\" with hazard codes", clip(answer, 80))
	}
	v := generia.Verdict{Checker: BackendGuard}
	for code := range strings.SplitSeq(codes, ",") {
		code = strings.TrimSpace(code)
		c, known := guardCategories[code]
		if !known {
			return generia.Verdict{}, unavailable("the guard model answered the unknown hazard code %q", code)
		}
		if !slices.Contains(v.Terms, code) {
			v.Terms = append(v.Terms, code)
		}
		if !slices.Contains(v.Flagged, c) {
			v.Flagged = append(v.Flagged, c)
		}
	}
	return v, nil
}

// clip cuts s to at most n runes, for quoting an answer in an error.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
