package social

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
)

// Characters lists a world's characters.
func (s *Service) Characters(ctx context.Context, viewerID, ref string, page generia.Page) ([]generia.Character, string, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, "", err
	}
	chars, next, err := s.Store.ListCharacters(ctx, w.ID, page.Normalize())
	if err != nil {
		return nil, "", err
	}
	chars, err = s.seenCharacters(ctx, viewerID, w, chars)
	return chars, next, err
}

// UserCharacters lists the characters a user owns in a world.
func (s *Service) UserCharacters(ctx context.Context, viewerID, ref, userID string) ([]generia.Character, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, err
	}
	chars, err := s.Store.ListUserCharacters(ctx, w.ID, userID)
	if err != nil {
		return nil, err
	}
	return s.seenCharacters(ctx, viewerID, w, chars)
}

// CharacterView is a character's profile.
type CharacterView struct {
	Character  generia.Character
	World      generia.World
	PostsCount int
	// Following is whether the viewer follows the character.
	Following bool
}

// Character returns a character of a world the viewer may see.
func (s *Service) Character(ctx context.Context, viewerID, id string) (CharacterView, error) {
	c, _, err := s.seenCharacter(ctx, viewerID, id)
	if err != nil {
		return CharacterView{}, err
	}
	w, err := s.Store.World(ctx, c.WorldID)
	if err != nil {
		return CharacterView{}, err
	}
	s.viewed(ctx, w.ID)
	n, err := s.Store.CountCharacterPosts(ctx, c.ID)
	if err != nil {
		return CharacterView{}, err
	}
	follows, err := s.Store.Follows(ctx, viewerID, []string{c.ID})
	return CharacterView{Character: c, World: w, PostsCount: n, Following: follows[c.ID]}, err
}

// seenCharacter returns a character the viewer sees, with its world: one
// of a world they may see, and not held or hidden from them. Any other
// gives KindNotFound, as an unknown one does.
func (s *Service) seenCharacter(ctx context.Context, viewerID, id string) (generia.Character, worldRef, error) {
	c, err := s.Store.Character(ctx, id)
	var ref worldRef
	if err == nil {
		ref, err = s.visible(ctx, viewerID, c.WorldID)
	}
	if err == nil {
		if kept, serr := s.seenCharacters(ctx, viewerID, ref, []generia.Character{c}); serr != nil {
			err = serr
		} else if len(kept) == 0 {
			err = generia.Errorf(generia.KindNotFound, "character %s not found", id)
		}
	}
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindNotFound, "character %s not found", id)
	}
	if err != nil {
		return generia.Character{}, worldRef{}, err
	}
	return c, ref, nil
}

// CharacterPosts lists a character's posts, newest first.
func (s *Service) CharacterPosts(ctx context.Context, viewerID, id string, page generia.Page) ([]generia.Post, string, error) {
	v, err := s.Character(ctx, viewerID, id)
	if err != nil {
		return nil, "", err
	}
	posts, next, err := s.Store.ListPosts(ctx, generia.PostFilter{WorldID: v.World.ID, CharacterID: id, ViewerID: viewerID}, page.Normalize())
	if err != nil {
		return nil, "", err
	}
	posts, err = s.seenPosts(ctx, viewerID, worldRef{ID: v.World.ID, OwnerID: v.World.OwnerID}, posts)
	return posts, next, err
}

// NewCharacter is a person's own character.
type NewCharacter struct {
	Username      string `json:"username"`
	DisplayName   string `json:"display_name"`
	Bio           string `json:"bio"`
	AvatarMediaID string `json:"avatar_media_id"`
}

// checkProfile is the rule of a person's character's display name and bio
// (trimmed), for a new character and an edit alike.
func checkProfile(displayName, bio string) error {
	switch {
	case displayName == "" || utf8.RuneCountInString(displayName) > MaxDisplayName:
		return generia.FieldErrorf("display_name", "display_name must be 1 to %d characters", MaxDisplayName)
	case utf8.RuneCountInString(bio) > MaxBioLength:
		return generia.FieldErrorf("bio", "bio must be at most %d characters", MaxBioLength)
	}
	return nil
}

// CreateCharacter makes a character of the viewer in a world they belong
// to. Its avatar, if any, must be an image the viewer uploaded to that world.
func (s *Service) CreateCharacter(ctx context.Context, viewerID, ref string, nc NewCharacter) (generia.Character, error) {
	w, err := s.contributor(ctx, viewerID, ref)
	if err != nil {
		return generia.Character{}, err
	}
	nc.DisplayName = strings.TrimSpace(nc.DisplayName)
	nc.Bio = strings.TrimSpace(nc.Bio)
	nc.Username = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(nc.Username), "@")))
	if err := checkProfile(nc.DisplayName, nc.Bio); err != nil {
		return generia.Character{}, err
	}
	if nc.Username == "" {
		nc.Username = strings.ToLower(strings.Join(strings.Fields(nc.DisplayName), "_"))
	}
	if !generia.ValidHandle(nc.Username) {
		return generia.Character{}, generia.FieldErrorf("username", "username must be 3 to 24 lowercase latin letters, digits or underscores")
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
	profile := fmt.Sprintf("%s (@%s)\n%s", nc.DisplayName, nc.Username, nc.Bio)
	review, verdict, err := s.checkContent(ctx, generia.CheckProfile, profile, nc.AvatarMediaID, viewerID)
	if err != nil {
		return generia.Character{}, err
	}
	c, _, err := s.Store.CreateCharacter(ctx, generia.Character{
		ID: uuid.NewString(), WorldID: w.ID, OwnerID: viewerID, Username: nc.Username, DisplayName: nc.DisplayName,
		Bio: nc.Bio, AvatarMediaID: nc.AvatarMediaID, Position: 1000 + len(mine), Review: review, CreatedAt: s.now(),
	})
	if generia.IsKind(err, generia.KindConflict) {
		err = generia.Errorf(generia.KindConflict, "@%s is taken in this world; choose another username", nc.Username)
	}
	if err == nil {
		s.held(ctx, generia.Snapshot{Subject: generia.Subject{Type: generia.SubjectCharacter, ID: c.ID}, WorldID: w.ID, AuthorID: viewerID,
			Text: profile, MediaID: nc.AvatarMediaID, TakenAt: s.now()}, review, verdict)
	}
	return c, err
}
