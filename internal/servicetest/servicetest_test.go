package servicetest

import (
	"fmt"
	"strings"
	"testing"
)

// ending records how a test would have ended.
type ending struct {
	testing.TB
	how, msg string
}

// stop ends the call as the real Fatal and Skip do.
type stop struct{}

func (e *ending) Fatalf(format string, args ...any) {
	e.how, e.msg = "failed", fmt.Sprintf(format, args...)
	panic(stop{})
}

func (e *ending) Skip(args ...any) {
	e.how, e.msg = "skipped", fmt.Sprint(args...)
	panic(stop{})
}

func (e *ending) Log(args ...any) { e.how, e.msg = "logged", fmt.Sprint(args...) }

// end calls f(why) on a test that records how f ends it.
func end(t *testing.T, f func(testing.TB, string), why string) *ending {
	e := &ending{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil && v != (stop{}) {
				panic(v)
			}
		}()
		f(e, why)
	}()
	return e
}

// A missing service skips the test, or for Log is noted; with
// GENERIA_REQUIRE_SERVICES on, either fails it with the same words.
func TestMissingServices(t *testing.T) {
	const why = "X is not set: the X suite did not run"
	for _, tt := range []struct {
		env       string
		skip, log string // how Skip and Log end the test
		says      string // how its message starts
	}{
		{"", "skipped", "logged", why},
		{"0", "skipped", "logged", why},
		{"1", "failed", "failed", why},
		{"true", "failed", "failed", why},
		{"yes", "failed", "failed", RequireEnv + `="yes"`}, // neither on nor off
	} {
		t.Run(fmt.Sprintf("%s=%q", RequireEnv, tt.env), func(t *testing.T) {
			t.Setenv(RequireEnv, tt.env)
			for _, c := range []struct {
				name string
				f    func(testing.TB, string)
				want string
			}{{"Skip", Skip, tt.skip}, {"Log", Log, tt.log}} {
				e := end(t, c.f, why)
				if e.how != c.want {
					t.Errorf("%s %s the test (%q), want %s", c.name, e.how, e.msg, c.want)
				}
				if !strings.HasPrefix(e.msg, tt.says) {
					t.Errorf("%s says %q, want it to start with %q", c.name, e.msg, tt.says)
				}
			}
		})
	}
}
