// Package social is what a person can do in Generia, with who may do it:
// browse worlds, join them, make characters, post, like and comment. The
// JSON API and the web UI both call it, so authorization lives in one place.
//
// A private world is visible to its owner and members only; to anyone else
// it, and everything in it, does not exist (KindNotFound). Only the owner
// cancels or deletes a world. A person posts only as their own characters,
// in worlds they belong to.
package social

import (
	"context"
	"fmt"
	_ "image/gif" // upload decoders
	_ "image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	_ "golang.org/x/image/webp" // WebP uploads

	"github.com/generia/generia/internal/bodylimit"
	"github.com/generia/generia/internal/generia"
)

// Pipeline starts and cancels world generations.
type Pipeline interface {
	Create(ctx context.Context, ownerID string, req generia.NewWorld, providers generia.Providers) (generia.World, error)
	Cancel(ctx context.Context, worldID string) error
}

// Service holds the dependencies.
type Service struct {
	Store    generia.Store
	Files    generia.MediaStore
	Pipeline Pipeline
	// Life is the worlds' life; nil: worlds do not live.
	Life Life
	// Providers are the providers new worlds are generated with.
	Providers generia.Providers
	// UploadQuota is how much one account may upload; the zero value is no
	// quota (the configured one is a setting, in config).
	UploadQuota UploadQuota
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	feeds    feedCache
	variants variants
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Limits.
const (
	MaxCaptionLength    = 2200 // characters, as Instagram
	MaxCommentLength    = 1000
	MaxBioLength        = 300
	MaxDisplayName      = 60
	MaxHashtags         = 30
	MaxCharactersOfUser = 5       // per world
	MaxUploadBytes      = 8 << 20 // bodylimit.Upload leaves room for the form around it
	MaxUploadPixels     = 4096    // on each side
	MinUploadPixels     = 64
)

// WorldView is a world as a viewer sees it.
type WorldView struct {
	World  generia.World
	Status generia.GenerationStatus
	// IsOwner and IsMember describe the viewer.
	IsOwner, IsMember bool
}

// worldRef is what access checks need of a world.
type worldRef struct {
	ID, OwnerID, Visibility string
}

// ref returns a world's ref, read at each check: a world its owner makes
// private is hidden at once from every process, and a deleted one is gone.
func (s *Service) ref(ctx context.Context, id string) (worldRef, error) {
	w, err := s.Store.World(ctx, id)
	if err != nil {
		return worldRef{}, err
	}
	return worldRef{ID: w.ID, OwnerID: w.OwnerID, Visibility: w.Visibility}, nil
}

// visible returns the ref of a world the viewer may see.
func (s *Service) visible(ctx context.Context, viewerID, ref string) (worldRef, error) {
	id := generia.WorldIDFromRef(ref)
	w, err := s.ref(ctx, id)
	if err != nil {
		return w, err
	}
	if w.Visibility == generia.VisibilityPrivate && w.OwnerID != viewerID {
		member := false
		if viewerID != "" {
			if member, err = s.Store.IsMember(ctx, w.ID, viewerID); err != nil {
				return worldRef{}, err
			}
		}
		if !member {
			return worldRef{}, generia.Errorf(generia.KindNotFound, "world %s not found", id)
		}
	}
	return w, nil
}

// signedIn refuses visitors.
func signedIn(viewerID string) error {
	if viewerID == "" {
		return generia.Errorf(generia.KindUnauthorized, "sign in first")
	}
	return nil
}

// World returns a world the viewer may see, with its status and the
// viewer's relation to it. ref may be a world ID or its workflow ID.
func (s *Service) World(ctx context.Context, viewerID, ref string) (WorldView, error) {
	r, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return WorldView{}, err
	}
	w, err := s.Store.World(ctx, r.ID)
	if err != nil {
		return WorldView{}, err
	}
	st, err := s.Store.GenerationStatus(ctx, w.ID)
	if err != nil {
		return WorldView{}, err
	}
	s.viewed(ctx, w.ID)
	v := WorldView{World: w, Status: forViewer(st, w.OwnerID, viewerID), IsOwner: viewerID != "" && w.OwnerID == viewerID}
	if viewerID != "" {
		if v.IsMember, err = s.Store.IsMember(ctx, w.ID, viewerID); err != nil {
			return WorldView{}, err
		}
	}
	return v, nil
}

