package storetest

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Sizes of BenchHome's home: a person in homeWorlds worlds (the first they
// own, the others they joined), each of homeCharacters characters with
// homePosts posts each, who follows homeFollowed characters of other,
// public worlds of the same size.
const (
	homeWorlds     = 20
	homeCharacters = 10
	homePosts      = 50
	homeFollowed   = 50
)

// BenchHome measures pages of 20 posts of the home feed of a person in 20
// worlds (10 characters of 50 posts each) who follows 50 characters of 5
// other public worlds: the first page, and a page 100 pages deep. settle,
// if not nil, runs once the home is stored (PostgreSQL's ANALYZE, which a
// database's autovacuum would have run by then).
func BenchHome(b *testing.B, s generia.Store, settle func()) {
	ctx := context.Background()
	seedBenchHome(b, ctx, s)
	if settle != nil {
		settle()
	}
	page := generia.Page{Limit: 20}
	deep := page
	for range 100 {
		_, next, err := s.HomeFeed(ctx, "u-reader", deep)
		if err != nil || next == "" {
			b.Fatal("walking to page 100:", err)
		}
		deep.Cursor = next
	}
	for _, p := range []struct {
		name string
		page generia.Page
	}{{"first page", page}, {"page 100", deep}} {
		b.Run(p.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				posts, _, err := s.HomeFeed(ctx, "u-reader", p.page)
				if err != nil || len(posts) != page.Limit {
					b.Fatal(len(posts), err)
				}
			}
			// The time this process computed, apart from the time it
			// waited: on a busy machine ns/op is mostly waiting.
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the user and system time the process used so far, in
// nanoseconds.
func cpuTime() int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return u.Utime.Nano() + u.Stime.Nano()
}

// seedBenchHome stores BenchHome's home. Posts are a minute apart across
// all worlds, so that every source has posts on every page.
func seedBenchHome(b *testing.B, ctx context.Context, s generia.Store) {
	b.Helper()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"reader", "owner"} {
		if _, err := s.CreateUser(ctx, generia.User{ID: "u-" + name, Username: name, Email: name + "@example.com", CreatedAt: t0}, "x"); err != nil {
			b.Fatal(err)
		}
	}
	followedWorlds := homeFollowed / homeCharacters
	for wi := range homeWorlds + followedWorlds {
		id := fmt.Sprint("w", wi)
		owner := "u-owner"
		if wi == 0 {
			owner = "u-reader"
		}
		w := generia.World{ID: id, OwnerID: owner, Prompt: "p", CharactersCount: homeCharacters, PostsCount: homeCharacters * homePosts,
			Visibility: generia.VisibilityPublic, CreatedAt: t0}
		if err := s.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(homeCharacters, homeCharacters*homePosts))); err != nil {
			b.Fatal(err)
		}
		if wi > 0 && wi < homeWorlds {
			if err := s.JoinWorld(ctx, id, "u-reader", t0); err != nil {
				b.Fatal(err)
			}
		}
		for ci := range homeCharacters {
			c := generia.Character{ID: fmt.Sprint(id, "c", ci), WorldID: id, Username: fmt.Sprint("user", ci), DisplayName: "U", Position: ci, CreatedAt: t0}
			if _, _, err := s.CreateCharacter(ctx, c); err != nil {
				b.Fatal(err)
			}
			if wi >= homeWorlds {
				if err := s.FollowCharacter(ctx, "u-reader", c.ID, t0); err != nil {
					b.Fatal(err)
				}
			}
		}
		for pi := range homeCharacters * homePosts {
			p := generia.Post{ID: fmt.Sprint(id, "p", pi), WorldID: id, CharacterID: fmt.Sprint(id, "c", pi%homeCharacters),
				Caption: "A caption of a usual length, about a harbour at dusk.", Hashtags: []string{"tide", "harbour"},
				CreatedAt: t0.Add(time.Duration(pi*(homeWorlds+followedWorlds)+wi) * time.Minute)}
			if _, _, err := s.CreatePost(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
