package pipeline

import (
	"context"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/imagevariant"
)

// WarmFirstView makes the variants of a completed world's first view that
// are not made yet: of its header and icon, its characters' avatars and the
// pictures of its newest posts, at generia.FirstViewWidths, one at a time:
// background work that leaves the other cores to generations, lives and
// visitors. The first visitor then waits for none (the own-size copy of a
// post picture takes a core about a fifth of a second). It returns how many
// it made.
func (a *Activities) WarmFirstView(ctx context.Context, worldID string) (int, error) {
	ids, err := a.firstView(ctx, worldID)
	if err != nil {
		return 0, storeError(err)
	}
	type job struct {
		m     generia.Media
		width int
		key   string
	}
	var jobs []job
	seen := map[string]bool{}
	for _, id := range ids {
		m, err := a.Store.Media(ctx, id)
		if err != nil {
			return 0, storeError(err)
		}
		if m.ContentType == "image/gif" {
			continue // served as it is
		}
		for _, requested := range generia.FirstViewWidths[m.Kind] {
			width, key, err := m.Variant(requested)
			if err != nil || seen[key] {
				continue
			}
			seen[key] = true
			jobs = append(jobs, job{m, width, key})
		}
	}
	made := 0
	for _, j := range jobs {
		// Looked for just before: a first visitor may have asked for it
		// meanwhile, or an earlier attempt made it.
		if body, err := a.Media.Open(ctx, j.key); err == nil {
			body.Close()
			continue
		}
		if _, err := imagevariant.Store(ctx, a.Media, a.Store, j.m, j.width); err != nil {
			return made, err
		}
		made++
	}
	return made, nil
}

// firstView lists the media of a world's first view: its header and icon,
// every character's avatar and the pictures of its newest generia.FeedPage
// posts.
func (a *Activities) firstView(ctx context.Context, worldID string) ([]string, error) {
	w, err := a.Store.World(ctx, worldID)
	if err != nil {
		return nil, err
	}
	var ids []string
	add := func(id string) {
		if id != "" {
			ids = append(ids, id)
		}
	}
	add(w.HeaderMediaID)
	add(w.IconMediaID)
	posts, _, err := a.Store.ListPosts(ctx, generia.PostFilter{WorldID: worldID}, generia.Page{Limit: generia.FeedPage})
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		add(p.MediaID)
	}
	for page := (generia.Page{Limit: generia.MaxPageSize}); ; {
		chars, next, err := a.Store.ListCharacters(ctx, worldID, page)
		if err != nil {
			return nil, err
		}
		for _, c := range chars {
			add(c.AvatarMediaID)
		}
		if next == "" {
			return ids, nil
		}
		page.Cursor = next
	}
}