// Status returns the status record of a world the viewer may see; its
// error in detail only for the owner (see forViewer).
func (s *Service) Status(ctx context.Context, viewerID, ref string) (generia.GenerationStatus, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return generia.GenerationStatus{}, err
	}
	st, err := s.Store.GenerationStatus(ctx, w.ID)
	return forViewer(st, w.OwnerID, viewerID), err
}

// forViewer is a status record as a viewer may read it: the owner reads
// why the generation failed in detail, anyone else its public form (what
// failed and the class of why). A record from before public errors were
// kept has none, and shows no detail either.
func forViewer(st generia.GenerationStatus, ownerID, viewerID string) generia.GenerationStatus {
	if viewerID == "" || viewerID != ownerID {
		st.Error = st.PublicError
		if st.Error == "" && st.Status == generia.StatusFailed {
			st.Error = "the generation failed"
		}
	}
	return st
}

// WorldQuery is which worlds a list shows, and in which order: Scope is
// all, public, mine or joined; Status, if set, a generation status; Search,
// if set, words their name, description or prompt holds; Sort newest (also
// when empty), oldest or posts (most first).
type WorldQuery struct {
	Scope, Status, Search, Sort string
}

// MaxSearchLength bounds a catalog search.
const MaxSearchLength = 100

// Worlds lists worlds for the viewer, in the query's order.
func (s *Service) Worlds(ctx context.Context, viewerID string, q WorldQuery, page generia.Page) ([]generia.World, string, error) {
	scope, status := q.Scope, q.Status
	search := strings.Join(strings.Fields(q.Search), " ")
	if utf8.RuneCountInString(search) > MaxSearchLength {
		return nil, "", generia.Errorf(generia.KindInvalid, "a search is at most %d characters", MaxSearchLength)
	}
	switch scope {
	case "", generia.ScopeAll, generia.ScopePublic:
	case generia.ScopeMine, generia.ScopeJoined:
		if err := signedIn(viewerID); err != nil {
			return nil, "", err
		}
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "scope must be all, public, mine or joined")
	}
	switch status {
	case "", generia.StatusPending, generia.StatusInProgress, generia.StatusCompleted, generia.StatusFailed, generia.StatusCancelled:
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "status must be pending, in_progress, completed, failed or cancelled")
	}
	switch q.Sort {
	case "", generia.SortNewest, generia.SortOldest, generia.SortPosts:
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "sort must be newest, oldest or posts")
	}
	return s.Store.ListWorlds(ctx, generia.WorldFilter{ViewerID: viewerID, Scope: scope, Status: status, Search: search, Sort: q.Sort}, page.Normalize())
}

// CreateWorld asks for a world to be generated with the configured
// providers.
func (s *Service) CreateWorld(ctx context.Context, viewerID string, req generia.NewWorld) (generia.World, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.World{}, err
	}
	return s.Pipeline.Create(ctx, viewerID, req, s.Providers)
}

// owned returns a world the viewer may see and owns.
func (s *Service) owned(ctx context.Context, viewerID, ref, what string) (worldRef, error) {
	if err := signedIn(viewerID); err != nil {
		return worldRef{}, err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return w, err
	}
	if w.OwnerID != viewerID {
		return worldRef{}, generia.Errorf(generia.KindForbidden, "only the world's creator can %s it", what)
	}
	return w, nil
}

// CancelWorld cancels the generation of the viewer's world.
func (s *Service) CancelWorld(ctx context.Context, viewerID, ref string) (generia.GenerationStatus, error) {
	w, err := s.owned(ctx, viewerID, ref, "cancel")
	if err != nil {
		return generia.GenerationStatus{}, err
	}
	if err := s.Pipeline.Cancel(ctx, w.ID); err != nil {
		if generia.IsKind(err, generia.KindStopped) {
			err = generia.Errorf(generia.KindConflict, "the generation has already ended")
		}
		return generia.GenerationStatus{}, err
	}
	return s.Store.GenerationStatus(ctx, w.ID)
}

