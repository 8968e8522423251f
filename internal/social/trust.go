package social

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
)

// Trust and safety: who sees held content, people's checks, reports,
// moderators' actions, strikes and appeals, the audit log.

// Ranks in moderation, from the bottom: anyone, a moderator, an admin, the
// operator (who grants the roles).
const (
	rankNone = iota
	rankModerator
	rankAdmin
	rankOperator
)

func rankOf(u generia.User) int {
	switch {
	case u.Username == OperatorUsername:
		return rankOperator
	case u.Role == generia.RoleAdmin:
		return rankAdmin
	case u.Role == generia.RoleModerator:
		return rankModerator
	}
	return rankNone
}

// rank is the viewer's rank; a visitor or an unknown account is rankNone.
func (s *Service) rank(ctx context.Context, viewerID string) (int, generia.User, error) {
	if viewerID == "" {
		return rankNone, generia.User{}, nil
	}
	u, err := s.Store.UserByID(ctx, viewerID)
	if generia.IsKind(err, generia.KindNotFound) {
		return rankNone, generia.User{}, nil
	}
	return rankOf(u), u, err
}

// staff returns the viewer's account if their rank is at least least:
// KindUnauthorized for a visitor, KindForbidden below it.
func (s *Service) staff(ctx context.Context, viewerID string, least int, what string) (generia.User, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.User{}, err
	}
	r, u, err := s.rank(ctx, viewerID)
	if err != nil {
		return u, err
	}
	if r < least {
		role := "moderators"
		if least >= rankAdmin {
			role = "admins"
		}
		return u, generia.Errorf(generia.KindForbidden, "only %s may %s", role, what)
	}
	return u, nil
}

// sees reports whether the viewer sees an item under review: its person
// (authorID) and moderators do, no one else. A visible item anyone sees.
func (s *Service) sees(ctx context.Context, viewerID string, r generia.Review, authorID string) (bool, error) {
	if r.Visible() || (viewerID != "" && viewerID == authorID) {
		return true, nil
	}
	rank, _, err := s.rank(ctx, viewerID)
	return rank >= rankModerator, err
}

// seen keeps the items of a list the viewer sees: held and hidden items
// only for their person and moderators. The viewer's rank is read once,
// and only when the list holds such an item.
func seen[T any](ctx context.Context, s *Service, viewerID string, items []T, review func(T) (generia.Review, string)) ([]T, error) {
	kept := items[:0:0]
	rank := -1
	for _, it := range items {
		r, author := review(it)
		if !r.Visible() && (viewerID == "" || viewerID != author) {
			if rank < 0 {
				var err error
				if rank, _, err = s.rank(ctx, viewerID); err != nil {
					return nil, err
				}
			}
			if rank < rankModerator {
				continue
			}
		}
		kept = append(kept, it)
	}
	return kept, nil
}

// postAuthor is whom a post's review answers to: the person whose
// character wrote it, or the world's owner for a generated one.
func (s *Service) postAuthor(ctx context.Context, p generia.Post, worldOwner string) string {
	if p.IsAI {
		return worldOwner
	}
	if c, err := s.Store.Character(ctx, p.CharacterID); err == nil {
		return c.OwnerID
	}
	return ""
}

// seenPosts keeps the posts of a world the viewer sees.
func (s *Service) seenPosts(ctx context.Context, viewerID string, w worldRef, posts []generia.Post) ([]generia.Post, error) {
	return seen(ctx, s, viewerID, posts, func(p generia.Post) (generia.Review, string) {
		if p.Review.Visible() {
			return p.Review, ""
		}
		return p.Review, s.postAuthor(ctx, p, w.OwnerID)
	})
}

// seenComments keeps the comments the viewer sees.
func (s *Service) seenComments(ctx context.Context, viewerID string, w worldRef, comments []generia.Comment) ([]generia.Comment, error) {
	return seen(ctx, s, viewerID, comments, func(c generia.Comment) (generia.Review, string) {
		if c.IsAI {
			return c.Review, w.OwnerID
		}
		return c.Review, c.UserID
	})
}

// seenCharacters keeps the characters the viewer sees.
func (s *Service) seenCharacters(ctx context.Context, viewerID string, w worldRef, chars []generia.Character) ([]generia.Character, error) {
	return seen(ctx, s, viewerID, chars, func(c generia.Character) (generia.Review, string) {
		if c.IsAI() {
			return c.Review, w.OwnerID
		}
		return c.Review, c.OwnerID
	})
}

// checkTimeout bounds a check of a person's content: past it the content
// is kept held until a moderator or a later check decides.
const checkTimeout = 10 * time.Second

