package temporalserver

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// logger adapts slog to the server's logger. The server is chatty, and warns
// of routine events (e.g. pollers closing at shutdown), so it passes errors
// only, unless the log level is debug.
type logger struct{ l *slog.Logger }

func newLogger(l *slog.Logger) log.Logger { return logger{l.With("component", "temporal")} }

func (g logger) log(level slog.Level, msg string, tags []tag.Tag) {
	if (level < slog.LevelError && !g.l.Enabled(context.Background(), slog.LevelDebug)) || !g.l.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]any, 0, 2*len(tags))
	for _, t := range tags {
		attrs = append(attrs, t.Key(), t.Value())
	}
	g.l.Log(context.Background(), level, msg, attrs...)
}

func (g logger) Debug(msg string, tags ...tag.Tag)  { g.log(slog.LevelDebug, msg, tags) }
func (g logger) Info(msg string, tags ...tag.Tag)   { g.log(slog.LevelInfo, msg, tags) }
func (g logger) Warn(msg string, tags ...tag.Tag)   { g.log(slog.LevelWarn, msg, tags) }
func (g logger) Error(msg string, tags ...tag.Tag)  { g.log(slog.LevelError, msg, tags) }
func (g logger) DPanic(msg string, tags ...tag.Tag) { g.log(slog.LevelError, msg, tags) }
func (g logger) Panic(msg string, tags ...tag.Tag) {
	g.log(slog.LevelError, msg, tags)
	panic(fatal(msg, tags))
}

// Fatal panics instead of exiting the process, as the server's own logger
// would: Start recovers a fatal error while the server is being built and
// returns it.
func (g logger) Fatal(msg string, tags ...tag.Tag) {
	g.log(slog.LevelError, msg, tags)
	panic(fatal(msg, tags))
}

// fatalError is what the server could not go on from, with its tags.
type fatalError struct{ msg string }

func (e fatalError) Error() string { return e.msg }

func fatal(msg string, tags []tag.Tag) fatalError {
	var b strings.Builder
	b.WriteString(msg)
	for _, t := range tags {
		fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
	}
	return fatalError{b.String()}
}
