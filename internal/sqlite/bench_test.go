package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// BenchmarkFeedPage measures one feed page of 20 posts with a viewer, the
// API's hottest read.
func BenchmarkFeedPage(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := generia.World{ID: "w", Prompt: "p", CharactersCount: 10, PostsCount: 200, Visibility: generia.VisibilityPublic, CreatedAt: t0}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(10, 200))); err != nil {
		b.Fatal(err)
	}
	for c := range 10 {
		if _, _, err := s.CreateCharacter(ctx, generia.Character{ID: fmt.Sprint("c", c), WorldID: "w", Username: fmt.Sprint("user", c), DisplayName: "U", Position: c, CreatedAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 200 {
		p := generia.Post{ID: fmt.Sprint("p", i), WorldID: "w", CharacterID: fmt.Sprint("c", i%10), Caption: "A caption of a usual length, about a harbour at dusk.",
			Hashtags: []string{"tide", "harbour"}, MediaID: "m", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if _, _, err := s.CreatePost(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			posts, _, err := s.ListPosts(ctx, generia.PostFilter{WorldID: "w", ViewerID: "viewer"}, generia.Page{Limit: 20})
			if err != nil || len(posts) != 20 {
				b.Fatal(err, len(posts))
			}
		}
	})
}

// BenchmarkLikedPosts measures reading a viewer's likes among a feed page of
// 20 posts, which every signed-in feed page adds to the shared page.
func BenchmarkLikedPosts(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := generia.World{ID: "w", Prompt: "p", CharactersCount: 1, PostsCount: 20, Visibility: generia.VisibilityPublic, CreatedAt: t0}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 20))); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.CreateCharacter(ctx, generia.Character{ID: "c", WorldID: "w", Username: "user", DisplayName: "U", CreatedAt: t0}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, generia.User{ID: "viewer", Username: "viewer", Email: "v@example.com", CreatedAt: t0}, "x"); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i := range 20 {
		p := generia.Post{ID: fmt.Sprint("p", i), WorldID: "w", CharacterID: "c", Caption: "c", MediaID: "m", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if _, _, err := s.CreatePost(ctx, p); err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.Like(ctx, p.ID, "viewer", t0); err != nil {
				b.Fatal(err)
			}
		}
		ids = append(ids, p.ID)
	}
	b.ResetTimer()
	for b.Loop() {
		liked, err := s.LikedPosts(ctx, "viewer", ids)
		if err != nil || len(liked) != 7 {
			b.Fatal(err, len(liked))
		}
	}
}
