package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/generia/generia/internal/generia"
)

// caseColumns are the columns of a case.
const caseColumns = `id, subject_type, subject_id, world_id, status, source, score, reports, snapshot, verdict,
	resolution, created_at, updated_at, resolved_at`

func scanCase(row scanner) (generia.Case, error) {
	var c generia.Case
	var snapshot, verdict sql.NullString
	err := row.Scan(&c.ID, &c.Subject.Type, &c.Subject.ID, &c.WorldID, &c.Status, &c.Source, &c.Score, &c.Reports, &snapshot, &verdict,
		&c.Resolution, timeInto(&c.CreatedAt), timeInto(&c.UpdatedAt), optTimeInto(&c.ResolvedAt))
	if err != nil {
		return generia.Case{}, err
	}
	if err := readJSON(snapshot, &c.Snapshot); err != nil {
		return generia.Case{}, fmt.Errorf("reading the snapshot of case %s: %w", c.ID, err)
	}
	if verdict.Valid {
		c.Verdict = &generia.Verdict{}
		if err := readJSON(verdict, c.Verdict); err != nil {
			return generia.Case{}, fmt.Errorf("reading the verdict of case %s: %w", c.ID, err)
		}
	}
	return c, nil
}

// readJSON decodes a JSON column into v; NULL leaves v as it is.
func readJSON(col sql.NullString, v any) error {
	if !col.Valid {
		return nil
	}
	return json.Unmarshal([]byte(col.String), v)
}

// snapshotArg is the stored form of a snapshot, its times at the stored
// precision.
func snapshotArg(sn generia.Snapshot) (string, error) {
	sn.TakenAt = normTime(sn.TakenAt)
	b, err := json.Marshal(sn)
	return string(b), err
}

// optSnapshotArg is snapshotArg of an optional snapshot: NULL when nil.
func optSnapshotArg(sn *generia.Snapshot) (sql.NullString, error) {
	if sn == nil {
		return sql.NullString{}, nil
	}
	v, err := snapshotArg(*sn)
	return sql.NullString{String: v, Valid: true}, err
}

