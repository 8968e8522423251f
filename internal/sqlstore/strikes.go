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

// actions are the moderators' actions; strikeActions those that are
// strikes against a person.
var (
	actions = []string{generia.ActionDismiss, generia.ActionApprove, generia.ActionHide, generia.ActionDelete,
		generia.ActionMarkSensitive, generia.ActionPauseLife, generia.ActionFreezeWorld, generia.ActionSilence,
		generia.ActionWarn, generia.ActionLimit, generia.ActionSuspend}
	strikeActions = actions[2:]
)

// strikeColumns are the columns of a strike and its appeal.
const strikeColumns = `id, user_id, case_id, action, subject_type, subject_id, reason, snapshot, created_at,
	appeal_state, appeal_text, appealed_at, decided_at, decided_by, decision`

func scanStrike(row scanner) (generia.Strike, error) {
	var st generia.Strike
	var snapshot sql.NullString
	var a generia.Appeal
	var appealedAt *time.Time
	err := row.Scan(&st.ID, &st.UserID, &st.CaseID, &st.Action, &st.Subject.Type, &st.Subject.ID, &st.Reason, &snapshot, timeInto(&st.CreatedAt),
		&a.State, &a.Text, optTimeInto(&appealedAt), optTimeInto(&a.DecidedAt), &a.DecidedBy, &a.Decision)
	if err != nil {
		return generia.Strike{}, err
	}
	if err := readJSON(snapshot, &st.Snapshot); err != nil {
		return generia.Strike{}, fmt.Errorf("reading the snapshot of strike %s: %w", st.ID, err)
	}
	if a.State != "" {
		if appealedAt != nil {
			a.CreatedAt = *appealedAt
		}
		st.Appeal = &a
	}
	return st, nil
}

