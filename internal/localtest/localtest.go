// Package localtest opens the local backends for tests: an SQLite store and
// a media directory, each released when the test ends. It is for the tests
// of the packages above the store (the social service, the pipeline, the
// HTTP surfaces); the backends' own tests are the conformance suites.
package localtest

import (
	"context"
	"testing"

	"github.com/generia/generia/internal/fsmedia"
	"github.com/generia/generia/internal/sqlite"
)

// Store opens an SQLite store at path (":memory:" for a private one in
// memory), closed when the test ends.
func Store(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("opening the store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Media is a media store in dir, which the test's temporary directory
// removes when it ends.
func Media(tb testing.TB, dir string) *fsmedia.Store {
	tb.Helper()
	m, err := fsmedia.New(dir)
	if err != nil {
		tb.Fatalf("opening the media store: %v", err)
	}
	return m
}
