// Package pipeline generates worlds on Temporal: the WorldGeneration workflow,
// its activities, and the workers of the five task queues.
//
// The workflow only orchestrates. Prompts, generated JSON and images live in
// the store and the media store; workflow inputs and results carry IDs and
// small structs, so histories stay small. Every row an activity creates has
// a deterministic ID derived from the world and the item's place in the plan
// (see Key), so a retried activity never duplicates an item nor pays twice.
package pipeline

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
)

// Task queues, named as the seed names them.
const (
	QueueMain     = "ai-worker-main"     // workflows
	QueueLLM      = "ai-worker-llm"      // LLM calls
	QueueImages   = "ai-worker-images"   // image generation and storage
	QueueProgress = "ai-worker-progress" // status and progress updates
	QueueServices = "ai-worker-services" // writes of worlds, characters, posts
)

// Queues lists every task queue.
var Queues = []string{QueueMain, QueueLLM, QueueImages, QueueProgress, QueueServices}

// WorkflowName is the registered name of the world generation workflow.
const WorkflowName = "WorldGeneration"

// StatusQuery is the name of the workflow's status query.
const StatusQuery = "status"

// Input starts a world's generation. The prompt and everything generated
// live in the store; the input only says which world and how big.
type Input struct {
	WorldID    string
	Characters int
	Posts      int
	// LLM and Image name the providers the world is generated with.
	LLM   string
	Image string
}

// Result is what a finished generation returns.
type Result struct {
	Status     string
	Characters int
	Posts      int
	Error      string `json:",omitempty"`
}

// Keys of the artifacts and items of a world, by their place in the plan.
func keyWorldDescription() string   { return "world/description" }
func keyWorldImagePrompts() string  { return "world/image-prompts" }
func keyCastBatch(batch int) string { return fmt.Sprintf("cast/%d", batch) }
func keyCharacter(pos int) string   { return fmt.Sprintf("character/%d", pos) }
func keyCharacterDetail(pos int) string {
	return keyCharacter(pos) + "/detail"
}
func keyPostBatch(pos, batch int) string { return fmt.Sprintf("character/%d/posts/%d", pos, batch) }
func keyPost(pos, n int) string          { return fmt.Sprintf("character/%d/post/%d", pos, n) }

// Keys of a world's images.
const (
	keyHeader = "world/header"
	keyIcon   = "world/icon"
)

func keyAvatar(pos int) string       { return keyCharacter(pos) + "/avatar" }
func keyPostImage(pos, n int) string { return keyPost(pos, n) + "/image" }

// namespace makes Generia's item IDs distinct from any other name-based UUID.
var namespace = uuid.MustParse("3f6e2b1c-8d4a-5b7e-9c0f-1a2b3c4d5e6f")

// ItemID is the deterministic ID of the item at key in a world.
func ItemID(worldID, key string) string {
	return uuid.NewSHA1(namespace, []byte(worldID+"/"+key)).String()
}

// WorldRef names a world in activity inputs.
type WorldRef struct {
	WorldID  string
	Provider string `json:",omitempty"`
	// Take is which making of a checked item the activity is about: 0 the
	// first, 1 and 2 the ones made again after a check flagged it (see
	// keyTake).
	Take int `json:",omitempty"`
}

// CastBatch is one batch of the cast plan.
type CastBatch struct {
	WorldRef
	Batch, Batches, First, Count, Total int
}

// CharacterRef names the character at a cast position.
type CharacterRef struct {
	WorldRef
	Position int
}

// PostBatch is one batch of a character's post plan.
type PostBatch struct {
	CharacterRef
	Batch, Batches, First, Count, Total int
}

// PostRef names one post of a character.
type PostRef struct {
	CharacterRef
	Number, Total int
}

// ImageJob asks for one image.
type ImageJob struct {
	WorldRef
	Kind     string
	Position int `json:",omitempty"`
	Number   int `json:",omitempty"`
	// Life is set for an image of the world's life.
	Life *LifeImage `json:",omitempty"`
}

// LifeImage is the image of a life post: the post's key (whose text holds
// the image's prompt), its character, and the day its call counts in.
type LifeImage struct {
	Key, CharacterID, Day string
	Settings              generia.LifeSettings
}

// Key is the image's key in the world: its place, and its take when it is
// made again.
func (j ImageJob) Key() string {
	if j.Life != nil {
		return keyTake(j.Life.Key+"/image", j.Take)
	}
	switch j.Kind {
	case generia.MediaWorldHeader:
		return keyTake(keyHeader, j.Take)
	case generia.MediaWorldIcon:
		return keyTake(keyIcon, j.Take)
	case generia.MediaCharacterAvatar:
		return keyTake(keyAvatar(j.Position), j.Take)
	default:
		return keyTake(keyPostImage(j.Position, j.Number), j.Take)
	}
}

// WorldImages attaches a world's header and icon.
type WorldImages struct {
	WorldID, HeaderMediaID, IconMediaID string
}

// Avatar attaches an avatar to a character.
type Avatar struct {
	CharacterRef
	MediaID string
}

// NewPost creates a post from its generated detail and image.
type NewPost struct {
	PostRef
	MediaID string
	// Check is the moderation of its text and image, nil when unchecked
	// (a generation begun before checks).
	Check *Check `json:",omitempty"`
}

// StageUpdate applies stage changes to a world's status record.
type StageUpdate struct {
	WorldID string
	Changes []StageChange
}

// StageChange sets one stage's status.
type StageChange struct{ Stage, Status string }

// Finish ends a world's generation. Error is the detail for the world's
// owner, PublicError the same for anyone else (see publicReason).
type Finish struct {
	WorldID     string
	Status      string
	Error       string `json:",omitempty"`
	PublicError string `json:",omitempty"`
}
