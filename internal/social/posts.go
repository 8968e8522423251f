package social

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
)

// Feed lists a world's posts, newest first, with whether the viewer likes
// each: one query for the page (shared by every viewer for a second, see
// feedCache) and one for the viewer's likes among its posts.
func (s *Service) Feed(ctx context.Context, viewerID, ref string, page generia.Page) ([]generia.Post, string, error) {
	_, p, err := s.feed(ctx, viewerID, ref, page)
	return p.posts, p.next, err
}

// Tagged returns a world's posts with a hashtag, newest first, as Feed
// does.
func (s *Service) Tagged(ctx context.Context, viewerID, ref, tag string, page generia.Page) ([]generia.Post, string, error) {
	tag = strings.TrimLeft(strings.TrimSpace(tag), "#")
	if tag == "" || utf8.RuneCountInString(tag) > generia.MaxHashtagLength || strings.ContainsAny(tag, " \t\n#") {
		return nil, "", generia.Errorf(generia.KindInvalid, "a hashtag is 1 to %d characters without spaces", generia.MaxHashtagLength)
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, "", err
	}
	s.viewed(ctx, w.ID)
	posts, next, err := s.Store.ListPosts(ctx, generia.PostFilter{WorldID: w.ID, Hashtag: tag, ViewerID: viewerID}, page.Normalize())
	if err != nil {
		return nil, "", err
	}
	posts, err = s.seenPosts(ctx, viewerID, w, posts)
	return posts, next, err
}

// EncodedFeed is Feed turned into bytes by encode (the API's JSON). A
// visitor's page is encoded once and kept with the cached page; the feed
// is the most requested route and the encoding its largest cost.
func (s *Service) EncodedFeed(ctx context.Context, viewerID, ref string, page generia.Page,
	encode func(posts []generia.Post, next string) ([]byte, error)) ([]byte, error) {
	key, p, err := s.feed(ctx, viewerID, ref, page)
	if err != nil {
		return nil, err
	}
	if viewerID != "" {
		return encode(p.posts, p.next)
	}
	if p.encoded == nil {
		if p.encoded, err = encode(p.posts, p.next); err != nil {
			return nil, err
		}
		s.feeds.put(key, p, time.Now())
	}
	return p.encoded, nil
}

// feed reads a feed page, from the cache when it can, with the viewer's
// likes; it returns the page's cache key. A visitor's page is the cached
// one itself, never to be changed.
func (s *Service) feed(ctx context.Context, viewerID, ref string, page generia.Page) (string, feedPage, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return "", feedPage{}, err
	}
	s.viewed(ctx, w.ID)
	page = page.Normalize()
	now := time.Now()
	key, p, ok := s.feeds.lookup(w.ID, page, now)
	if !ok {
		if p.all, p.next, err = s.Store.ListPosts(ctx, generia.PostFilter{WorldID: w.ID}, page); err != nil {
			return "", feedPage{}, err
		}
		p.posts = visiblePosts(p.all)
		s.feeds.put(key, p, now)
	}
	if viewerID == "" || len(p.all) == 0 {
		return key, p, nil
	}
	// The cached page is shared: never change it.
	mine, err := s.seenPosts(ctx, viewerID, w, slices.Clone(p.all))
	if err != nil || len(mine) == 0 {
		return "", feedPage{next: p.next}, err
	}
	ids := make([]string, len(mine))
	for i, post := range mine {
		ids[i] = post.ID
	}
	liked, err := s.Store.LikedPosts(ctx, viewerID, ids)
	if err != nil {
		return "", feedPage{}, err
	}
	for i := range mine {
		mine[i].Liked = liked[mine[i].ID]
	}
	return key, feedPage{posts: mine, next: p.next}, nil
}

// visiblePosts are the posts of a page anyone sees: none held or hidden.
func visiblePosts(all []generia.Post) []generia.Post {
	if !slices.ContainsFunc(all, func(p generia.Post) bool { return !p.Review.Visible() }) {
		return all
	}
	return slices.DeleteFunc(slices.Clone(all), func(p generia.Post) bool { return !p.Review.Visible() })
}

// Post returns one post of a world.
func (s *Service) Post(ctx context.Context, viewerID, ref, postID string) (generia.Post, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return generia.Post{}, err
	}
	s.viewed(ctx, w.ID)
	p, err := s.Store.Post(ctx, postID, viewerID)
	if err == nil && p.WorldID != w.ID {
		err = generia.Errorf(generia.KindNotFound, "post %s not found in this world", postID)
	}
	if err == nil && !p.Review.Visible() {
		if kept, serr := s.seenPosts(ctx, viewerID, w, []generia.Post{p}); serr != nil {
			err = serr
		} else if len(kept) == 0 {
			err = generia.Errorf(generia.KindNotFound, "post %s not found in this world", postID)
		}
	}
	return p, err
}