// checkPerson asks the moderator about a person's text before anyone else
// sees it. A block refuses it (KindRefused, naming what it falls in); a
// hold, or a check that could not answer, gives the held review the item
// is stored with; a label its labels. The verdict is returned for the case
// a held item opens.
func (s *Service) checkPerson(ctx context.Context, kind, text, authorID string) (generia.Review, *generia.Verdict, error) {
	if s.Moderator == nil || strings.TrimSpace(text) == "" {
		return generia.Review{}, nil, nil
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	v, err := s.Moderator.CheckText(cctx, generia.TextCheck{Kind: kind, Text: text, UserID: generia.SafetyID(authorID)})
	if err != nil {
		slog.Warn("a check of a person's content did not answer; it is held until it does", "kind", kind, "error", err)
		return generia.Review{State: generia.ReviewHeld, Reason: generia.ReasonUnchecked}, &generia.Verdict{Checker: s.Moderator.Name()}, nil
	}
	return s.decide(v)
}

// checkImage asks the moderator about a person's image, as checkPerson.
func (s *Service) checkImage(ctx context.Context, data []byte, contentType, authorID string) (generia.Review, *generia.Verdict, error) {
	if s.Moderator == nil {
		return generia.Review{}, nil, nil
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	v, err := s.Moderator.CheckImage(cctx, generia.ImageCheck{Kind: generia.CheckImage, Data: data, ContentType: contentType, UserID: generia.SafetyID(authorID)})
	if err != nil {
		slog.Warn("a check of a person's image did not answer; it is held for a moderator", "error", err)
		return generia.Review{State: generia.ReviewHeld, Reason: "held for review: the check of its image did not answer"}, &generia.Verdict{Checker: s.Moderator.Name()}, nil
	}
	return s.decide(v)
}

// checkContent checks a person's new or changed content: its text and,
// when mediaID names an upload, its image. It returns the review the item
// is stored with (the stricter of the two) and the verdict behind it, or
// KindRefused for content the policy blocks.
func (s *Service) checkContent(ctx context.Context, kind, text, mediaID, authorID string) (generia.Review, *generia.Verdict, error) {
	r, v, err := s.checkPerson(ctx, kind, text, authorID)
	if err != nil || mediaID == "" || s.Moderator == nil {
		return r, v, err
	}
	if seer, ok := s.Moderator.(interface{ SeesImages() bool }); ok && !seer.SeesImages() {
		return r, v, nil // a word list is not asked about pictures
	}
	data, contentType, err := s.mediaBytes(ctx, mediaID)
	if err != nil {
		return r, v, err
	}
	ri, vi, err := s.checkImage(ctx, data, contentType, authorID)
	if err != nil {
		return ri, vi, err
	}
	if reviewRank(ri) > reviewRank(r) {
		return ri, vi, nil
	}
	return r, v, nil
}

func reviewRank(r generia.Review) int {
	switch {
	case r.State != generia.ReviewNone:
		return 2
	case len(r.Labels) > 0:
		return 1
	}
	return 0
}

// mediaBytes reads an image from the media store.
func (s *Service) mediaBytes(ctx context.Context, mediaID string) ([]byte, string, error) {
	m, err := s.Store.Media(ctx, mediaID)
	if err != nil {
		return nil, "", err
	}
	rc, err := s.Files.Open(ctx, m.ObjectKey)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxUploadBytes+1))
	return data, m.ContentType, err
}

// heldForReview holds content a person changed, when its check says so,
// before the change is stored: it is never shown to others unchecked.
// A change never releases what moderation holds or hides.
func (s *Service) heldForReview(ctx context.Context, sub generia.Subject, r generia.Review) error {
	if r.State == generia.ReviewNone && len(r.Labels) == 0 {
		return nil
	}
	cur, err := generia.ReviewOf(ctx, s.Store, sub)
	if err != nil {
		return err
	}
	if r.State == generia.ReviewNone {
		r.State, r.Reason = cur.State, cur.Reason
	}
	for _, l := range cur.Labels {
		if !slices.Contains(r.Labels, l) {
			r.Labels = append(r.Labels, l)
		}
	}
	return s.Store.SetReview(ctx, sub, r)
}

func (s *Service) decide(v generia.Verdict) (generia.Review, *generia.Verdict, error) {
	policy := s.Policy
	if policy == nil {
		policy = generia.DefaultPolicy()
	}
	switch v.Decide(policy) {
	case generia.DecisionBlock:
		return generia.Review{}, &v, generia.Errorf(generia.KindRefused, "this cannot be published: it falls under %s", categoryList(v.Flagged))
	case generia.DecisionHold:
		return generia.Review{State: generia.ReviewHeld, Reason: "held for review: it may fall under " + categoryList(v.Flagged)}, &v, nil
	case generia.DecisionLabel:
		return generia.Review{Labels: v.Flagged}, &v, nil
	}
	return generia.Review{}, nil, nil
}