// insertStrike checks and inserts a strike, and tells its person
// (NotifyStrike); a zero CreatedAt is the store's clock.
func (s *Store) insertStrike(ctx context.Context, tx handle, st generia.Strike) (generia.Strike, error) {
	if err := required("strike ID", st.ID, "user ID", st.UserID); err != nil {
		return generia.Strike{}, err
	}
	if !slices.Contains(strikeActions, st.Action) {
		return generia.Strike{}, generia.Errorf(generia.KindInvalid, "a strike's action must be one of %q, not %q", strikeActions, st.Action)
	}
	if st.Subject != (generia.Subject{}) {
		if err := checkSubject(st.Subject); err != nil {
			return generia.Strike{}, err
		}
	}
	st.CreatedAt = s.stamp(st.CreatedAt)
	if st.Snapshot.TakenAt.IsZero() {
		st.Snapshot.TakenAt = st.CreatedAt
	}
	snapshot, err := snapshotArg(st.Snapshot)
	if err != nil {
		return generia.Strike{}, err
	}
	out, err := scanStrike(tx.QueryRow(ctx, `INSERT INTO strikes (id, user_id, case_id, action, subject_type, subject_id, reason, snapshot, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+strikeColumns,
		st.ID, st.UserID, st.CaseID, st.Action, st.Subject.Type, st.Subject.ID, st.Reason, snapshot, s.at(st.CreatedAt)))
	if s.d.UniqueViolation(err) {
		return generia.Strike{}, generia.WrapError(generia.KindConflict, err, "strike "+st.ID+" exists")
	}
	if err != nil {
		return generia.Strike{}, err
	}
	return out, s.notifyStrike(ctx, tx, out, generia.NotifyStrike, out.Reason, out.CreatedAt)
}

// Resolve closes a case; see generia.TrustStore. The resolution is one of
// the moderators' actions (generia.Action*), else KindInvalid; an unknown
// case gives KindNotFound. The strike and the audit entry default to the
// case's subject, snapshot and ID. A review of a subject that no longer
// exists (content deleted since) is skipped: the case still closes.
func (s *Store) Resolve(ctx context.Context, caseID, resolution string, r *generia.Review, strike *generia.Strike, entry generia.AuditEntry) (generia.Case, error) {
	if err := required("case ID", caseID); err != nil {
		return generia.Case{}, err
	}
	if !slices.Contains(actions, resolution) {
		return generia.Case{}, generia.Errorf(generia.KindInvalid, "unknown resolution %q: want one of %q", resolution, actions)
	}
	now := s.stamp(time.Time{})
	var out generia.Case
	err := s.write(ctx, func(tx handle) error {
		var err error
		out, err = scanCase(tx.QueryRow(ctx, `UPDATE cases SET status = 'resolved', resolution = ?, resolved_at = ?, updated_at = ?
			WHERE id = ? AND status = 'open' RETURNING `+caseColumns, resolution, s.at(now), s.at(now), caseID))
		if errors.Is(err, sql.ErrNoRows) {
			if err := mustExist(ctx, tx, "cases", "case", caseID, ""); err != nil {
				return err
			}
			return generia.WrapError(generia.KindConflict, errCaseResolved, "case "+caseID+" is resolved already")
		}
		if err != nil {
			return err
		}
		if r != nil {
			table, labels, err := reviewArgs(out.Subject, *r)
			if err != nil {
				return err
			}
			if err := s.setReview(ctx, tx, table, labels, out.Subject, *r); err != nil && !generia.IsKind(err, generia.KindNotFound) {
				return err
			}
		}
		if strike != nil {
			st := *strike
			st.CaseID = caseID
			if st.Subject == (generia.Subject{}) {
				st.Subject = out.Subject
			}
			if st.Snapshot == (generia.Snapshot{}) {
				st.Snapshot = out.Snapshot
			}
			if _, err := s.insertStrike(ctx, tx, st); err != nil {
				return err
			}
		}
		entry.CaseID = caseID
		if entry.Subject == (generia.Subject{}) {
			entry.Subject = out.Subject
		}
		if entry.Snapshot == nil {
			entry.Snapshot = &out.Snapshot
		}
		if entry.Verb == "" {
			entry.Verb = resolution
		}
		return s.appendAudit(ctx, tx, entry)
	})
	if err != nil {
		return generia.Case{}, fmt.Errorf("resolving case %s: %w", caseID, s.translate(err))
	}
	return out, nil
}

// AddStrike records a strike outside a case, with its audit entry (which
// defaults to the strike's subject, snapshot and action).
func (s *Store) AddStrike(ctx context.Context, st generia.Strike, entry generia.AuditEntry) (generia.Strike, error) {
	var out generia.Strike
	err := s.write(ctx, func(tx handle) error {
		var err error
		if out, err = s.insertStrike(ctx, tx, st); err != nil {
			return err
		}
		if entry.Subject == (generia.Subject{}) {
			entry.Subject = out.Subject
		}
		if entry.Snapshot == nil {
			entry.Snapshot = &out.Snapshot
		}
		if entry.Verb == "" {
			entry.Verb = out.Action
		}
		if entry.CaseID == "" {
			entry.CaseID = out.CaseID
		}
		return s.appendAudit(ctx, tx, entry)
	})
	if err != nil {
		return generia.Strike{}, fmt.Errorf("adding strike %s: %w", st.ID, s.translate(err))
	}
	return out, nil
}

// Strike returns a strike with its appeal.
func (s *Store) Strike(ctx context.Context, id string) (generia.Strike, error) {
	return readOne(ctx, s, scanStrike, "strike "+id, `SELECT `+strikeColumns+` FROM strikes WHERE id = ?`, id)
}

// Strikes lists an account's strikes, newest first.
func (s *Store) Strikes(ctx context.Context, userID string) ([]generia.Strike, error) {
	out, err := list(ctx, s.reads, scanStrike, `SELECT `+strikeColumns+` FROM strikes WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("listing the strikes of user %s: %w", userID, s.translate(err))
	}
	return out, nil
}

// AppealStrike records a strike's one appeal; see generia.TrustStore. A
// blank text gives KindInvalid, an unknown strike KindNotFound. The appeal
// is one conditional update, so of two racing appeals one is recorded.
func (s *Store) AppealStrike(ctx context.Context, strikeID, text string, now time.Time) (generia.Strike, error) {
	if err := required("strike ID", strikeID); err != nil {
		return generia.Strike{}, err
	}
	if strings.TrimSpace(text) == "" {
		return generia.Strike{}, generia.Errorf(generia.KindInvalid, "an appeal needs a text")
	}
	now = s.stamp(now)
	var out generia.Strike
	err := s.write(ctx, func(tx handle) error {
		var err error
		out, err = scanStrike(tx.QueryRow(ctx, `UPDATE strikes SET appeal_state = ?, appeal_text = ?, appealed_at = ?
			WHERE id = ? AND appeal_state = '' AND created_at >= ? RETURNING `+strikeColumns,
			generia.AppealPending, text, s.at(now), strikeID, s.at(now.Add(-generia.AppealWindow))))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		st, err := scanStrike(tx.QueryRow(ctx, `SELECT `+strikeColumns+` FROM strikes WHERE id = ?`, strikeID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return generia.Errorf(generia.KindNotFound, "strike %s not found", strikeID)
		case err != nil:
			return err
		case st.Appeal != nil:
			return generia.Errorf(generia.KindConflict, "strike %s was appealed already", strikeID)
		default:
			return generia.Errorf(generia.KindInvalid, "strike %s can no longer be appealed: the window of %d days ended", strikeID, int(generia.AppealWindow/(24*time.Hour)))
		}
	})
	if err != nil {
		return generia.Strike{}, fmt.Errorf("appealing strike %s: %w", strikeID, s.translate(err))
	}
	return out, nil
}

// DecideAppeal answers a pending appeal, with an audit entry by the
// moderator (verb "appeal_accepted" or "appeal_rejected"), and tells the
// struck person (NotifyAppeal); see
// generia.TrustStore. An unknown strike gives KindNotFound, one with no
// pending appeal KindConflict.
func (s *Store) DecideAppeal(ctx context.Context, strikeID string, accepted bool, by, reason string, now time.Time) (generia.Strike, error) {
	if err := required("strike ID", strikeID, "moderator", by); err != nil {
		return generia.Strike{}, err
	}
	state, verb := generia.AppealRejected, "appeal_rejected"
	if accepted {
		state, verb = generia.AppealAccepted, "appeal_accepted"
	}
	now = s.stamp(now)
	var out generia.Strike
	err := s.write(ctx, func(tx handle) error {
		var err error
		out, err = scanStrike(tx.QueryRow(ctx, `UPDATE strikes SET appeal_state = ?, decided_at = ?, decided_by = ?, decision = ?
			WHERE id = ? AND appeal_state = ? RETURNING `+strikeColumns,
			state, s.at(now), by, reason, strikeID, generia.AppealPending))
		if errors.Is(err, sql.ErrNoRows) {
			if err := mustExist(ctx, tx, "strikes", "strike", strikeID, ""); err != nil {
				return err
			}
			return generia.Errorf(generia.KindConflict, "strike %s has no appeal waiting for a decision", strikeID)
		}
		if err != nil {
			return err
		}
		if err := s.notifyStrike(ctx, tx, out, generia.NotifyAppeal, reason, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, generia.AuditEntry{Actor: by, Verb: verb, Subject: out.Subject, CaseID: out.CaseID,
			Reason: reason, Snapshot: &out.Snapshot, Detail: []byte(`{"strike_id":` + jsonString(out.ID) + `}`), CreatedAt: now})
	})
	if err != nil {
		return generia.Strike{}, fmt.Errorf("deciding the appeal of strike %s: %w", strikeID, s.translate(err))
	}
	return out, nil
}