// DeleteWorld deletes the viewer's world and its media. A generation still
// running is cancelled first.
func (s *Service) DeleteWorld(ctx context.Context, viewerID, ref string) error {
	w, err := s.owned(ctx, viewerID, ref, "delete")
	if err != nil {
		return err
	}
	if st, err := s.Store.GenerationStatus(ctx, w.ID); err == nil && !generia.IsTerminal(st.Status) {
		if err := s.Pipeline.Cancel(ctx, w.ID); err != nil && !generia.IsKind(err, generia.KindStopped) && !generia.IsKind(err, generia.KindNotFound) {
			return err
		}
	}
	if s.Life != nil {
		if err := s.Life.EndLife(ctx, w.ID); err != nil {
			return err
		}
	}
	keys, err := s.Store.DeleteWorld(ctx, w.ID)
	if err != nil {
		return err
	}
	s.feeds.changed(w.ID)
	for _, k := range keys {
		if err := s.deleteMedia(ctx, k); err != nil {
			return fmt.Errorf("deleting media of world %s: %w", w.ID, err)
		}
	}
	return nil
}

// JoinWorld makes the viewer a member of a world they can see.
func (s *Service) JoinWorld(ctx context.Context, viewerID, ref string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return err
	}
	return s.Store.JoinWorld(ctx, w.ID, viewerID, s.now())
}

// LeaveWorld ends the viewer's membership.
func (s *Service) LeaveWorld(ctx context.Context, viewerID, ref string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return err
	}
	return s.Store.LeaveWorld(ctx, w.ID, viewerID)
}

// Characters lists a world's characters.
func (s *Service) Characters(ctx context.Context, viewerID, ref string, page generia.Page) ([]generia.Character, string, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, "", err
	}
	return s.Store.ListCharacters(ctx, w.ID, page.Normalize())
}

// UserCharacters lists the characters a user owns in a world.
func (s *Service) UserCharacters(ctx context.Context, viewerID, ref, userID string) ([]generia.Character, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, err
	}
	return s.Store.ListUserCharacters(ctx, w.ID, userID)
}

// CharacterView is a character's profile.
type CharacterView struct {
	Character  generia.Character
	World      generia.World
	PostsCount int
}

// Character returns a character of a world the viewer may see.
func (s *Service) Character(ctx context.Context, viewerID, id string) (CharacterView, error) {
	c, err := s.Store.Character(ctx, id)
	if err != nil {
		return CharacterView{}, err
	}
	_, err = s.visible(ctx, viewerID, c.WorldID)
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindNotFound, "character %s not found", id)
	}
	if err != nil {
		return CharacterView{}, err
	}
	w, err := s.Store.World(ctx, c.WorldID)
	if err != nil {
		return CharacterView{}, err
	}
	s.viewed(ctx, w.ID)
	n, err := s.Store.CountCharacterPosts(ctx, c.ID)
	return CharacterView{Character: c, World: w, PostsCount: n}, err
}

// CharacterPosts lists a character's posts, newest first.
func (s *Service) CharacterPosts(ctx context.Context, viewerID, id string, page generia.Page) ([]generia.Post, string, error) {
	v, err := s.Character(ctx, viewerID, id)
	if err != nil {
		return nil, "", err
	}
	return s.Store.ListPosts(ctx, generia.PostFilter{WorldID: v.World.ID, CharacterID: id, ViewerID: viewerID}, page.Normalize())
}

// NewCharacter is a person's own character.
type NewCharacter struct {
	Username      string `json:"username"`
	DisplayName   string `json:"display_name"`
	Bio           string `json:"bio"`
	AvatarMediaID string `json:"avatar_media_id"`
}

