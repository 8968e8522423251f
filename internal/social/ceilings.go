package social

import (
	"context"
	"log/slog"

	"github.com/generia/generia/internal/generia"
)

// OperatorUsername is the account of the operator token, a name nobody
// may register (ReservedUsernames): the one account that may read and
// set other accounts' ceilings.
const OperatorUsername = "operator"

// operator returns KindUnauthorized for a visitor and KindForbidden for
// anyone but the operator.
func (s *Service) operator(ctx context.Context, viewerID, what string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, viewerID)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && u.Username != OperatorUsername) {
		return generia.Errorf(generia.KindForbidden, "only the operator may %s", what)
	}
	return err
}

// account finds an account by its ID or its username.
func (s *Service) account(ctx context.Context, ref string) (generia.User, error) {
	u, err := s.Store.UserByID(ctx, ref)
	if generia.IsKind(err, generia.KindNotFound) {
		if u, _, err = s.Store.UserByLogin(ctx, ref); generia.IsKind(err, generia.KindNotFound) {
			err = generia.Errorf(generia.KindNotFound, "no account %q", ref)
		}
	}
	return u, err
}

// AccountCeilings returns one account's ceilings and what its worlds spent
// today, to the operator only.
func (s *Service) AccountCeilings(ctx context.Context, viewerID, account string) (generia.AccountCeilings, error) {
	if err := s.operator(ctx, viewerID, "read an account's ceilings"); err != nil {
		return generia.AccountCeilings{}, err
	}
	u, err := s.account(ctx, account)
	if err != nil {
		return generia.AccountCeilings{}, err
	}
	return s.Store.AccountCeilings(ctx, u.ID)
}

// SetAccountCeilings sets one account's ceilings, by the operator only;
// numbers that are not finite or are negative give KindInvalid and change
// nothing. The lives of the account's worlds are told the settings they
// live by at once (a lower pace slows them, a higher budget wakes a
// resting one); the store applies the new ceilings from the next call
// anyway.
func (s *Service) SetAccountCeilings(ctx context.Context, viewerID, account string, ch generia.CeilingsChange) (generia.AccountCeilings, error) {
	if err := s.operator(ctx, viewerID, "set an account's ceilings"); err != nil {
		return generia.AccountCeilings{}, err
	}
	u, err := s.account(ctx, account)
	if err != nil {
		return generia.AccountCeilings{}, err
	}
	a, err := s.Store.SetAccountCeilings(ctx, u.ID, ch, s.now())
	if err != nil || s.Life == nil {
		return a, err
	}
	page := generia.Page{Limit: generia.MaxPageSize}
	for {
		worlds, next, err := s.Store.ListWorlds(ctx, generia.WorldFilter{ViewerID: u.ID, Scope: generia.ScopeMine, Status: generia.StatusCompleted}, page)
		if err != nil {
			return a, err
		}
		for _, w := range worlds {
			if err := s.Life.CeilingsChanged(ctx, w.ID); err != nil {
				// The ceilings stand, and the store holds every call to
				// them; only the pace waits for the life's next settings.
				slog.Warn("telling a world's life of new ceilings", "world_id", w.ID, "error", err)
			}
		}
		if next == "" {
			return a, nil
		}
		page.Cursor = next
	}
}
