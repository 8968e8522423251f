package sqlstore

import (
	"context"
	"time"

	"github.com/generia/generia/internal/generia"
)

// PLACEHOLDER: the trust-and-safety store is being written on its own
// branch; these methods only let the tree build meanwhile.

var errTrustPending = generia.Errorf(generia.KindInternal, "trust store not written yet")

func (s *Store) FileReport(ctx context.Context, r generia.Report) (generia.Case, error) {
	return generia.Case{}, errTrustPending
}
func (s *Store) OpenCase(ctx context.Context, c generia.Case) (generia.Case, error) {
	return generia.Case{}, errTrustPending
}
func (s *Store) Case(ctx context.Context, id string) (generia.Case, error) {
	return generia.Case{}, errTrustPending
}
func (s *Store) ListCases(ctx context.Context, f generia.CaseFilter, page generia.Page) ([]generia.Case, string, error) {
	return nil, "", errTrustPending
}
func (s *Store) CaseReports(ctx context.Context, caseID string) ([]generia.Report, error) {
	return nil, errTrustPending
}
func (s *Store) ReporterRecord(ctx context.Context, userID string) (int, int, error) {
	return 0, 0, errTrustPending
}
func (s *Store) Resolve(ctx context.Context, caseID, resolution string, r *generia.Review, strike *generia.Strike, entry generia.AuditEntry) (generia.Case, error) {
	return generia.Case{}, errTrustPending
}
func (s *Store) AddStrike(ctx context.Context, st generia.Strike, entry generia.AuditEntry) (generia.Strike, error) {
	return generia.Strike{}, errTrustPending
}
func (s *Store) Strike(ctx context.Context, id string) (generia.Strike, error) {
	return generia.Strike{}, errTrustPending
}
func (s *Store) Strikes(ctx context.Context, userID string) ([]generia.Strike, error) {
	return nil, errTrustPending
}
func (s *Store) AppealStrike(ctx context.Context, strikeID, text string, now time.Time) (generia.Strike, error) {
	return generia.Strike{}, errTrustPending
}
func (s *Store) DecideAppeal(ctx context.Context, strikeID string, accepted bool, by, reason string, now time.Time) (generia.Strike, error) {
	return generia.Strike{}, errTrustPending
}
func (s *Store) Audit(ctx context.Context, e generia.AuditEntry) error { return errTrustPending }
func (s *Store) ListAudit(ctx context.Context, f generia.AuditFilter, page generia.Page) ([]generia.AuditEntry, string, error) {
	return nil, "", errTrustPending
}
func (s *Store) SpendByDay(ctx context.Context, since time.Time) ([]generia.DaySpend, error) {
	return nil, errTrustPending
}
func (s *Store) TopAccounts(ctx context.Context, since time.Time, n int) ([]generia.Spender, error) {
	return nil, errTrustPending
}
func (s *Store) TopWorlds(ctx context.Context, since time.Time, n int) ([]generia.Spender, error) {
	return nil, errTrustPending
}