// CreateCharacter makes a character of the viewer in a world they belong
// to. Its avatar, if any, must be an image the viewer uploaded to that world.
func (s *Service) CreateCharacter(ctx context.Context, viewerID, ref string, nc NewCharacter) (generia.Character, error) {
	w, err := s.member(ctx, viewerID, ref)
	if err != nil {
		return generia.Character{}, err
	}
	nc.DisplayName = strings.TrimSpace(nc.DisplayName)
	nc.Bio = strings.TrimSpace(nc.Bio)
	nc.Username = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(nc.Username), "@")))
	switch {
	case nc.DisplayName == "" || utf8.RuneCountInString(nc.DisplayName) > MaxDisplayName:
		return generia.Character{}, generia.Errorf(generia.KindInvalid, "display_name must be 1 to %d characters", MaxDisplayName)
	case utf8.RuneCountInString(nc.Bio) > MaxBioLength:
		return generia.Character{}, generia.Errorf(generia.KindInvalid, "bio must be at most %d characters", MaxBioLength)
	}
	if nc.Username == "" {
		nc.Username = strings.ToLower(strings.Join(strings.Fields(nc.DisplayName), "_"))
	}
	if !generia.ValidHandle(nc.Username) {
		return generia.Character{}, generia.Errorf(generia.KindInvalid, "username must be 3 to 24 lowercase latin letters, digits or underscores")
	}
	mine, err := s.Store.ListUserCharacters(ctx, w.ID, viewerID)
	if err != nil {
		return generia.Character{}, err
	}
	if len(mine) >= MaxCharactersOfUser {
		return generia.Character{}, generia.Errorf(generia.KindLimit, "you have %d characters in this world, the most one person may have", MaxCharactersOfUser)
	}
	if nc.AvatarMediaID != "" {
		if err := s.ownMedia(ctx, viewerID, w.ID, nc.AvatarMediaID); err != nil {
			return generia.Character{}, err
		}
	}
	c, _, err := s.Store.CreateCharacter(ctx, generia.Character{
		ID: uuid.NewString(), WorldID: w.ID, OwnerID: viewerID, Username: nc.Username, DisplayName: nc.DisplayName,
		Bio: nc.Bio, AvatarMediaID: nc.AvatarMediaID, Position: 1000 + len(mine), CreatedAt: s.now(),
	})
	if generia.IsKind(err, generia.KindConflict) {
		err = generia.Errorf(generia.KindConflict, "@%s is taken in this world; choose another username", nc.Username)
	}
	return c, err
}

// member returns a world the viewer belongs to (owner or member).
func (s *Service) member(ctx context.Context, viewerID, ref string) (worldRef, error) {
	if err := signedIn(viewerID); err != nil {
		return worldRef{}, err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return w, err
	}
	ok, err := s.Store.IsMember(ctx, w.ID, viewerID)
	if err != nil {
		return w, err
	}
	if !ok {
		return worldRef{}, generia.Errorf(generia.KindForbidden, "join the world first")
	}
	return w, nil
}

// ownMedia checks that a media record is the viewer's upload to a world.
func (s *Service) ownMedia(ctx context.Context, viewerID, worldID, mediaID string) error {
	m, err := s.Store.Media(ctx, mediaID)
	if err != nil {
		return err
	}
	if m.OwnerID != viewerID || m.WorldID != worldID {
		return generia.Errorf(generia.KindForbidden, "media %s is not an image you uploaded to this world", mediaID)
	}
	return nil
}

// Feed lists a world's posts, newest first, with whether the viewer likes
// each: one query for the page (shared by every viewer for a second, see
// feedCache) and one for the viewer's likes among its posts.
func (s *Service) Feed(ctx context.Context, viewerID, ref string, page generia.Page) ([]generia.Post, string, error) {
	_, p, err := s.feed(ctx, viewerID, ref, page)
	return p.posts, p.next, err
}

// MaxHashtagLength bounds a hashtag asked for.
const MaxHashtagLength = 60

