package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A comment deleted once a character answered it stays as a deleted place
// in its thread, with no text: no other character is asked to answer it.
func TestLifeAnswersNoDeletedComment(t *testing.T) {
	ctx := context.Background()
	db, acts := checkedWorld(t, "hello @ilo")
	if plan, err := acts.PlanLife(ctx, step("m1")); err != nil || len(plan) != 2 {
		t.Fatalf("plan %+v, %v; want mara (the post's) and ilo (mentioned)", plan, err)
	}
	if _, err := db.AddComment(ctx, generia.Comment{ID: "m2", PostID: "p1", CharacterID: "c1", IsAI: true, ParentID: "m1", Text: "Hello, Sam.", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteComment(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if plan, err := acts.PlanLife(ctx, step("m1")); err != nil || len(plan) != 0 {
		t.Errorf("a deleted comment with a reply: plan %+v, %v; want nothing planned", plan, err)
	}
}
