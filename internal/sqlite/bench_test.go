package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/storetest"
)

// benchWorld opens a store with a world of characters and posts (one a
// minute, by the characters in turn) and returns it with the posts' IDs.
func benchWorld(b *testing.B, characters, posts int) (*Store, []string) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := generia.World{ID: "w", Prompt: "p", CharactersCount: characters, PostsCount: posts, Visibility: generia.VisibilityPublic, CreatedAt: t0}
	if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(characters, posts))); err != nil {
		b.Fatal(err)
	}
	for c := range characters {
		if _, _, err := s.CreateCharacter(ctx, generia.Character{ID: fmt.Sprint("c", c), WorldID: "w", Username: fmt.Sprint("user", c), DisplayName: "U", Position: c, CreatedAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
	var ids []string
	for i := range posts {
		p := generia.Post{ID: fmt.Sprint("p", i), WorldID: "w", CharacterID: fmt.Sprint("c", i%characters), Caption: "A caption of a usual length, about a harbour at dusk.",
			Hashtags: []string{"tide", "harbour"}, MediaID: "m", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if _, _, err := s.CreatePost(ctx, p); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return s, ids
}

// BenchmarkHomeFeed measures pages of a home feed (see storetest.BenchHome).
func BenchmarkHomeFeed(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	storetest.BenchHome(b, storetest.Opened(b, s, err), nil)
}

// BenchmarkFeedPage measures one feed page of 20 posts with a viewer, the
// API's hottest read.
func BenchmarkFeedPage(b *testing.B) {
	ctx := context.Background()
	s, _ := benchWorld(b, 10, 200)
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
	s, ids := benchWorld(b, 1, 20)
	if _, err := s.CreateUser(ctx, generia.User{ID: "viewer", Username: "viewer", Email: "v@example.com"}, "x"); err != nil {
		b.Fatal(err)
	}
	for i, id := range ids {
		if i%3 == 0 {
			if _, err := s.Like(ctx, id, "viewer", time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		liked, err := s.LikedPosts(ctx, "viewer", ids)
		if err != nil || len(liked) != 7 {
			b.Fatal(err, len(liked))
		}
	}
}

// BenchmarkReserveLifeCall measures one reservation of a life call, which
// counts in the world's day and, for a world of an account on paid
// providers, in the account's day under its ceilings: the cost of the
// ceilings on every provider call.
func BenchmarkReserveLifeCall(b *testing.B) {
	for _, owned := range []bool{false, true} {
		b.Run(fmt.Sprintf("owned=%v", owned), func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			t0 := time.Now().UTC()
			w := generia.World{ID: "w", Prompt: "p", CharactersCount: 1, PostsCount: 1, Visibility: generia.VisibilityPublic, CreatedAt: t0,
				Providers: generia.Providers{LLM: generia.OfflineProvider, Image: generia.OfflineProvider}}
			if owned {
				if _, err := s.CreateUser(ctx, generia.User{ID: "u", Username: "ada", Email: "ada@example.com", CreatedAt: t0}, "hash"); err != nil {
					b.Fatal(err)
				}
				w.OwnerID, w.Providers = "u", generia.Providers{LLM: "openrouter", Image: "runware"}
			}
			if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))); err != nil {
				b.Fatal(err)
			}
			s.UseCeilings(generia.Ceilings{LifeDailyCalls: 1 << 30, DailyCalls: 1 << 30, DailyBudgetUSD: 5})
			l := generia.LifeSettings{Enabled: true, DailyCalls: 1 << 30, DailyBudgetUSD: 1}
			for b.Loop() {
				if _, err := s.ReserveLifeCall(ctx, "w", "2026-12-07", l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