// Tagged returns a world's posts with a hashtag, newest first, as Feed
// does.
func (s *Service) Tagged(ctx context.Context, viewerID, ref, tag string, page generia.Page) ([]generia.Post, string, error) {
	tag = strings.TrimLeft(strings.TrimSpace(tag), "#")
	if tag == "" || utf8.RuneCountInString(tag) > MaxHashtagLength || strings.ContainsAny(tag, " \t\n#") {
		return nil, "", generia.Errorf(generia.KindInvalid, "a hashtag is 1 to %d characters without spaces", MaxHashtagLength)
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, "", err
	}
	s.viewed(ctx, w.ID)
	return s.Store.ListPosts(ctx, generia.PostFilter{WorldID: w.ID, Hashtag: tag, ViewerID: viewerID}, page.Normalize())
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
		if p.posts, p.next, err = s.Store.ListPosts(ctx, generia.PostFilter{WorldID: w.ID}, page); err != nil {
			return "", feedPage{}, err
		}
		s.feeds.put(key, p, now)
	}
	if viewerID == "" || len(p.posts) == 0 {
		return key, p, nil
	}
	ids := make([]string, len(p.posts))
	for i, post := range p.posts {
		ids[i] = post.ID
	}
	liked, err := s.Store.LikedPosts(ctx, viewerID, ids)
	if err != nil {
		return "", feedPage{}, err
	}
	mine := slices.Clone(p.posts) // the cached page is shared: never change it
	for i := range mine {
		mine[i].Liked = liked[mine[i].ID]
	}
	return key, feedPage{posts: mine, next: p.next}, nil
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
	return p, err
}

// NewPost is a person's post as one of their characters.
type NewPost struct {
	CharacterID string   `json:"character_id"`
	Caption     string   `json:"caption"`
	MediaID     string   `json:"media_id"`
	Hashtags    []string `json:"hashtags"`
}

// CreatePost publishes a post as one of the viewer's characters in a world
// they belong to, with an image they uploaded there.
func (s *Service) CreatePost(ctx context.Context, viewerID, ref string, np NewPost) (generia.Post, error) {
	w, err := s.member(ctx, viewerID, ref)
	if err != nil {
		return generia.Post{}, err
	}
	np.Caption = strings.TrimSpace(np.Caption)
	switch {
	case np.CharacterID == "":
		return generia.Post{}, generia.Errorf(generia.KindInvalid, "character_id is required: post as one of your characters")
	case np.MediaID == "":
		return generia.Post{}, generia.Errorf(generia.KindInvalid, "media_id is required: upload an image first")
	case utf8.RuneCountInString(np.Caption) > MaxCaptionLength:
		return generia.Post{}, generia.Errorf(generia.KindInvalid, "caption must be at most %d characters", MaxCaptionLength)
	case len(np.Hashtags) > MaxHashtags:
		return generia.Post{}, generia.Errorf(generia.KindInvalid, "at most %d hashtags", MaxHashtags)
	}
	c, err := s.Store.Character(ctx, np.CharacterID)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && c.WorldID != w.ID) {
		return generia.Post{}, generia.Errorf(generia.KindInvalid, "character %s is not in this world", np.CharacterID)
	}
	if err != nil {
		return generia.Post{}, err
	}
	if c.OwnerID != viewerID {
		return generia.Post{}, generia.Errorf(generia.KindForbidden, "you can post only as your own characters")
	}
	if err := s.ownMedia(ctx, viewerID, w.ID, np.MediaID); err != nil {
		return generia.Post{}, err
	}
	tags := generia.Hashtags(np.Hashtags)
	defer s.feeds.changed(w.ID)
	p, _, err := s.Store.CreatePost(ctx, generia.Post{
		ID: uuid.NewString(), WorldID: w.ID, CharacterID: c.ID, Caption: np.Caption, Hashtags: tags, MediaID: np.MediaID, CreatedAt: s.now(),
	})
	if err != nil {
		return p, err
	}
	if s.Life != nil {
		if err := s.Life.Posted(ctx, w.ID, p.ID); err != nil {
			slog.Warn("telling a world's life of a post", "world_id", w.ID, "post_id", p.ID, "error", err) // the post stands
		}
	}
	return s.Store.Post(ctx, p.ID, viewerID)
}

// Like and Unlike set whether the viewer likes a post; both are idempotent
// and return the post's like count.
func (s *Service) Like(ctx context.Context, viewerID, ref, postID string, like bool) (int, error) {
	if err := signedIn(viewerID); err != nil {
		return 0, err
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return 0, err
	}
	defer s.feeds.changed(p.WorldID)
	if like {
		return s.Store.Like(ctx, p.ID, viewerID, s.now())
	}
	return s.Store.Unlike(ctx, p.ID, viewerID)
}