func categoryList(cs []generia.Category) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// held opens the case of an item a check held, with the audit entry:
// moderators find it in their queue.
func (s *Service) held(ctx context.Context, snap generia.Snapshot, r generia.Review, v *generia.Verdict) {
	if r.State != generia.ReviewHeld {
		return
	}
	c, err := s.Store.OpenCase(ctx, generia.Case{ID: uuid.NewString(), Subject: snap.Subject, WorldID: snap.WorldID,
		Status: generia.CaseOpen, Source: generia.SourceCheck, Snapshot: snap, Verdict: v, CreatedAt: s.now(), UpdatedAt: s.now()})
	if err != nil {
		slog.Error("opening the case of held content", "subject", snap.Subject.String(), "error", err) // the item stays held
		return
	}
	detail, _ := json.Marshal(v)
	s.audit(ctx, generia.AuditEntry{Actor: generia.ActorSystem, Verb: "hold", Subject: snap.Subject, CaseID: c.ID,
		Reason: r.Reason, Snapshot: &snap, Detail: detail})
	if r.Reason == generia.ReasonUnchecked && s.Rechecker != nil {
		err := s.Rechecker.Recheck(ctx, generia.Recheck{Subject: snap.Subject, Kind: checkKinds[snap.Subject.Type], Text: snap.Text,
			AuthorID: snap.AuthorID, CaseID: c.ID})
		if err != nil {
			slog.Error("starting the recheck of held content; it waits for a moderator", "subject", snap.Subject.String(), "error", err)
		}
	}
}

// checkKinds are the kinds of check of each subject's text.
var checkKinds = map[string]string{
	generia.SubjectPost: generia.CheckPost, generia.SubjectComment: generia.CheckComment,
	generia.SubjectCharacter: generia.CheckProfile, generia.SubjectWorld: generia.CheckWorld,
}

// Rechecker checks again, until the moderation service answers, a person's
// item held because its check did not answer, and applies the answer (the
// pipeline runs it as a workflow).
type Rechecker interface {
	Recheck(ctx context.Context, r generia.Recheck) error
}

// audit appends to the audit log; a failure is logged (the decision it
// records stands).
func (s *Service) audit(ctx context.Context, e generia.AuditEntry) {
	e.ID = uuid.NewString()
	e.CreatedAt = s.now()
	if err := s.Store.Audit(ctx, e); err != nil {
		slog.Error("writing the audit log", "verb", e.Verb, "subject", e.Subject.String(), "error", err)
	}
}

