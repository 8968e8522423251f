package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/offline"
	"github.com/generia/generia/internal/social"
)

// resumeWorlds starts the generation of every world left pending or in
// progress, in case the process that created it stopped before it could
// (pipeline.Client.Reconcile).
func (a *App) resumeWorlds(ctx context.Context) error {
	if err := a.Pipeline.Reconcile(ctx); err != nil {
		return fmt.Errorf("resuming generations: %w", err)
	}
	return nil
}

// removeUnusedUploads deletes, every hour, the uploads that no post or
// character uses and that are older than social.UnusedUploadAge.
func (a *App) removeUnusedUploads(svc *social.Service) {
	a.every(time.Hour, "removing unused uploads", func(ctx context.Context) error {
		n, err := svc.RemoveUnusedUploads(ctx)
		if n > 0 {
			a.Logger.Info("removed unused uploads", "count", n)
		}
		return err
	})
}

// every runs job now and then every period until the app closes; its
// errors are logged.
func (a *App) every(period time.Duration, what string, job func(ctx context.Context) error) {
	if a.stopJobs == nil {
		var ctx context.Context
		ctx, a.stopJobs = context.WithCancel(context.Background())
		a.jobCtx = ctx
	}
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if err := job(a.jobCtx); err != nil && a.jobCtx.Err() == nil {
				a.Logger.Error(what+" failed", "error", err)
			}
			select {
			case <-a.jobCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// OperatorUsername is the account of the local operator token, a name
// nobody can register (social.ReservedUsernames).
const OperatorUsername = social.OperatorUsername

// OperatorTokenFile is the name of the local operator token in the data dir.
const OperatorTokenFile = "operator-token"

// operatorTokenTTL is how long the local operator token is valid; each start
// writes a new one.
const operatorTokenTTL = 30 * 24 * time.Hour

// writeOperatorToken makes sure the local operator account exists and writes
// a fresh access token for it into the data dir, readable by its owner only.
func (a *App) writeOperatorToken(ctx context.Context) (generia.User, error) {
	u, _, err := a.Store.UserByLogin(ctx, OperatorUsername)
	if generia.IsKind(err, generia.KindNotFound) {
		password, perr := auth.RandomSecret(24) // nobody signs in with it; the token is the way in
		if perr != nil {
			return u, perr
		}
		hash, perr := auth.HashPassword(password)
		if perr != nil {
			return u, perr
		}
		u, err = a.Store.CreateUser(ctx, generia.User{ID: uuid.NewString(), Username: OperatorUsername, Email: "operator@localhost", CreatedAt: time.Now().UTC()}, hash)
	}
	if err != nil {
		return u, fmt.Errorf("creating the operator account: %w", err)
	}
	// A sign-in of its own, with a refresh token nobody holds.
	_, hash, err := auth.NewRefreshToken()
	if err != nil {
		return u, err
	}
	now := time.Now().UTC()
	f := generia.TokenFamily{ID: uuid.NewString(), UserID: u.ID, Generation: 1, ExpiresAt: now.Add(operatorTokenTTL), CreatedAt: now}
	if err := a.Store.StartTokenFamily(ctx, f, hash); err != nil {
		return u, fmt.Errorf("signing the operator in: %w", err)
	}
	token, _, err := a.Tokens.Issue(f, operatorTokenTTL)
	if err != nil {
		return u, err
	}
	path := filepath.Join(a.Config.DataDir, OperatorTokenFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		return u, fmt.Errorf("writing the operator token: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return u, err
	}
	return u, os.Rename(tmp, path)
}

// SamplePrompt is the sample world's prompt: offline.SamplePrompt, whose
// first screen the offline package's tests read.
const SamplePrompt = offline.SamplePrompt

// createSample generates the sample world on the first start over an empty
// data dir, always with the offline providers: starting Generia never spends
// an operator's credits by itself.
func (a *App) createSample(ctx context.Context, ownerID string) error {
	n, err := a.Store.CountWorlds(ctx)
	if err != nil || n > 0 {
		return err
	}
	w, err := a.Pipeline.Create(ctx, ownerID, generia.NewWorld{Prompt: SamplePrompt, CharactersCount: 3, PostsCount: 10},
		generia.Providers{LLM: generia.OfflineProvider, Image: generia.OfflineProvider})
	if err != nil {
		return fmt.Errorf("creating the sample world: %w", err)
	}
	a.SampleWorldID = w.ID
	return nil
}
