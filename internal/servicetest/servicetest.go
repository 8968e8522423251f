// Package servicetest says what a test does when a service it needs
// (PostgreSQL, Redis, an S3 server, Chromium) is not there: by default it
// skips, saying so; with GENERIA_REQUIRE_SERVICES=1, as CI sets it, it
// fails, so that a suite CI meant to run cannot pass by not running. It
// imports only the standard library.
package servicetest

import (
	"os"
	"strconv"
	"testing"
)

// RequireEnv is the environment variable that turns a missing service from
// a skip into a failure.
const RequireEnv = "GENERIA_REQUIRE_SERVICES"

// Skip skips the test, which needs a service that is not there; why says
// which and what did not run. With GENERIA_REQUIRE_SERVICES=1 it fails the
// test with the same words instead.
func Skip(t testing.TB, why string) {
	t.Helper()
	if required(t) {
		t.Fatalf("%s, and %s=1 requires it", why, RequireEnv)
	}
	t.Skip(why)
}

// Log notes that part of a test ran without a service that is not there,
// and the test goes on; why says which and what did not run. With
// GENERIA_REQUIRE_SERVICES=1 it fails the test with the same words instead.
func Log(t testing.TB, why string) {
	t.Helper()
	if required(t) {
		t.Fatalf("%s, and %s=1 requires it", why, RequireEnv)
	}
	t.Log(why)
}

func required(t testing.TB) bool {
	t.Helper()
	v, ok := os.LookupEnv(RequireEnv)
	if !ok || v == "" {
		return false
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		t.Fatalf("%s=%q: want 1 or 0", RequireEnv, v)
	}
	return on
}

// Env returns the environment variable that names a service a test needs.
// When it is not set, the test skips as Skip says; what names what did not
// run.
func Env(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Skip(t, name+" is not set: "+what+" did not run")
	}
	return v
}
