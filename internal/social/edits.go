package social

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/generia/generia/internal/generia"
)

// MaxWorldDescription bounds a world's description as its owner edits it.
const MaxWorldDescription = 2000

// A PostEdit is what a person changes of their post; a nil field stays.
type PostEdit struct {
	Caption  *string   `json:"caption"`
	Hashtags *[]string `json:"hashtags"`
}

// A CharacterEdit is what a person changes of their character; a nil field
// stays. Its handle stays: mentions and links name it.
type CharacterEdit struct {
	DisplayName   *string `json:"display_name"`
	Bio           *string `json:"bio"`
	AvatarMediaID *string `json:"avatar_media_id"`
}

// A WorldEdit is what an owner changes of their world; a nil field stays.
type WorldEdit struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Visibility  *string `json:"visibility"`
}

// EditPost changes a post of one of the viewer's characters: nobody edits
// another's post, nor a post of the world's own characters.
func (s *Service) EditPost(ctx context.Context, viewerID, ref, postID string, e PostEdit) (generia.Post, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.Post{}, err
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return generia.Post{}, err
	}
	if c, err := s.Store.Character(ctx, p.CharacterID); err != nil || c.OwnerID != viewerID {
		return generia.Post{}, generia.Errorf(generia.KindForbidden, "you can edit only the posts of your own characters")
	}
	caption, tags := p.Caption, p.Hashtags
	setTrimmed(&caption, e.Caption)
	if e.Hashtags != nil {
		tags = *e.Hashtags
	}
	if err := CheckPostText(caption, tags); err != nil {
		return generia.Post{}, err
	}
	review, verdict, err := s.checkContent(ctx, generia.CheckPost, postText(caption, tags), "", viewerID)
	if err != nil {
		return generia.Post{}, err
	}
	defer s.feeds.changed(p.WorldID)
	sub := generia.Subject{Type: generia.SubjectPost, ID: p.ID}
	if err := s.heldForReview(ctx, sub, review); err != nil {
		return generia.Post{}, err
	}
	s.held(ctx, generia.Snapshot{Subject: sub, WorldID: p.WorldID, AuthorID: viewerID, Text: postText(caption, tags), MediaID: p.MediaID, TakenAt: s.now()}, review, verdict)
	if err := s.Store.EditPost(ctx, p.ID, caption, generia.Hashtags(tags)); err != nil {
		return generia.Post{}, err
	}
	return s.Post(ctx, viewerID, ref, postID)
}

// setTrimmed sets a field to what an edit gives it, trimmed; a nil edit
// leaves it.
func setTrimmed(field, edit *string) {
	if edit != nil {
		*field = strings.TrimSpace(*edit)
	}
}

// EditCharacter changes one of the viewer's characters.
func (s *Service) EditCharacter(ctx context.Context, viewerID, id string, e CharacterEdit) (generia.Character, error) {
	c, err := s.ownCharacter(ctx, viewerID, id, "edit")
	if err != nil {
		return generia.Character{}, err
	}
	setTrimmed(&c.DisplayName, e.DisplayName)
	setTrimmed(&c.Bio, e.Bio)
	if err := checkProfile(c.DisplayName, c.Bio); err != nil {
		return generia.Character{}, err
	}
	if e.AvatarMediaID != nil && *e.AvatarMediaID != c.AvatarMediaID {
		if *e.AvatarMediaID != "" {
			if err := s.ownMedia(ctx, viewerID, c.WorldID, *e.AvatarMediaID); err != nil {
				return generia.Character{}, err
			}
		}
		c.AvatarMediaID = *e.AvatarMediaID
	}
	profile := fmt.Sprintf("%s (@%s)\n%s", c.DisplayName, c.Username, c.Bio)
	avatar := ""
	if e.AvatarMediaID != nil {
		avatar = c.AvatarMediaID
	}
	review, verdict, err := s.checkContent(ctx, generia.CheckProfile, profile, avatar, viewerID)
	if err != nil {
		return generia.Character{}, err
	}
	sub := generia.Subject{Type: generia.SubjectCharacter, ID: c.ID}
	if err := s.heldForReview(ctx, sub, review); err != nil {
		return generia.Character{}, err
	}
	s.held(ctx, generia.Snapshot{Subject: sub, WorldID: c.WorldID, AuthorID: viewerID, Text: profile, MediaID: c.AvatarMediaID, TakenAt: s.now()}, review, verdict)
	defer s.feeds.changed(c.WorldID)
	if err := s.Store.EditCharacter(ctx, c.ID, c.DisplayName, c.Bio, c.AvatarMediaID); err != nil {
		return generia.Character{}, err
	}
	return s.Store.Character(ctx, c.ID)
}