// snapshot is a subject as it is now, with whom it answers to. A subject
// that does not exist, or that the viewer may not see, gives KindNotFound.
func (s *Service) snapshot(ctx context.Context, viewerID string, sub generia.Subject) (generia.Snapshot, error) {
	snap := generia.Snapshot{Subject: sub, TakenAt: s.now()}
	gone := generia.Errorf(generia.KindNotFound, "%s %s not found", sub.Type, sub.ID)
	switch sub.Type {
	case generia.SubjectPost:
		p, err := s.Store.Post(ctx, sub.ID, "")
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		w, err := s.visible(ctx, viewerID, p.WorldID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		if ok, err := s.sees(ctx, viewerID, p.Review, s.postAuthor(ctx, p, w.OwnerID)); err != nil || !ok {
			return snap, firstError(err, gone)
		}
		snap.WorldID, snap.Text, snap.MediaID, snap.Generated = p.WorldID, p.Caption, p.MediaID, p.IsAI
		snap.AuthorID = s.postAuthor(ctx, p, w.OwnerID)
	case generia.SubjectComment:
		c, err := s.Store.Comment(ctx, sub.ID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		p, err := s.Store.Post(ctx, c.PostID, "")
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		w, err := s.visible(ctx, viewerID, p.WorldID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		author := c.UserID
		if c.IsAI {
			author = w.OwnerID
		}
		if ok, err := s.sees(ctx, viewerID, c.Review, author); err != nil || !ok {
			return snap, firstError(err, gone)
		}
		snap.WorldID, snap.Text, snap.AuthorID, snap.Generated = p.WorldID, c.Text, author, c.IsAI
	case generia.SubjectCharacter:
		c, err := s.Store.Character(ctx, sub.ID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		w, err := s.visible(ctx, viewerID, c.WorldID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		author := c.OwnerID
		if c.IsAI() {
			author = w.OwnerID
		}
		if ok, err := s.sees(ctx, viewerID, c.Review, author); err != nil || !ok {
			return snap, firstError(err, gone)
		}
		snap.WorldID, snap.AuthorID, snap.MediaID, snap.Generated = c.WorldID, author, c.AvatarMediaID, c.IsAI()
		snap.Text = fmt.Sprintf("%s (@%s): %s", c.DisplayName, c.Username, c.Bio)
	case generia.SubjectWorld:
		r, err := s.visible(ctx, viewerID, sub.ID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		w, err := s.Store.World(ctx, r.ID)
		if err != nil {
			return snap, notFoundAs(err, gone)
		}
		snap.Subject.ID, snap.WorldID, snap.AuthorID = w.ID, w.ID, w.OwnerID
		snap.Text, snap.MediaID = w.Name+": "+w.Description+"\n\nPrompt: "+w.Prompt, w.HeaderMediaID
	case generia.SubjectUser:
		u, err := s.account(ctx, sub.ID)
		if err != nil || u.Username == OperatorUsername {
			return snap, firstError(notFoundAs(err, gone), gone)
		}
		snap.Subject.ID, snap.AuthorID, snap.Text = u.ID, u.ID, "@"+u.Username
	default:
		return snap, generia.FieldErrorf("subject_type", "subject_type must be post, comment, character, world or user")
	}
	return snap, nil
}

func notFoundAs(err, gone error) error {
	if generia.IsKind(err, generia.KindNotFound) {
		return gone
	}
	return err
}

func firstError(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// NewReport is a person's report.
type NewReport struct {
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	Reason      string `json:"reason"`
	Note        string `json:"note"`
}

// MaxReportNote bounds a report's note.
const MaxReportNote = 1000

// Report files the viewer's report of something they can see. Reports of
// one subject merge into one case, each weighing by its reporter's record;
// a case past generia.ReportThreshold holds its content pending review.
func (s *Service) Report(ctx context.Context, viewerID string, nr NewReport) (generia.Case, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.Case{}, err
	}
	if err := s.active(ctx, viewerID); err != nil {
		return generia.Case{}, err
	}
	nr.Note = strings.TrimSpace(nr.Note)
	switch {
	case !slices.Contains(generia.ReportReasons, nr.Reason):
		return generia.Case{}, generia.FieldErrorf("reason", "reason must be one of %s", strings.Join(generia.ReportReasons, ", "))
	case utf8.RuneCountInString(nr.Note) > MaxReportNote:
		return generia.Case{}, generia.FieldErrorf("note", "a note is at most %d characters", MaxReportNote)
	case nr.Reason == generia.ReasonOther && nr.Note == "":
		return generia.Case{}, generia.FieldErrorf("note", "say what is wrong in a note when the reason is other")
	case strings.TrimSpace(nr.SubjectID) == "":
		return generia.Case{}, generia.FieldErrorf("subject_id", "subject_id is required")
	}
	snap, err := s.snapshot(ctx, viewerID, generia.Subject{Type: nr.SubjectType, ID: strings.TrimSpace(nr.SubjectID)})
	if err != nil {
		return generia.Case{}, err
	}
	if snap.AuthorID == viewerID && !snap.Generated {
		return generia.Case{}, generia.Errorf(generia.KindInvalid, "you cannot report your own %s; edit or delete it instead", nr.SubjectType)
	}
	upheld, rejected, err := s.Store.ReporterRecord(ctx, viewerID)
	if err != nil {
		return generia.Case{}, err
	}
	c, err := s.Store.FileReport(ctx, generia.Report{ID: uuid.NewString(), ReporterID: viewerID, Subject: snap.Subject,
		Reason: nr.Reason, Note: nr.Note, Weight: generia.ReporterWeight(upheld, rejected), Snapshot: snap, CreatedAt: s.now()})
	if generia.IsKind(err, generia.KindConflict) {
		return c, generia.Errorf(generia.KindConflict, "you have reported this %s already; moderators will look at it", nr.SubjectType)
	}
	if err != nil {
		return c, err
	}
	s.audit(ctx, generia.AuditEntry{Actor: viewerID, Verb: "report", Subject: snap.Subject, CaseID: c.ID, Reason: nr.Reason + ": " + nr.Note, Snapshot: &snap})
	if c.Score >= generia.ReportThreshold && snap.Subject.Type != generia.SubjectUser {
		s.holdReported(ctx, c)
	}
	return c, nil
}

// holdReported holds content whose reports passed the threshold, unless a
// moderator already hid it.
func (s *Service) holdReported(ctx context.Context, c generia.Case) {
	r := generia.Review{State: generia.ReviewHeld, Reason: "held for review after reports"}
	if cur, err := generia.ReviewOf(ctx, s.Store, c.Subject); err != nil || !cur.Visible() {
		return
	} else {
		r.Labels = cur.Labels
	}
	if err := s.Store.SetReview(ctx, c.Subject, r); err != nil {
		slog.Error("holding reported content", "subject", c.Subject.String(), "error", err)
		return
	}
	s.changed(ctx, c)
	s.audit(ctx, generia.AuditEntry{Actor: generia.ActorSystem, Verb: "hold", Subject: c.Subject, CaseID: c.ID,
		Reason: fmt.Sprintf("reports weigh %.1f, past the threshold of %.1f", c.Score, generia.ReportThreshold), Snapshot: &c.Snapshot})
}

// changed drops the cached pages of a case's world.
func (s *Service) changed(ctx context.Context, c generia.Case) {
	if c.WorldID != "" {
		s.feeds.changed(c.WorldID)
	}
}

// CaseView is a case with its reports, for moderators.
type CaseView struct {
	Case    generia.Case
	Reports []generia.Report
	// Strikes are the strikes the case gave, with their appeals, which
	// moderators answer on the case.
	Strikes []generia.Strike
}

// Cases lists cases to moderators.
func (s *Service) Cases(ctx context.Context, viewerID string, f generia.CaseFilter, page generia.Page) ([]generia.Case, string, error) {
	if _, err := s.staff(ctx, viewerID, rankModerator, "read the moderation queue"); err != nil {
		return nil, "", err
	}
	switch f.Status {
	case "", generia.CaseOpen, generia.CaseResolved:
	default:
		return nil, "", generia.FieldErrorf("status", "status must be open or resolved")
	}
	return s.Store.ListCases(ctx, f, page.Normalize())
}

// Case returns one case with its reports, to moderators.
func (s *Service) Case(ctx context.Context, viewerID, id string) (CaseView, error) {
	if _, err := s.staff(ctx, viewerID, rankModerator, "read a case"); err != nil {
		return CaseView{}, err
	}
	c, err := s.Store.Case(ctx, id)
	if err != nil {
		return CaseView{}, err
	}
	reports, err := s.Store.CaseReports(ctx, id)
	if err != nil || c.Snapshot.AuthorID == "" {
		return CaseView{Case: c, Reports: reports}, err
	}
	strikes, err := s.Store.Strikes(ctx, c.Snapshot.AuthorID)
	strikes = slices.DeleteFunc(strikes, func(st generia.Strike) bool { return st.CaseID != c.ID })
	return CaseView{Case: c, Reports: reports, Strikes: strikes}, err
}

// CaseAction is a moderator's decision on a case.
type CaseAction struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

// actionTargets says which subjects each action applies to; a strike
// goes to the subject's person for all but dismiss and approve.
var actionTargets = map[string][]string{
	generia.ActionDismiss:       {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld, generia.SubjectUser},
	generia.ActionApprove:       {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld},
	generia.ActionHide:          {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld},
	generia.ActionDelete:        {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld},
	generia.ActionMarkSensitive: {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld},
	generia.ActionPauseLife:     {generia.SubjectWorld},
	generia.ActionFreezeWorld:   {generia.SubjectWorld},
	generia.ActionSilence:       {generia.SubjectCharacter},
	generia.ActionWarn:          {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld, generia.SubjectUser},
	generia.ActionLimit:         {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld, generia.SubjectUser},
	generia.ActionSuspend:       {generia.SubjectPost, generia.SubjectComment, generia.SubjectCharacter, generia.SubjectWorld, generia.SubjectUser},
}

// actionOrder is the order in which the console offers the actions.
var actionOrder = []string{generia.ActionDismiss, generia.ActionApprove, generia.ActionHide, generia.ActionDelete,
	generia.ActionMarkSensitive, generia.ActionPauseLife, generia.ActionFreezeWorld, generia.ActionSilence,
	generia.ActionWarn, generia.ActionLimit, generia.ActionSuspend}

// ActionsFor lists the actions that apply to a subject type, in the order
// a console offers them.
func ActionsFor(subjectType string) []string {
	var out []string
	for _, a := range actionOrder {
		if slices.Contains(actionTargets[a], subjectType) {
			out = append(out, a)
		}
	}
	return out
}

// MaxActionReason bounds the reason a moderator gives.
const MaxActionReason = 1000

// Act carries out a moderator's decision on an open case: the content's
// new state, the strike its person sees (for every action but dismiss and
// approve, when a person answers for it), the case's resolution and the
// audit entry, in one store transaction; then what lies outside the store
// (a deletion, a paused life, ended sessions). Suspending is for admins;
// no one acts on their own content or account, nor a moderator on a
// moderator's or admin's account.
func (s *Service) Act(ctx context.Context, viewerID, caseID string, a CaseAction) (generia.Case, error) {
	me, err := s.staff(ctx, viewerID, rankModerator, "act on a case")
	if err != nil {
		return generia.Case{}, err
	}
	a.Reason = strings.TrimSpace(a.Reason)
	targets, known := actionTargets[a.Action]
	switch {
	case !known:
		return generia.Case{}, generia.FieldErrorf("action", "unknown action %q", a.Action)
	case a.Reason == "" && a.Action != generia.ActionDismiss && a.Action != generia.ActionApprove:
		return generia.Case{}, generia.FieldErrorf("reason", "say why: the person sees the reason with their strike")
	case utf8.RuneCountInString(a.Reason) > MaxActionReason:
		return generia.Case{}, generia.FieldErrorf("reason", "a reason is at most %d characters", MaxActionReason)
	case a.Action == generia.ActionSuspend && rankOf(me) < rankAdmin:
		return generia.Case{}, generia.Errorf(generia.KindForbidden, "only admins may suspend an account")
	}
	c, err := s.Store.Case(ctx, caseID)
	if err != nil {
		return c, err
	}
	if c.Status != generia.CaseOpen {
		return c, generia.Errorf(generia.KindConflict, "this case is resolved already (%s)", c.Resolution)
	}
	if !slices.Contains(targets, c.Subject.Type) {
		return c, generia.FieldErrorf("action", "%s does not apply to a %s", a.Action, c.Subject.Type)
	}
	person := c.Snapshot.AuthorID
	if person == me.ID {
		return c, generia.Errorf(generia.KindForbidden, "you cannot act on your own %s; another moderator must", c.Subject.Type)
	}
	onAccount := a.Action == generia.ActionWarn || a.Action == generia.ActionLimit || a.Action == generia.ActionSuspend
	if onAccount && person != "" {
		if r, _, err := s.rank(ctx, person); err != nil {
			return c, err
		} else if r >= rankOf(me) {
			return c, generia.Errorf(generia.KindForbidden, "a %s's account is for someone above them to act on", roleName(r))
		}
	}
	review, err := s.reviewAfter(ctx, c, a.Action)
	if err != nil {
		return c, err
	}
	var strike *generia.Strike
	if person != "" && !c.Snapshot.Generated && a.Action != generia.ActionDismiss && a.Action != generia.ActionApprove {
		strike = &generia.Strike{ID: uuid.NewString(), UserID: person, CaseID: c.ID, Action: a.Action, Subject: c.Subject,
			Reason: a.Reason, Snapshot: c.Snapshot, CreatedAt: s.now()}
	}
	entry := generia.AuditEntry{ID: uuid.NewString(), Actor: me.ID, Verb: a.Action, Subject: c.Subject, CaseID: c.ID,
		Reason: a.Reason, Snapshot: &c.Snapshot, CreatedAt: s.now()}
	resolved, err := s.Store.Resolve(ctx, c.ID, a.Action, review, strike, entry)
	if err != nil {
		return resolved, err
	}
	s.changed(ctx, c)
	return resolved, s.carryOut(ctx, c, a.Action, person)
}

func roleName(rank int) string {
	switch rank {
	case rankOperator:
		return "the operator"
	case rankAdmin:
		return generia.RoleAdmin
	}
	return generia.RoleModerator
}

// reviewAfter is the review state an action leaves its content in; nil
// when it changes none.
func (s *Service) reviewAfter(ctx context.Context, c generia.Case, action string) (*generia.Review, error) {
	if c.Subject.Type == generia.SubjectUser {
		return nil, nil
	}
	cur, err := generia.ReviewOf(ctx, s.Store, c.Subject)
	if generia.IsKind(err, generia.KindNotFound) {
		return nil, nil // gone since: the decision is recorded on the snapshot
	}
	if err != nil {
		return nil, err
	}
	switch action {
	case generia.ActionDismiss, generia.ActionApprove:
		if cur.State == generia.ReviewHeld {
			return &generia.Review{Labels: cur.Labels}, nil
		}
		return nil, nil
	case generia.ActionHide, generia.ActionDelete:
		return &generia.Review{State: generia.ReviewHidden, Labels: cur.Labels, Reason: "hidden by moderators"}, nil
	case generia.ActionMarkSensitive:
		labels := cur.Labels
		if !slices.Contains(labels, generia.LabelSensitive) {
			labels = append(slices.Clone(labels), generia.LabelSensitive)
		}
		return &generia.Review{Labels: labels}, nil
	}
	return nil, nil
}

// carryOut does what an action does outside the store's transaction.
func (s *Service) carryOut(ctx context.Context, c generia.Case, action, person string) error {
	id := c.Subject.ID
	switch action {
	case generia.ActionDelete:
		return s.deleteSubject(ctx, c.Subject)
	case generia.ActionFreezeWorld:
		if err := s.Store.SetWorldFrozen(ctx, id, true); err != nil {
			return err
		}
		return s.pauseLife(ctx, id)
	case generia.ActionPauseLife:
		return s.pauseLife(ctx, id)
	case generia.ActionSilence:
		return s.Store.SetCharacterSilenced(ctx, id, true)
	case generia.ActionLimit:
		return s.Store.SetStanding(ctx, person, generia.StandingLimited)
	case generia.ActionSuspend:
		if err := s.Store.SetStanding(ctx, person, generia.StandingSuspended); err != nil {
			return err
		}
		return nil // they may still sign in, to read and appeal their strike
	}
	return nil
}

func (s *Service) pauseLife(ctx context.Context, worldID string) error {
	if s.Life == nil {
		return nil
	}
	err := s.Life.EndLife(ctx, worldID)
	if generia.IsKind(err, generia.KindNotFound) {
		return nil
	}
	return err
}

// deleteSubject deletes reported content for good; its snapshot stays in
// the case and the audit log.
func (s *Service) deleteSubject(ctx context.Context, sub generia.Subject) error {
	var err error
	switch sub.Type {
	case generia.SubjectPost:
		err = s.Store.DeletePost(ctx, sub.ID)
	case generia.SubjectComment:
		err = s.Store.DeleteComment(ctx, sub.ID)
	case generia.SubjectCharacter:
		err = s.Store.DeleteCharacter(ctx, sub.ID)
	case generia.SubjectWorld:
		if s.Life != nil {
			_ = s.Life.EndLife(ctx, sub.ID)
		}
		var keys []string
		if keys, err = s.Store.DeleteWorld(ctx, sub.ID); err == nil {
			for _, k := range keys {
				if derr := s.Files.Delete(ctx, k); derr != nil {
					slog.Warn("deleting a world's media", "key", k, "error", derr)
				}
			}
		}
	}
	if generia.IsKind(err, generia.KindNotFound) {
		return nil
	}
	return err
}

// MyStrikes lists the viewer's strikes, newest first.
func (s *Service) MyStrikes(ctx context.Context, viewerID string) ([]generia.Strike, error) {
	if err := signedIn(viewerID); err != nil {
		return nil, err
	}
	return s.Store.Strikes(ctx, viewerID)
}

// MaxAppealLength bounds an appeal's text.
const MaxAppealLength = 2000

// Appeal records the viewer's one appeal of their strike, within
// generia.AppealWindow of it.
func (s *Service) Appeal(ctx context.Context, viewerID, strikeID, text string) (generia.Strike, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.Strike{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxAppealLength {
		return generia.Strike{}, generia.FieldErrorf("text", "an appeal is 1 to %d characters: say why the decision is wrong", MaxAppealLength)
	}
	st, err := s.Store.Strike(ctx, strikeID)
	if err == nil && st.UserID != viewerID {
		err = generia.Errorf(generia.KindNotFound, "strike %s not found", strikeID)
	}
	if err != nil {
		return st, err
	}
	st, err = s.Store.AppealStrike(ctx, st.ID, text, s.now())
	if err != nil {
		return st, err
	}
	s.audit(ctx, generia.AuditEntry{Actor: viewerID, Verb: "appeal", Subject: st.Subject, CaseID: st.CaseID, Reason: text})
	return st, nil
}

// AppealDecision is a moderator's answer to an appeal.
type AppealDecision struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason"`
}

// DecideAppeal answers an appeal; accepting it undoes what can be undone
// (a hidden item is shown, a frozen world thawed, a silenced character
// speaks, an account is in good standing again; a deletion stays).
func (s *Service) DecideAppeal(ctx context.Context, viewerID, strikeID string, d AppealDecision) (generia.Strike, error) {
	me, err := s.staff(ctx, viewerID, rankModerator, "answer appeals")
	if err != nil {
		return generia.Strike{}, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if d.Reason == "" || utf8.RuneCountInString(d.Reason) > MaxActionReason {
		return generia.Strike{}, generia.FieldErrorf("reason", "say why, in 1 to %d characters: the person sees it", MaxActionReason)
	}
	st, err := s.Store.Strike(ctx, strikeID)
	if err != nil {
		return st, err
	}
	if st.UserID == me.ID {
		return st, generia.Errorf(generia.KindForbidden, "you cannot answer your own appeal")
	}
	if st.Action == generia.ActionSuspend && d.Accept && rankOf(me) < rankAdmin {
		return st, generia.Errorf(generia.KindForbidden, "only admins may lift a suspension")
	}
	st, err = s.Store.DecideAppeal(ctx, st.ID, d.Accept, me.ID, d.Reason, s.now())
	if err != nil || !d.Accept {
		return st, err
	}
	return st, s.undo(ctx, st)
}

// undo reverses a strike's action where it can.
func (s *Service) undo(ctx context.Context, st generia.Strike) error {
	id := st.Subject.ID
	var err error
	switch st.Action {
	case generia.ActionHide, generia.ActionMarkSensitive:
		err = s.Store.SetReview(ctx, st.Subject, generia.Review{})
	case generia.ActionFreezeWorld:
		err = s.Store.SetWorldFrozen(ctx, id, false)
	case generia.ActionSilence:
		err = s.Store.SetCharacterSilenced(ctx, id, false)
	case generia.ActionLimit, generia.ActionSuspend:
		err = s.Store.SetStanding(ctx, st.UserID, generia.StandingGood)
	}
	if generia.IsKind(err, generia.KindNotFound) {
		return nil
	}
	if err == nil && st.Snapshot.WorldID != "" {
		s.feeds.changed(st.Snapshot.WorldID)
	}
	return err
}

// AuditLog reads the audit log, newest first, to moderators.
func (s *Service) AuditLog(ctx context.Context, viewerID string, f generia.AuditFilter, page generia.Page) ([]generia.AuditEntry, string, error) {
	if _, err := s.staff(ctx, viewerID, rankModerator, "read the audit log"); err != nil {
		return nil, "", err
	}
	return s.Store.ListAudit(ctx, f, page.Normalize())
}

// GrantRole sets an account's role: admins and the operator grant the
// moderator role, the operator alone the admin role; no one changes their
// own.
func (s *Service) GrantRole(ctx context.Context, viewerID, account, role string) (generia.User, error) {
	me, err := s.staff(ctx, viewerID, rankAdmin, "grant roles")
	if err != nil {
		return generia.User{}, err
	}
	switch role {
	case generia.RoleNone, generia.RoleModerator:
	case generia.RoleAdmin:
		if rankOf(me) < rankOperator {
			return generia.User{}, generia.Errorf(generia.KindForbidden, "only the operator may make admins")
		}
	default:
		return generia.User{}, generia.FieldErrorf("role", "role must be moderator, admin or empty (none)")
	}
	u, err := s.account(ctx, account)
	if err != nil {
		return u, err
	}
	switch {
	case u.ID == me.ID || u.Username == OperatorUsername:
		return u, generia.Errorf(generia.KindForbidden, "no one changes their own role or the operator's")
	case rankOf(u) >= rankOf(me):
		return u, generia.Errorf(generia.KindForbidden, "an admin's role is the operator's to change")
	}
	if err := s.Store.SetRole(ctx, u.ID, role); err != nil {
		return u, err
	}
	detail, _ := json.Marshal(map[string]string{"from": u.Role, "to": role})
	s.audit(ctx, generia.AuditEntry{Actor: auditActor(me), Verb: "grant", Subject: generia.Subject{Type: generia.SubjectUser, ID: u.ID},
		Reason: "role " + strings.Trim(role+" ", " "), Detail: detail})
	return s.Store.UserByID(ctx, u.ID)
}

func auditActor(u generia.User) string {
	if u.Username == OperatorUsername {
		return generia.ActorOperator
	}
	return u.ID
}

// FindAccounts searches accounts by the start of their username or email,
// for moderators.
func (s *Service) FindAccounts(ctx context.Context, viewerID, q string, page generia.Page) ([]generia.User, string, error) {
	if _, err := s.staff(ctx, viewerID, rankModerator, "search accounts"); err != nil {
		return nil, "", err
	}
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > MaxSearchLength {
		return nil, "", generia.FieldErrorf("q", "a search is at most %d characters", MaxSearchLength)
	}
	return s.Store.FindUsers(ctx, q, page.Normalize())
}

// Spend is what providers cost, for the operator's console.
type Spend struct {
	Days        []generia.DaySpend
	TopAccounts []generia.Spender
	TopWorlds   []generia.Spender
	// Awake are the worlds whose life runs now.
	Awake []string
}

// MaxSpendDays bounds the period Spend reads.
const MaxSpendDays = 365

// Spend reads the last days of provider spending, to moderators: the cost
// of each day (every day of the period, 0 for a day without calls), the
// accounts and worlds that cost most, and the worlds awake now.
func (s *Service) Spend(ctx context.Context, viewerID string, days int) (Spend, error) {
	if _, err := s.staff(ctx, viewerID, rankModerator, "read the spending"); err != nil {
		return Spend{}, err
	}
	if days < 1 || days > MaxSpendDays {
		return Spend{}, generia.FieldErrorf("days", "days must be 1 to %d", MaxSpendDays)
	}
	now := s.now()
	first := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
	byDay, err := s.Store.SpendByDay(ctx, first)
	if err != nil {
		return Spend{}, err
	}
	spent := map[string]generia.DaySpend{}
	for _, d := range byDay {
		spent[d.Day] = d
	}
	var out Spend
	for d := range days {
		day := first.AddDate(0, 0, d).Format(time.DateOnly)
		ds := spent[day]
		ds.Day = day
		out.Days = append(out.Days, ds)
	}
	if out.TopAccounts, err = s.Store.TopAccounts(ctx, first, 10); err != nil {
		return Spend{}, err
	}
	if out.TopWorlds, err = s.Store.TopWorlds(ctx, first, 10); err != nil {
		return Spend{}, err
	}
	out.Awake, err = s.Store.AwakeWorlds(ctx)
	return out, err
}
