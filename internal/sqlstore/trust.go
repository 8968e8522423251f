package sqlstore

import (
	"context"
	"time"

	"github.com/generia/generia/internal/generia"
)

// PLACEHOLDER: the trust-and-safety store is being written on its own
// branch; these methods only let the tree build meanwhile.

var errTrustPending = generia.Errorf(generia.KindInternal, "trust store not written yet")

func (s *Store) SpendByDay(ctx context.Context, since time.Time) ([]generia.DaySpend, error) {
	return nil, errTrustPending
}
func (s *Store) TopAccounts(ctx context.Context, since time.Time, n int) ([]generia.Spender, error) {
	return nil, errTrustPending
}
func (s *Store) TopWorlds(ctx context.Context, since time.Time, n int) ([]generia.Spender, error) {
	return nil, errTrustPending
}
