package generia

import "time"

// Generation statuses of a world.
const (
	StatusPending    = "pending"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelled  = "cancelled"
)

// IsTerminal reports whether a generation status is final.
func IsTerminal(status string) bool {
	return status == StatusCompleted || status == StatusFailed || status == StatusCancelled
}

// Stage names, in pipeline order.
const (
	StageInitializing     = "initializing"
	StageWorldDescription = "world_description"
	StageWorldImages      = "world_images"
	StageCharacters       = "characters"
	StagePosts            = "posts"
	StageFinishing        = "finishing"
)

// Stages lists the stage names in pipeline order.
var Stages = []string{StageInitializing, StageWorldDescription, StageWorldImages, StageCharacters, StagePosts, StageFinishing}

// Stage statuses: pending, in_progress, completed, failed, and cancelled for
// a stage a cancel interrupted.
const (
	StagePending    = "pending"
	StageInProgress = "in_progress"
	StageCompleted  = "completed"
	StageFailed     = "failed"
	StageCancelled  = "cancelled"
)

// Stage is one stage's state in the status record.
type Stage struct {
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// StageChange sets one stage to a status.
type StageChange struct {
	Stage  string
	Status string
}

// GenerationStatus is the status record of a world's generation (the seed's
// world_generation_status). Counters of created items always match the rows:
// the store updates them in the same transaction that creates the row.
type GenerationStatus struct {
	WorldID             string
	WorkflowID          string
	Status              string
	CurrentStage        string
	Stages              []Stage
	CharactersCreated   int
	CharactersPredicted int
	PostsCreated        int
	PostsPredicted      int
	ImagesCreated       int
	ImagesPredicted     int

	CallLimitLLM    int
	CallLimitImages int
	// BudgetUSD caps the world's provider cost; 0 means no budget.
	BudgetUSD    float64
	CallsLLM     int
	CallsImages  int
	TokensIn     int64
	TokensOut    int64
	LLMCostUSD   float64
	ImageCostUSD float64
	// AnswersRepaired counts the calls whose answers needed a repair (see
	// ProviderCall.Repairs); AnswersInvalid those whose answers could not be
	// used, and AnswersInvalidCostUSD what they cost.
	AnswersRepaired       int
	AnswersInvalid        int
	AnswersInvalidCostUSD float64
	// LLMCallsDone and ImageCallsDone count the calls recorded (answered,
	// failed or invalid); LLMBusy and ImageBusy are the time they took, in
	// all. Calls reserved and not yet done are in flight.
	LLMCallsDone, ImageCallsDone int
	LLMBusy, ImageBusy           time.Duration
	// LLMCallsFailed and ImageCallsFailed count those of them that failed
	// or whose answers could not be used (their steps are still to do);
	// LLMFailedBusy and ImageFailedBusy the time they took.
	LLMCallsFailed, ImageCallsFailed int
	LLMFailedBusy, ImageFailedBusy   time.Duration
	Providers                        Providers
	// ItemsHeld counts the generated items a moderation check held for
	// review: they exist, and only the world's owner and moderators see
	// them.
	ItemsHeld int

	CancelRequested bool
	// Error says why the generation failed, in detail, for the world's
	// owner; PublicError says it for anyone else: what failed and the class
	// of why, never a provider's own words (which may echo a key or name a
	// private address).
	Error       string
	PublicError string

	CreatedAt  time.Time
	UpdatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// NewGenerationStatus returns the initial status record of a world about to
// be generated with plan.
func NewGenerationStatus(w World, plan Plan) GenerationStatus {
	stages := make([]Stage, len(Stages))
	for i, name := range Stages {
		stages[i] = Stage{Name: name, Status: StagePending}
	}
	llm, images := ExpectedCalls(plan)
	return GenerationStatus{
		WorldID:             w.ID,
		WorkflowID:          w.WorkflowID,
		Status:              StatusPending,
		CurrentStage:        StageInitializing,
		Stages:              stages,
		CharactersPredicted: plan.Characters(),
		PostsPredicted:      plan.TotalPosts(),
		ImagesPredicted:     images,
		CallLimitLLM:        CallLimit(llm),
		CallLimitImages:     CallLimit(images),
		Providers:           w.Providers,
		CreatedAt:           w.CreatedAt,
		UpdatedAt:           w.CreatedAt,
	}
}

// Batch sizes of the pipeline's planning calls.
const (
	CastBatchSize = 10
	PostBatchSize = 10
)

// ExpectedCalls returns how many LLM and image calls a plan needs when every
// call succeeds the first time.
func ExpectedCalls(plan Plan) (llm, images int) {
	llm = 2 // world description, world image prompts
	llm += len(Batches(plan.Characters(), CastBatchSize))
	for _, posts := range plan.Posts {
		llm += 1 + len(Batches(posts, PostBatchSize)) + posts // detail, post plans, post details
	}
	images = 2 + plan.Characters() + plan.TotalPosts()
	return llm, images
}

// CallLimit is the per-world call limit for an expected number of calls: room
// for every call to be repeated once, since a failed or invalid answer is
// paid for too.
func CallLimit(expected int) int { return 2*expected + 10 }

// Percent is the share of planned items (characters and posts) that exist.
func (s GenerationStatus) Percent() int {
	total := s.CharactersPredicted + s.PostsPredicted
	if total == 0 {
		return 0
	}
	if s.Status == StatusCompleted {
		return 100
	}
	return (s.CharactersCreated + s.PostsCreated) * 100 / total
}
