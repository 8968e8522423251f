package cli

import (
	"context"
	"errors"

	"github.com/generia/generia/internal/config"
)

func runBench(ctx context.Context, args []string, cfg config.Config, env Env) error {
	return errors.New("bench: not built yet")
}
