package moderation

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"

	"github.com/openai/openai-go/v3"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

// OpenAI checks content with an OpenAI-compatible POST {base}/moderations
// (omni-moderation-latest by default): texts as a string, images one per
// request as a data URL.
type OpenAI struct {
	api   openai.Client
	model string
	scrub *secret.Scrubber
}

// Name is "openai".
func (o *OpenAI) Name() string { return BackendOpenAI }

// CheckText asks the service about one text. The endpoint takes no
// per-person identifier, so c.UserID is not sent.
func (o *OpenAI) CheckText(ctx context.Context, c generia.TextCheck) (generia.Verdict, error) {
	v, err := o.check(ctx, openai.ModerationNewParamsInputUnion{OfString: openai.String(c.Text)})
	return v, o.scrub.ProviderError(err)
}

// CheckImage asks the service about one image, sent as a base64 data URL
// in a multimodal input of its own (the service takes one image per
// request).
func (o *OpenAI) CheckImage(ctx context.Context, c generia.ImageCheck) (generia.Verdict, error) {
	ct := c.ContentType
	if ct == "" {
		ct = http.DetectContentType(c.Data)
	}
	u := "data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(c.Data)
	v, err := o.check(ctx, openai.ModerationNewParamsInputUnion{OfModerationMultiModalArray: []openai.ModerationMultiModalInputUnionParam{
		openai.ModerationMultiModalInputParamOfImageURL(openai.ModerationImageURLInputImageURLParam{URL: u}),
	}})
	return v, o.scrub.ProviderError(err)
}

func (o *OpenAI) check(ctx context.Context, input openai.ModerationNewParamsInputUnion) (generia.Verdict, error) {
	res, err := o.api.Moderations.New(ctx, openai.ModerationNewParams{Model: o.model, Input: input})
	if err != nil {
		return generia.Verdict{}, classify(ctx, err)
	}
	// One input, one result: anything else is an answer about something
	// else, or about nothing.
	if len(res.Results) != 1 {
		return generia.Verdict{}, unavailable("the service answered %d results for one input", len(res.Results))
	}
	return verdictOf(res.Results[0])
}

// openAICategories maps the service's 13 categories onto the taxonomy.
var openAICategories = []struct {
	name string
	of   func(openai.ModerationCategories) bool
	to   generia.Category
}{
	{"harassment", func(c openai.ModerationCategories) bool { return c.Harassment }, generia.CategoryHarassment},
	{"harassment/threatening", func(c openai.ModerationCategories) bool { return c.HarassmentThreatening }, generia.CategoryHarassment},
	{"hate", func(c openai.ModerationCategories) bool { return c.Hate }, generia.CategoryHate},
	{"hate/threatening", func(c openai.ModerationCategories) bool { return c.HateThreatening }, generia.CategoryHate},
	{"illicit", func(c openai.ModerationCategories) bool { return c.Illicit }, generia.CategoryIllicit},
	{"illicit/violent", func(c openai.ModerationCategories) bool { return c.IllicitViolent }, generia.CategoryIllicit},
	{"self-harm", func(c openai.ModerationCategories) bool { return c.SelfHarm }, generia.CategorySelfHarm},
	{"self-harm/intent", func(c openai.ModerationCategories) bool { return c.SelfHarmIntent }, generia.CategorySelfHarm},
	{"self-harm/instructions", func(c openai.ModerationCategories) bool { return c.SelfHarmInstructions }, generia.CategorySelfHarm},
	{"sexual", func(c openai.ModerationCategories) bool { return c.Sexual }, generia.CategorySexual},
	{"sexual/minors", func(c openai.ModerationCategories) bool { return c.SexualMinors }, generia.CategorySexualMinors},
	{"violence", func(c openai.ModerationCategories) bool { return c.Violence }, generia.CategoryViolence},
	{"violence/graphic", func(c openai.ModerationCategories) bool { return c.ViolenceGraphic }, generia.CategoryViolenceGraphic},
}

// verdictOf reads one result: the categories it flags (their names as
// Terms). A result without its categories, or flagged with none of them,
// cannot be read and is an error.
func verdictOf(m openai.Moderation) (generia.Verdict, error) {
	if !m.JSON.Categories.Valid() || !m.JSON.Flagged.Valid() {
		return generia.Verdict{}, unavailable("the service's result has no categories or no flagged field")
	}
	v := generia.Verdict{Checker: BackendOpenAI}
	for _, c := range openAICategories {
		if !c.of(m.Categories) {
			continue
		}
		v.Terms = append(v.Terms, c.name)
		if !slices.Contains(v.Flagged, c.to) {
			v.Flagged = append(v.Flagged, c.to)
		}
	}
	if m.Flagged && len(v.Flagged) == 0 {
		return generia.Verdict{}, unavailable("the service flagged the content under no category it names")
	}
	return v, nil
}