// Likes lists who likes a post.
func (s *Service) Likes(ctx context.Context, viewerID, ref, postID string, page generia.Page) ([]generia.Like, string, error) {
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return nil, "", err
	}
	return s.Store.ListLikes(ctx, p.ID, page.Normalize())
}

// Comments lists a post's comments, oldest first.
func (s *Service) Comments(ctx context.Context, viewerID, ref, postID string, page generia.Page) ([]generia.Comment, string, error) {
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return nil, "", err
	}
	return s.Store.ListComments(ctx, p.ID, page.Normalize())
}

// DeleteComment deletes a comment: its author's, or any in the viewer's own
// world.
func (s *Service) DeleteComment(ctx context.Context, viewerID, ref, postID, commentID string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return err
	}
	c, err := s.Store.Comment(ctx, commentID)
	if err == nil && c.PostID != p.ID {
		err = generia.Errorf(generia.KindNotFound, "comment %s not found on this post", commentID)
	}
	if err != nil {
		return err
	}
	if c.UserID != viewerID {
		w, err := s.Store.World(ctx, p.WorldID)
		if err != nil {
			return err
		}
		if w.OwnerID != viewerID {
			return generia.Errorf(generia.KindForbidden, "you can delete only your own comments")
		}
	}
	defer s.feeds.changed(p.WorldID)
	return s.Store.DeleteComment(ctx, c.ID)
}

// DeletePost deletes a post: one of the viewer's characters', or, as the
// world's owner, any in their world.
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
// character is theirs, or the world is.
func (s *Service) mayRemovePost(ctx context.Context, viewerID string, p generia.Post) bool {
	if viewerID == "" {
		return false
	}
	if c, err := s.Store.Character(ctx, p.CharacterID); err == nil && c.OwnerID == viewerID {
		return true
	}
	w, err := s.ref(ctx, p.WorldID)
	return err == nil && w.OwnerID == viewerID
}

// UploadQuota is how much one account may upload in a period, in images
// and in bytes (as stored, after cleanImage).
type UploadQuota struct {
	Images int
	Bytes  int64
	Period time.Duration
}

