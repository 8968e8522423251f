package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/generia/generia/internal/generia"
)

// The audit log is append-only: appendAudit is the one statement that
// writes it, and nothing in the store updates or deletes its rows.

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// appendAudit appends an entry to the audit log. An empty ID is made up, a
// zero CreatedAt is the store's clock; an entry needs an actor and a verb.
func (s *Store) appendAudit(ctx context.Context, tx handle, e generia.AuditEntry) error {
	if err := required("audit actor", e.Actor, "audit verb", e.Verb); err != nil {
		return err
	}
	if e.Subject != (generia.Subject{}) {
		if err := checkSubject(e.Subject); err != nil {
			return err
		}
	}
	if e.ID == "" {
		e.ID = rand.Text()
	}
	e.CreatedAt = s.stamp(e.CreatedAt)
	snapshot, err := optSnapshotArg(e.Snapshot)
	if err != nil {
		return err
	}
	detail, err := jsonArg("audit detail", e.Detail)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (id, actor, verb, subject_type, subject_id, case_id, reason, snapshot, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Actor, e.Verb, e.Subject.Type, e.Subject.ID, e.CaseID, e.Reason, snapshot, detail, s.at(e.CreatedAt))
	if s.d.UniqueViolation(err) {
		return generia.WrapError(generia.KindConflict, err, "audit entry "+e.ID+" exists")
	}
	return err
}

// Audit appends an entry to the audit log; see appendAudit.
func (s *Store) Audit(ctx context.Context, e generia.AuditEntry) error {
	err := s.write(ctx, func(tx handle) error { return s.appendAudit(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("auditing %s: %w", e.Verb, s.translate(err))
	}
	return nil
}

// auditRow is an audit entry and its place in the log.
type auditRow struct {
	seq int64
	e   generia.AuditEntry
}

func scanAudit(row scanner) (auditRow, error) {
	var r auditRow
	var snapshot, detail sql.NullString
	err := row.Scan(&r.seq, &r.e.ID, &r.e.Actor, &r.e.Verb, &r.e.Subject.Type, &r.e.Subject.ID, &r.e.CaseID, &r.e.Reason,
		&snapshot, &detail, timeInto(&r.e.CreatedAt))
	if err != nil {
		return auditRow{}, err
	}
	if snapshot.Valid {
		r.e.Snapshot = &generia.Snapshot{}
		if err := readJSON(snapshot, r.e.Snapshot); err != nil {
			return auditRow{}, fmt.Errorf("reading the snapshot of audit entry %s: %w", r.e.ID, err)
		}
	}
	r.e.Detail = fromJSON(detail)
	return r, nil
}

// ListAudit reads the audit log, newest (last written) first, of one
// subject and one actor when the filter names them.
func (s *Store) ListAudit(ctx context.Context, f generia.AuditFilter, page generia.Page) ([]generia.AuditEntry, string, error) {
	page = page.Normalize()
	after, ok, err := decodeCursor(page.Cursor, listAudit)
	if err != nil {
		return nil, "", err
	}
	var args sqlArgs
	q := `SELECT seq, id, actor, verb, subject_type, subject_id, case_id, reason, snapshot, detail, created_at FROM audit_log WHERE 1 = 1`
	if f.Subject != nil {
		q += ` AND subject_type = ` + args.add(f.Subject.Type) + ` AND subject_id = ` + args.add(f.Subject.ID)
	}
	if f.Actor != "" {
		q += ` AND actor = ` + args.add(f.Actor)
	}
	if ok {
		q += ` AND seq < ` + args.add(after.Pos)
	}
	q += ` ORDER BY seq DESC` + limit(page.Limit+1)
	rows, err := list(ctx, s.reads, scanAudit, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing the audit log: %w", s.translate(err))
	}
	next := ""
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		last := rows[len(rows)-1]
		next = encodeCursor(cursor{List: listAudit, Pos: int(last.seq), ID: last.e.ID})
	}
	out := make([]generia.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.e
	}
	return out, next, nil
}