// openCase inserts a case unless its subject has an open one, and returns the
// subject's open case. Of concurrent inserts for one subject, the unique
// index cases_open_subject lets one through; the others wait for it to
// commit and then find its case.
func (s *Store) openCase(ctx context.Context, tx handle, c generia.Case) (generia.Case, error) {
	snapshot, err := snapshotArg(c.Snapshot)
	if err != nil {
		return generia.Case{}, err
	}
	var verdict sql.NullString
	if c.Verdict != nil {
		b, err := json.Marshal(c.Verdict)
		if err != nil {
			return generia.Case{}, err
		}
		verdict = sql.NullString{String: string(b), Valid: true}
	}
	_, err = tx.Exec(ctx, `INSERT INTO cases (id, subject_type, subject_id, world_id, status, source, score, reports, snapshot, verdict, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'open', ?, 0, 0, ?, ?, ?, ?)
		ON CONFLICT (subject_type, subject_id) WHERE status = 'open' DO NOTHING`,
		c.ID, c.Subject.Type, c.Subject.ID, c.WorldID, c.Source, snapshot, verdict, s.at(c.CreatedAt), s.at(c.CreatedAt))
	if s.d.UniqueViolation(err) {
		return generia.Case{}, generia.WrapError(generia.KindConflict, err, "case "+c.ID+" exists")
	}
	if err != nil {
		return generia.Case{}, err
	}
	return scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE subject_type = ? AND subject_id = ? AND status = 'open' `+s.d.ForUpdate,
		c.Subject.Type, c.Subject.ID))
}

// FileReport records a report in its subject's open case; see
// generia.TrustStore. The report's ID is also the ID of the case it opens,
// if it opens one. A subject of no known type, a reason not in
// generia.ReportReasons or a weight that is not positive gives KindInvalid.
func (s *Store) FileReport(ctx context.Context, r generia.Report) (generia.Case, error) {
	if err := required("report ID", r.ID, "reporter ID", r.ReporterID); err != nil {
		return generia.Case{}, err
	}
	if err := checkSubject(r.Subject); err != nil {
		return generia.Case{}, err
	}
	if !slices.Contains(generia.ReportReasons, r.Reason) {
		return generia.Case{}, generia.Errorf(generia.KindInvalid, "unknown report reason %q: want one of %q", r.Reason, generia.ReportReasons)
	}
	if !(r.Weight > 0) || math.IsInf(r.Weight, 0) {
		return generia.Case{}, generia.Errorf(generia.KindInvalid, "a report's weight must be a positive number, not %v", r.Weight)
	}
	r.CreatedAt = s.stamp(r.CreatedAt)
	r.Snapshot.Subject = r.Subject
	if r.Snapshot.TakenAt.IsZero() {
		r.Snapshot.TakenAt = r.CreatedAt
	}
	snapshot, err := snapshotArg(r.Snapshot)
	if err != nil {
		return generia.Case{}, err
	}
	var out generia.Case
	err = s.write(ctx, func(tx handle) error {
		c, err := s.openCase(ctx, tx, generia.Case{ID: r.ID, Subject: r.Subject, WorldID: r.Snapshot.WorldID, Source: generia.SourceReport,
			Snapshot: r.Snapshot, CreatedAt: r.CreatedAt})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO reports (id, case_id, reporter_id, subject_type, subject_id, reason, note, weight, snapshot, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, c.ID, r.ReporterID, r.Subject.Type, r.Subject.ID, r.Reason, r.Note, r.Weight, snapshot, s.at(r.CreatedAt))
		if s.d.UniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "you reported this already")
		}
		if err != nil {
			return err
		}
		out, err = scanCase(tx.QueryRow(ctx, `UPDATE cases SET score = score + ?, reports = reports + 1, updated_at = `+s.d.Greatest+`(updated_at, ?)
			WHERE id = ? RETURNING `+caseColumns, r.Weight, s.at(r.CreatedAt), c.ID))
		return err
	})
	if err != nil {
		return generia.Case{}, fmt.Errorf("reporting %s: %w", r.Subject, s.translate(err))
	}
	return out, nil
}

// OpenCase opens a case for an automatic hold, or returns the subject's open
// case; see generia.TrustStore. An empty source is generia.SourceCheck; a
// zero CreatedAt the store's clock.
func (s *Store) OpenCase(ctx context.Context, c generia.Case) (generia.Case, error) {
	if err := required("case ID", c.ID); err != nil {
		return generia.Case{}, err
	}
	if err := checkSubject(c.Subject); err != nil {
		return generia.Case{}, err
	}
	if c.Source == "" {
		c.Source = generia.SourceCheck
	}
	if c.Source != generia.SourceCheck && c.Source != generia.SourceReport {
		return generia.Case{}, generia.Errorf(generia.KindInvalid, "unknown case source %q", c.Source)
	}
	c.CreatedAt = s.stamp(c.CreatedAt)
	c.Snapshot.Subject = c.Subject
	if c.Snapshot.TakenAt.IsZero() {
		c.Snapshot.TakenAt = c.CreatedAt
	}
	if c.WorldID == "" {
		c.WorldID = c.Snapshot.WorldID
	}
	var out generia.Case
	err := s.write(ctx, func(tx handle) error {
		var err error
		out, err = s.openCase(ctx, tx, c)
		return err
	})
	if err != nil {
		return generia.Case{}, fmt.Errorf("opening a case of %s: %w", c.Subject, s.translate(err))
	}
	return out, nil
}

// Case returns a case.
func (s *Store) Case(ctx context.Context, id string) (generia.Case, error) {
	return readOne(ctx, s, scanCase, "case "+id, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id)
}

// ListCases lists cases: open ones by score, highest first, then oldest
// first; resolved ones, and all of them when the filter names no status,
// newest first. An unknown status gives KindInvalid.
func (s *Store) ListCases(ctx context.Context, f generia.CaseFilter, page generia.Page) ([]generia.Case, string, error) {
	switch f.Status {
	case generia.CaseOpen:
		return s.listOpenCases(ctx, page)
	case generia.CaseResolved, "":
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "unknown case status %q: want %q, %q or none", f.Status, generia.CaseOpen, generia.CaseResolved)
	}
	k := keyset[generia.Case]{list: listCasesNewest, columns: `created_at, id`, desc: true, scan: scanCase,
		key: func(c generia.Case) cursor { return cursor{Time: micros(c.CreatedAt), ID: c.ID} }}
	return listPage(ctx, s, k, page, "cases", func(args *sqlArgs) (string, error) {
		q := `SELECT ` + caseColumns + ` FROM cases WHERE 1 = 1`
		if f.Status != "" {
			q += ` AND status = ` + args.add(f.Status)
		}
		return q, nil
	}, nil)
}

// listOpenCases pages the open cases by score descending, then age: the
// keyset's directions differ, so it is written out here.
func (s *Store) listOpenCases(ctx context.Context, page generia.Page) ([]generia.Case, string, error) {
	page = page.Normalize()
	after, ok, err := decodeCursor(page.Cursor, listCases)
	if err != nil {
		return nil, "", err
	}
	var args sqlArgs
	q := `SELECT ` + caseColumns + ` FROM cases WHERE status = 'open'`
	if ok {
		score, t := args.add(after.Score), s.at(fromMicros(after.Time))
		q += ` AND (score < ` + score + ` OR (score = ` + args.add(after.Score) + ` AND (created_at, id) > (` + args.add(t) + `, ` + args.add(after.ID) + `)))`
	}
	q += ` ORDER BY score DESC, created_at, id` + limit(page.Limit+1)
	rows, err := list(ctx, s.reads, scanCase, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing open cases: %w", s.translate(err))
	}
	if len(rows) <= page.Limit {
		return rows, "", nil
	}
	rows = rows[:page.Limit]
	last := rows[len(rows)-1]
	return rows, encodeCursor(cursor{List: listCases, Score: last.Score, Time: micros(last.CreatedAt), ID: last.ID}), nil
}

// reportColumns are the columns of a report.
const reportColumns = `id, case_id, reporter_id, subject_type, subject_id, reason, note, weight, snapshot, created_at`

func scanReport(row scanner) (generia.Report, error) {
	var r generia.Report
	var snapshot sql.NullString
	err := row.Scan(&r.ID, &r.CaseID, &r.ReporterID, &r.Subject.Type, &r.Subject.ID, &r.Reason, &r.Note, &r.Weight, &snapshot, timeInto(&r.CreatedAt))
	if err != nil {
		return generia.Report{}, err
	}
	if err := readJSON(snapshot, &r.Snapshot); err != nil {
		return generia.Report{}, fmt.Errorf("reading the snapshot of report %s: %w", r.ID, err)
	}
	return r, nil
}

// CaseReports lists a case's reports, oldest first. An unknown case gives
// KindNotFound.
func (s *Store) CaseReports(ctx context.Context, caseID string) ([]generia.Report, error) {
	out, err := list(ctx, s.reads, scanReport, `SELECT `+reportColumns+` FROM reports WHERE case_id = ? ORDER BY created_at, id`, caseID)
	if err == nil && len(out) == 0 {
		err = mustExist(ctx, s.reads, "cases", "case", caseID, "")
	}
	if err != nil {
		return nil, fmt.Errorf("listing the reports of case %s: %w", caseID, s.translate(err))
	}
	return out, nil
}

// ReporterRecord counts a reporter's reports in resolved cases: upheld in
// those resolved with an action other than dismiss or approve, rejected in
// those dismissed.
func (s *Store) ReporterRecord(ctx context.Context, userID string) (upheld, rejected int, err error) {
	err = s.reads.QueryRow(ctx, `SELECT
			COUNT(CASE WHEN c.resolution NOT IN ('`+generia.ActionDismiss+`', '`+generia.ActionApprove+`') THEN 1 END),
			COUNT(CASE WHEN c.resolution = '`+generia.ActionDismiss+`' THEN 1 END)
		FROM reports r JOIN cases c ON c.id = r.case_id
		WHERE r.reporter_id = ? AND c.status = 'resolved'`, userID).Scan(&upheld, &rejected)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the record of reporter %s: %w", userID, s.translate(err))
	}
	return upheld, rejected, nil
}

// errCaseResolved is Resolve's answer for a case resolved already.
var errCaseResolved = errors.New("the case is resolved already")
