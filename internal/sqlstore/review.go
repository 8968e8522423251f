package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

// reviewTables are the tables of the subjects that have a review state.
var reviewTables = map[string]string{
	generia.SubjectPost:      "posts",
	generia.SubjectComment:   "comments",
	generia.SubjectCharacter: "characters",
	generia.SubjectWorld:     "worlds",
}

// subjectTypes are the types of what can be reported and acted on.
var subjectTypes = []string{generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld, generia.SubjectUser}

// checkSubject returns KindInvalid for a subject of no known type or
// without an ID.
func checkSubject(s generia.Subject) error {
	if !slices.Contains(subjectTypes, s.Type) {
		return generia.Errorf(generia.KindInvalid, "unknown subject type %q: want post, comment, character, world or user", s.Type)
	}
	return required("subject ID", s.ID)
}

// labelsArg is the stored form of review labels: the categories joined by
// commas (no category holds one).
func labelsArg(labels []generia.Category) (string, error) {
	parts := make([]string, len(labels))
	for i, c := range labels {
		if c != generia.LabelSensitive && !slices.Contains(generia.Categories, c) {
			return "", generia.Errorf(generia.KindInvalid, "unknown label %q: want a category of the moderation taxonomy", c)
		}
		parts[i] = string(c)
	}
	return strings.Join(parts, ","), nil
}

// labelsInto scans stored review labels; none is nil.
func labelsInto(labels *[]generia.Category) sql.Scanner { return storedLabels{labels} }

type storedLabels struct{ v *[]generia.Category }

func (l storedLabels) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("stored review labels are %T, want text", src)
	}
	*l.v = nil
	for part := range strings.SplitSeq(s, ",") {
		if part != "" {
			*l.v = append(*l.v, generia.Category(part))
		}
	}
	return nil
}

// reviewArgs checks a review and returns the table of its subject and the
// stored form of its labels.
func reviewArgs(sub generia.Subject, r generia.Review) (table, labels string, err error) {
	if err := checkSubject(sub); err != nil {
		return "", "", err
	}
	table, ok := reviewTables[sub.Type]
	if !ok {
		return "", "", generia.Errorf(generia.KindInvalid, "a %s has no review state", sub.Type)
	}
	switch r.State {
	case generia.ReviewNone, generia.ReviewHeld, generia.ReviewHidden:
	default:
		return "", "", generia.Errorf(generia.KindInvalid, "unknown review state %q: want \"\", %q or %q", r.State, generia.ReviewHeld, generia.ReviewHidden)
	}
	labels, err = labelsArg(r.Labels)
	return table, labels, err
}

// setReview writes a review state; an unknown subject gives KindNotFound.
// A comment shown or no longer shown is counted on its post, or taken off
// its count: a post counts the comments its visitors see. A comment shown
// (a held one released) tells the people it concerns, as AddComment does
// (notifyComment).
func (s *Store) setReview(ctx context.Context, tx handle, table, labels string, sub generia.Subject, r generia.Review) error {
	if sub.Type == generia.SubjectComment {
		// Only a change of whether it is shown matches: a concurrent
		// change waits for the row and is matched again against it.
		var postID string
		err := tx.QueryRow(ctx, `UPDATE comments SET review_state = ?, review_labels = ?, review_reason = ?
			WHERE id = ? AND deleted_at IS NULL AND (review_state = '') <> (? = '') RETURNING post_id`,
			r.State, labels, r.Reason, sub.ID, r.State).Scan(&postID)
		switch {
		case err == nil:
			delta := -1
			if r.State == generia.ReviewNone {
				delta = 1
			}
			if _, err := tx.Exec(ctx, `UPDATE posts SET comments_count = comments_count + ? WHERE id = ?`, delta, postID); err != nil {
				return err
			}
			if r.State != generia.ReviewNone {
				return nil
			}
			return s.notifyComment(ctx, tx, sub.ID, s.stamp(time.Time{}))
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE `+table+` SET review_state = ?, review_labels = ?, review_reason = ? WHERE id = ?`,
		r.State, labels, r.Reason, sub.ID)
	if err != nil {
		return err
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "%s %s not found", sub.Type, sub.ID)
	}
	return nil
}

// SetReview sets an item's review state; see generia.TrustStore. An unknown
// state or label gives KindInvalid.
func (s *Store) SetReview(ctx context.Context, sub generia.Subject, r generia.Review) error {
	table, labels, err := reviewArgs(sub, r)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx handle) error { return s.setReview(ctx, tx, table, labels, sub, r) })
	if err != nil {
		return fmt.Errorf("reviewing %s: %w", sub, s.translate(err))
	}
	return nil
}

// subjectWorld is the world a subject with a review state belongs to.
func subjectWorld(ctx context.Context, q handle, sub generia.Subject) (string, error) {
	var query string
	switch sub.Type {
	case generia.SubjectWorld:
		query = `SELECT id FROM worlds WHERE id = ?`
	case generia.SubjectCharacter:
		query = `SELECT world_id FROM characters WHERE id = ?`
	case generia.SubjectPost:
		query = `SELECT world_id FROM posts WHERE id = ?`
	case generia.SubjectComment:
		query = `SELECT p.world_id FROM comments m JOIN posts p ON p.id = m.post_id WHERE m.id = ?`
	default:
		return "", generia.Errorf(generia.KindInvalid, "a %s belongs to no world", sub.Type)
	}
	var worldID string
	err := q.QueryRow(ctx, query, sub.ID).Scan(&worldID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", generia.Errorf(generia.KindNotFound, "%s %s not found", sub.Type, sub.ID)
	}
	return worldID, err
}

// HoldGenerated holds a generated item and counts it, once, in its world's
// status record; see generia.TrustStore. It locks the status record first,
// as the creates of the world's items do.
func (s *Store) HoldGenerated(ctx context.Context, sub generia.Subject, r generia.Review) error {
	if r.State == generia.ReviewNone {
		r.State = generia.ReviewHeld
	}
	table, labels, err := reviewArgs(sub, r)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx handle) error {
		worldID, err := subjectWorld(ctx, tx, sub)
		if err != nil {
			return err
		}
		if _, _, err := s.lockStatus(ctx, tx, worldID); err != nil {
			return err
		}
		if err := s.setReview(ctx, tx, table, labels, sub, r); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO held_items (world_id, subject_type, subject_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, worldID, sub.Type, sub.ID)
		if err != nil || !changed(tag) {
			return err
		}
		return s.countCreated(ctx, tx, worldID, "items_held")
	})
	if err != nil {
		return fmt.Errorf("holding %s: %w", sub, s.translate(err))
	}
	return nil
}

// setFlag sets a truth column of a row; an unknown row gives KindNotFound.
func (s *Store) setFlag(ctx context.Context, table, column, what, id string, on bool) error {
	if err := required(what+" ID", id); err != nil {
		return err
	}
	tag, err := s.writes.Exec(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ?`, on, id)
	if err != nil {
		return fmt.Errorf("setting %s of %s %s: %w", column, what, id, s.translate(err))
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "%s %s not found", what, id)
	}
	return nil
}

// SetWorldFrozen freezes or thaws a world; an unknown world gives
// KindNotFound.
func (s *Store) SetWorldFrozen(ctx context.Context, worldID string, frozen bool) error {
	return s.setFlag(ctx, "worlds", "frozen", "world", worldID, frozen)
}

// SetCharacterSilenced silences a character or lets it speak; an unknown
// character gives KindNotFound.
func (s *Store) SetCharacterSilenced(ctx context.Context, characterID string, silenced bool) error {
	return s.setFlag(ctx, "characters", "silenced", "character", characterID, silenced)
}