// EditWorld changes the viewer's world.
func (s *Service) EditWorld(ctx context.Context, viewerID, ref string, e WorldEdit) (generia.World, error) {
	ref0, err := s.owned(ctx, viewerID, ref, "edit")
	if err != nil {
		return generia.World{}, err
	}
	w, err := s.Store.World(ctx, ref0.ID)
	if err != nil {
		return generia.World{}, err
	}
	setTrimmed(&w.Name, e.Name)
	setTrimmed(&w.Description, e.Description)
	if e.Visibility != nil {
		w.Visibility = *e.Visibility
	}
	switch {
	case w.Name == "" || utf8.RuneCountInString(w.Name) > generia.MaxNameLength:
		return generia.World{}, generia.FieldErrorf("name", "name must be 1 to %d characters", generia.MaxNameLength)
	case utf8.RuneCountInString(w.Description) > MaxWorldDescription:
		return generia.World{}, generia.FieldErrorf("description", "description must be at most %d characters", MaxWorldDescription)
	case w.Visibility != generia.VisibilityPublic && w.Visibility != generia.VisibilityPrivate:
		return generia.World{}, generia.FieldErrorf("visibility", "visibility must be public or private")
	}
	review, verdict, err := s.checkContent(ctx, generia.CheckWorld, w.Name+"\n"+w.Description, "", viewerID)
	if err != nil {
		return generia.World{}, err
	}
	sub := generia.Subject{Type: generia.SubjectWorld, ID: w.ID}
	if err := s.heldForReview(ctx, sub, review); err != nil {
		return generia.World{}, err
	}
	s.held(ctx, generia.Snapshot{Subject: sub, WorldID: w.ID, AuthorID: viewerID, Text: w.Name + "\n" + w.Description, TakenAt: s.now()}, review, verdict)
	if err := s.Store.EditWorld(ctx, w.ID, w.Name, w.Description, w.Visibility); err != nil {
		return generia.World{}, err
	}
	s.feeds.changed(w.ID)
	return s.Store.World(ctx, w.ID)
}

// DeleteCharacter deletes one of the viewer's own characters with its
// posts, its comments and its likes, and returns what it was. A generated character, or another
// person's, is not the viewer's to delete.
func (s *Service) DeleteCharacter(ctx context.Context, viewerID, id string) (deleted generia.Character, err error) {
	c, err := s.ownCharacter(ctx, viewerID, id, "delete")
	if err != nil {
		return generia.Character{}, err
	}
	defer s.feeds.changed(c.WorldID)
	return c, s.Store.DeleteCharacter(ctx, c.ID)
}

// ownCharacter is one of the viewer's own characters, which they may do
// (edit, delete) to; another's, or a generated one, is forbidden.
func (s *Service) ownCharacter(ctx context.Context, viewerID, id, do string) (generia.Character, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.Character{}, err
	}
	view, err := s.Character(ctx, viewerID, id)
	if err != nil {
		return generia.Character{}, err
	}
	if view.Character.OwnerID != viewerID {
		return generia.Character{}, generia.Errorf(generia.KindForbidden, "you can %s only your own characters", do)
	}
	return view.Character, nil
}