// Upload stores an image the viewer uploads to a world they belong to,
// within the account's quota. The image is decoded whole and encoded
// again (see cleanImage): a file that is not a whole PNG, JPEG, WebP or
// GIF of 64 to 4096 pixels a side is refused with KindInvalid, and none of
// its metadata is kept. Over the quota gives KindLimit. Uploads that no
// post or character uses are removed after a day (RemoveUnusedUploads).
func (s *Service) Upload(ctx context.Context, viewerID, ref string, r io.Reader) (generia.Media, error) {
	w, err := s.member(ctx, viewerID, ref)
	if err != nil {
		return generia.Media{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		if tooLarge, ok := bodylimit.Is(err); ok {
			return generia.Media{}, tooLarge
		}
		return generia.Media{}, generia.WrapError(generia.KindInvalid, err, "the upload could not be read")
	}
	if len(data) > MaxUploadBytes {
		return generia.Media{}, generia.Errorf(generia.KindTooLarge, "the image is larger than %d MB", MaxUploadBytes>>20)
	}
	quota := s.UploadQuota
	limited := quota != (UploadQuota{})
	var used int64
	if limited {
		var count int
		if count, used, err = s.Store.UploadUsage(ctx, viewerID, s.now().Add(-quota.Period)); err != nil {
			return generia.Media{}, err
		}
		if count >= quota.Images {
			return generia.Media{}, generia.Errorf(generia.KindLimit, "you uploaded %d images in the last %s, the most an account may; try again later", count, quota.Period)
		}
	}
	clean, ctype, width, height, err := cleanImage(data)
	if err != nil {
		return generia.Media{}, err
	}
	if limited && used+int64(len(clean)) > quota.Bytes {
		return generia.Media{}, generia.Errorf(generia.KindLimit, "you uploaded %d MB in the last %s; %d MB is the most an account may", used>>20, quota.Period, quota.Bytes>>20)
	}
	id := uuid.NewString()
	key := fmt.Sprintf("worlds/%s/uploads/%s.%s", w.ID, id, strings.TrimPrefix(ctype, "image/"))
	if err := s.Files.Put(ctx, key, ctype, clean); err != nil {
		return generia.Media{}, fmt.Errorf("storing an upload: %w", err)
	}
	m, _, err := s.Store.CreateMedia(ctx, generia.Media{
		ID: id, WorldID: w.ID, OwnerID: viewerID, Kind: generia.MediaUpload, ContentType: ctype,
		Size: int64(len(clean)), Width: width, Height: height, ObjectKey: key, CreatedAt: s.now(),
	})
	return m, err
}

// UnusedUploadAge is how long an upload that no post or character uses is
// kept.
const UnusedUploadAge = 24 * time.Hour

// RemoveUnusedUploads deletes the uploads that no post or character uses
// and that are older than UnusedUploadAge, their files with them, and
// returns how many it removed. Several processes may run it at once: an
// upload is removed once, and never while something uses it.
func (s *Service) RemoveUnusedUploads(ctx context.Context) (int, error) {
	removed := 0
	for {
		ms, err := s.Store.UnusedUploads(ctx, s.now().Add(-UnusedUploadAge), 100)
		if err != nil || len(ms) == 0 {
			return removed, err
		}
		for _, m := range ms {
			key, deleted, err := s.Store.DeleteUnusedUpload(ctx, m.ID)
			if err != nil {
				return removed, err
			}
			if !deleted {
				continue // used meanwhile, or removed by another process
			}
			if err := s.deleteMedia(ctx, key); err != nil {
				return removed, fmt.Errorf("deleting the file of unused upload %s: %w", m.ID, err)
			}
			removed++
		}
		if len(ms) < 100 {
			return removed, nil
		}
	}
}

// Media returns a media record the viewer may see, and whether its world is
// private (so that caches keep it private).
func (s *Service) Media(ctx context.Context, viewerID, id string) (generia.Media, bool, error) {
	m, err := s.Store.Media(ctx, id)
	if err != nil {
		return m, false, err
	}
	w, err := s.visible(ctx, viewerID, m.WorldID)
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindNotFound, "media %s not found", id)
	}
	return m, w.Visibility == generia.VisibilityPrivate, err
}

// CostEstimate is what a new world's calls are likely to cost with the
// providers new worlds use, from what their paid calls cost lately.
type CostEstimate struct {
	Providers generia.Providers
	// LLM and Image average the providers' recent paid calls; Calls is 0
	// for the offline provider and for a provider with no paid call yet.
	LLM, Image generia.CallCost
}

// Free says new worlds cost nothing: both providers are the offline ones.
func (e CostEstimate) Free() bool { return e.Providers.Free() }

// Known says there is a price for every paid provider.
func (e CostEstimate) Known() bool {
	return (e.Providers.LLM == generia.OfflineProvider || e.LLM.Calls > 0) &&
		(e.Providers.Image == generia.OfflineProvider || e.Image.Calls > 0)
}

// USD forecasts the cost of llm calls and images at the recent averages.
func (e CostEstimate) USD(llm, images int) float64 {
	return float64(llm)*e.LLM.AverageUSD + float64(images)*e.Image.AverageUSD
}

// EstimateCost reads the recent prices of the providers new worlds use.
func (s *Service) EstimateCost(ctx context.Context) (CostEstimate, error) {
	e := CostEstimate{Providers: s.Providers}
	for _, p := range []struct {
		kind, provider string
		into           *generia.CallCost
	}{{generia.CallLLM, s.Providers.LLM, &e.LLM}, {generia.CallImage, s.Providers.Image, &e.Image}} {
		if p.provider == generia.OfflineProvider {
			continue
		}
		c, err := s.Store.RecentCallCost(ctx, p.kind, p.provider)
		if err != nil {
			return CostEstimate{}, err
		}
		*p.into = c
	}
	return e, nil
}
