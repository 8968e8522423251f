package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// benchReplies measures how soon a world's characters answer a person: a
// new world of 2 characters, then n comments one after the other on its
// posts, each timed from the moment it is sent (before its check) to the
// reply in the store.
func benchReplies(ctx context.Context, a *app.App, n int, out io.Writer) error {
	w, err := a.Pipeline.Create(ctx, "", generia.NewWorld{Prompt: "A benchmark harbour of chatty ferry pilots", CharactersCount: 2, PostsCount: 4}, a.Providers)
	if err != nil {
		return err
	}
	_ = a.Temporal.GetWorkflow(ctx, w.WorkflowID, "").Get(ctx, nil)
	if st, err := a.Store.GenerationStatus(ctx, w.ID); err != nil || st.Status != generia.StatusCompleted {
		return fmt.Errorf("the world to answer in did not complete: %s %v", st.Status, err)
	}
	user := generia.User{ID: uuid.NewString(), Username: "bench_" + uuid.NewString()[:8], CreatedAt: time.Now()}
	user.Email = user.Username + "@example.com"
	if _, err := a.Store.CreateUser(ctx, user, "not a password hash"); err != nil {
		return err
	}
	posts, _, err := a.Store.ListPosts(ctx, generia.PostFilter{WorldID: w.ID}, generia.Page{Limit: 10})
	if err != nil || len(posts) == 0 {
		return fmt.Errorf("the world's posts: %d, %v", len(posts), err)
	}
	// The comments are made as a person makes them, through the social
	// service: checked by the moderator (when one is set) before they are
	// stored, then told to the world's life.
	svc := &social.Service{Store: a.Store, Pipeline: a.Pipeline, Life: a.Pipeline, Providers: a.Providers,
		Moderator: a.Moderator, Policy: a.Policy}
	var took []time.Duration
	for i := range n {
		post := posts[i%len(posts)]
		asked := time.Now()
		c, err := svc.AddComment(ctx, user.ID, w.ID, post.ID, social.NewComment{Text: fmt.Sprintf("Question %d: what brings you out on the water today?", i+1)})
		if err != nil {
			return err
		}
		if c.Answer.Status == social.AnswerNone {
			return fmt.Errorf("comment %d will not be answered: %s", i+1, c.Answer.Message)
		}
		if err := waitReply(ctx, a, post.ID, c.ID, time.Minute); err != nil {
			return fmt.Errorf("comment %d: %w", i+1, err)
		}
		took = append(took, time.Since(asked))
	}
	slices.Sort(took)
	pct := func(p float64) time.Duration {
		return took[min(len(took)-1, int(p*float64(len(took))))].Round(time.Millisecond)
	}
	fmt.Fprintf(out, "replies to a person's comment: %d, p50 %v, p95 %v, max %v\n", n, pct(0.5), pct(0.95), took[len(took)-1].Round(time.Millisecond))
	return nil
}

// waitReply waits for an AI reply to a comment.
func waitReply(ctx context.Context, a *app.App, postID, commentID string, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		comments, _, err := a.Store.ListComments(ctx, postID, generia.Page{Limit: generia.MaxPageSize})
		if err != nil {
			return err
		}
		for _, c := range comments {
			if c.IsAI && c.ParentID == commentID {
				return nil
			}
		}
	}
	return errors.New("no reply in " + timeout.String())
}