// NewPost is a person's post as one of their characters.
type NewPost struct {
	CharacterID string   `json:"character_id"`
	Caption     string   `json:"caption"`
	MediaID     string   `json:"media_id"`
	Hashtags    []string `json:"hashtags"`
}

// CheckPostText is the rule of a post's caption (trimmed) and hashtags,
// for a new post and an edit alike: a KindInvalid error naming the field.
func CheckPostText(caption string, hashtags []string) error {
	switch {
	case utf8.RuneCountInString(caption) > MaxCaptionLength:
		return generia.FieldErrorf("caption", "caption must be at most %d characters", MaxCaptionLength)
	case len(hashtags) > MaxHashtags:
		return generia.FieldErrorf("hashtags", "at most %d hashtags", MaxHashtags)
	}
	return nil
}

// CreatePost publishes a post as one of the viewer's characters in a world
// they belong to, with an image they uploaded there.
func (s *Service) CreatePost(ctx context.Context, viewerID, ref string, np NewPost) (generia.Post, error) {
	w, err := s.contributor(ctx, viewerID, ref)
	if err != nil {
		return generia.Post{}, err
	}
	np.Caption = strings.TrimSpace(np.Caption)
	switch {
	case np.CharacterID == "":
		return generia.Post{}, generia.FieldErrorf("character_id", "character_id is required: post as one of your characters")
	case np.MediaID == "":
		return generia.Post{}, generia.FieldErrorf("media_id", "media_id is required: upload an image first")
	}
	if err := CheckPostText(np.Caption, np.Hashtags); err != nil {
		return generia.Post{}, err
	}
	c, err := s.Store.Character(ctx, np.CharacterID)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && c.WorldID != w.ID) {
		return generia.Post{}, generia.FieldErrorf("character_id", "character %s is not in this world", np.CharacterID)
	}
	if err != nil {
		return generia.Post{}, err
	}
	if c.OwnerID != viewerID {
		return generia.Post{}, generia.Errorf(generia.KindForbidden, "you can post only as your own characters")
	}
	if c.Silenced {
		return generia.Post{}, generia.Errorf(generia.KindForbidden, "@%s is silenced by moderators", c.Username)
	}
	if err := s.ownMedia(ctx, viewerID, w.ID, np.MediaID); err != nil {
		return generia.Post{}, err
	}
	tags := generia.Hashtags(np.Hashtags)
	review, verdict, err := s.checkContent(ctx, generia.CheckPost, postText(np.Caption, tags), np.MediaID, viewerID)
	if err != nil {
		return generia.Post{}, err
	}
	defer s.feeds.changed(w.ID)
	p, _, err := s.Store.CreatePost(ctx, generia.Post{
		ID: uuid.NewString(), WorldID: w.ID, CharacterID: c.ID, Caption: np.Caption, Hashtags: tags, MediaID: np.MediaID,
		Review: review, CreatedAt: s.now(),
	})
	if err != nil {
		return p, err
	}
	s.held(ctx, generia.Snapshot{Subject: generia.Subject{Type: generia.SubjectPost, ID: p.ID}, WorldID: w.ID, AuthorID: viewerID,
		Text: postText(np.Caption, tags), MediaID: np.MediaID, TakenAt: s.now()}, review, verdict)
	if s.Life != nil {
		if err := s.Life.Posted(ctx, w.ID, p.ID); err != nil {
			slog.Warn("telling a world's life of a post", "world_id", w.ID, "post_id", p.ID, "error", err) // the post stands
		}
	}
	return s.Store.Post(ctx, p.ID, viewerID)
}

// postText is what a check of a post reads: its caption and hashtags.
func postText(caption string, tags []string) string {
	if len(tags) == 0 {
		return caption
	}
	return caption + "\n#" + strings.Join(tags, " #")
}

// DeletePost deletes a post: one of the viewer's characters', or, as the
// world's owner or a co-owner, any in the world.
func (s *Service) DeletePost(ctx context.Context, viewerID, ref, postID string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return err
	}
	if !s.mayRemovePost(ctx, viewerID, p) {
		return generia.Errorf(generia.KindForbidden, "you can delete only the posts of your own characters")
	}
	defer s.feeds.changed(p.WorldID)
	return s.Store.DeletePost(ctx, p.ID)
}

// mayRemovePost reports whether the viewer may delete a post: its
// character is theirs, or they own or co-own the world.
func (s *Service) mayRemovePost(ctx context.Context, viewerID string, p generia.Post) bool {
	if viewerID == "" {
		return false
	}
	if c, err := s.Store.Character(ctx, p.CharacterID); err == nil && c.OwnerID == viewerID {
		return true
	}
	w, err := s.ref(ctx, p.WorldID)
	if err != nil {
		return false
	}
	ok, err := s.stewards(ctx, w, viewerID)
	return err == nil && ok
}
