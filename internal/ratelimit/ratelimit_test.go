package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/servicetest"
)

func TestParseRate(t *testing.T) {
	if r, err := ParseRate(" 10 / 1m "); err != nil || r != (Rate{10, time.Minute}) {
		t.Errorf("10/1m: %+v, %v", r, err)
	}
	for _, bad := range []string{"", "10", "10/", "/1m", "0/1m", "-1/1m", "10/0s", "ten/1m", "10/minute"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("%q is accepted", bad)
		}
	}
}

// backends are the backends the tests run on: memory, and Redis when
// GENERIA_TEST_REDIS_URL names one (CI's does).
func backends(t testing.TB) map[string]func() Backend {
	t.Helper()
	out := map[string]func() Backend{"memory": func() Backend { return NewMemory(DefaultMemoryKeys) }}
	url := os.Getenv("GENERIA_TEST_REDIS_URL")
	if url == "" {
		servicetest.Log(t, "GENERIA_TEST_REDIS_URL is not set: the Redis backend was not tested")
		return out
	}
	r, err := NewRedis(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	out["redis"] = func() Backend { return prefixed{r, fmt.Sprintf("%s-%d|", t.Name(), time.Now().UnixNano())} }
	return out
}

// prefixed keeps a test's keys apart from every other run's in a shared
// Redis.
type prefixed struct {
	b      Backend
	prefix string
}

func (p prefixed) Take(ctx context.Context, key string, r Rate, n int) (int, time.Duration, error) {
	return p.b.Take(ctx, p.prefix+key, r, n)
}

func request(remote string) *http.Request {
	r := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
	r.RemoteAddr = remote
	return r
}

// A key gets its burst, then 429s with a Retry-After until a token comes
// back; other keys and rules are not touched.
func TestAllow(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			l := New(backend(), Rate{3, time.Minute}, Rate{1, time.Hour}, Rate{2, time.Hour})
			r := request("192.0.2.1:5000")
			for i := range 3 {
				if err := l.Allow(httptest.NewRecorder(), r, Login, "192.0.2.1"); err != nil {
					t.Fatalf("sign-in %d: %v", i+1, err)
				}
			}
			w := httptest.NewRecorder()
			err := l.Allow(w, r, Login, "192.0.2.1")
			if generia.ErrorKind(err) != generia.KindLimit {
				t.Fatalf("the 4th sign-in in a minute: %v, want KindLimit", err)
			}
			if s, _ := strconv.Atoi(w.Header().Get("Retry-After")); s < 1 || s > 21 {
				t.Errorf("Retry-After %q, want the 20 s until the next token", w.Header().Get("Retry-After"))
			}
			if err := l.Allow(httptest.NewRecorder(), r, Login, "192.0.2.2"); err != nil {
				t.Errorf("another address is limited too: %v", err)
			}
			if err := l.Allow(httptest.NewRecorder(), r, Register, "192.0.2.1"); err != nil {
				t.Errorf("another rule with the same key is limited too: %v", err)
			}
			// World creation: 2 an hour per account, 3 per address.
			for i := range 3 {
				if err := l.Allow(httptest.NewRecorder(), r, Worlds, "192.0.2.9"); err != nil {
					t.Fatalf("world %d from one address: %v", i+1, err)
				}
			}
			if err := l.Allow(httptest.NewRecorder(), r, Worlds, "192.0.2.9"); generia.ErrorKind(err) != generia.KindLimit {
				t.Errorf("a 4th world from one address in an hour: %v", err)
			}
			for range 2 {
				_ = l.Allow(httptest.NewRecorder(), r, WorldsUser, "u1")
			}
			if err := l.Allow(httptest.NewRecorder(), r, WorldsUser, "u1"); generia.ErrorKind(err) != generia.KindLimit {
				t.Errorf("a 3rd world of one account in an hour: %v", err)
			}
		})
	}
}

// Two processes that share a backend share its limits.
func TestLimitsHoldAcrossProcesses(t *testing.T) {
	for name, backend := range backends(t) {
		if name == "memory" {
			continue // one process's memory is not shared
		}
		t.Run(name, func(t *testing.T) {
			shared := backend()
			a := New(shared, Rate{10, time.Minute}, Rate{4, time.Hour}, Rate{20, time.Hour})
			b := New(shared, Rate{10, time.Minute}, Rate{4, time.Hour}, Rate{20, time.Hour})
			r := request("192.0.2.1:5000")
			allowed := 0
			for i := range 8 {
				l := a
				if i%2 == 1 {
					l = b
				}
				if l.Allow(httptest.NewRecorder(), r, Register, "192.0.2.1") == nil {
					allowed++
				}
			}
			if allowed != 4 {
				t.Errorf("%d registrations through two processes with a limit of 4, want 4", allowed)
			}
		})
	}
}

// Wrong passwords from one address cannot lock the account's owner out:
// that address is refused, the owner's own gets in, only slowed down once
// the account's failures from everywhere ran out.
func TestSignInCannotBeLockedFromElsewhere(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			l := New(backend(), Rate{5, time.Minute}, Rate{5, time.Hour}, Rate{20, time.Hour})
			l.SlowDown = 100 * time.Millisecond
			wrong := func() error { return generia.Errorf(generia.KindUnauthorized, "wrong password") }
			right := func() error { return nil }
			attacker := request("198.51.100.66:4000")
			var refusedAt int
			for i := range 5 {
				err := l.SignIn(httptest.NewRecorder(), attacker, "user:ada", wrong)
				if generia.IsKind(err, generia.KindLimit) {
					refusedAt = i + 1
					break
				}
			}
			if err := l.SignIn(httptest.NewRecorder(), attacker, "user:ada", right); !generia.IsKind(err, generia.KindLimit) {
				t.Errorf("the attacker's address after 5 failures: %v (refused at %d), want KindLimit", err, refusedAt)
			}
			owner := request("203.0.113.7:5000")
			if err := l.SignIn(httptest.NewRecorder(), owner, "user:ada", right); err != nil {
				t.Errorf("the owner from their own address: %v, want in", err)
			}
			// Failures from many addresses spend the account's own bucket:
			// then every attempt waits, the owner's too, but gets in.
			for i := range 100 {
				_ = l.SignIn(httptest.NewRecorder(), request(fmt.Sprintf("198.51.%d.%d:4000", i/200, i%200+1)), "user:ada", wrong)
			}
			started := time.Now()
			if err := l.SignIn(httptest.NewRecorder(), owner, "user:ada", right); err != nil {
				t.Errorf("the owner under a distributed attack: %v, want in", err)
			}
			if d := time.Since(started); d < l.SlowDown {
				t.Errorf("a sign-in to an account under attack took %v, want a slow-down of %v", d, l.SlowDown)
			}
		})
	}
}

// The memory backend keeps at most its bound of keys, forgetting the one
// used longest ago.
func TestMemoryIsBounded(t *testing.T) {
	m := NewMemory(3)
	ctx := context.Background()
	one := Rate{1, time.Hour}
	for _, k := range []string{"a", "b", "c"} {
		m.Take(ctx, k, one, 1)
	}
	m.Take(ctx, "a", one, 0) // a is used again: b is now the oldest
	m.Take(ctx, "d", one, 1)
	if m.Len() != 3 {
		t.Errorf("%d keys kept, want 3", m.Len())
	}
	if _, wait, _ := m.Take(ctx, "a", one, 1); wait == 0 {
		t.Error("a was forgotten although b was used longer ago")
	}
	if _, wait, _ := m.Take(ctx, "b", one, 1); wait != 0 {
		t.Error("b was kept although it was used longest ago")
	}
	for i := range 10_000 {
		m.Take(ctx, strconv.Itoa(i), one, 1)
	}
	if m.Len() != 3 {
		t.Errorf("after a flood of keys: %d kept, want 3", m.Len())
	}
}

func TestAddressBehindProxies(t *testing.T) {
	proxies, err := ParseProxies(" 10.0.0.0/8, 192.0.2.7 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	l := New(nil, Rate{10, time.Minute}, Rate{5, time.Hour}, Rate{20, time.Hour})
	l.TrustedProxies = proxies
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"a direct client", "198.51.100.4:5000", nil, "198.51.100.4"},
		{"a direct client cannot claim another address", "198.51.100.4:5000", []string{"203.0.113.9"}, "198.51.100.4"},
		{"through the proxy", "10.1.2.3:443", []string{"203.0.113.9"}, "203.0.113.9"},
		{"through two trusted hops", "10.1.2.3:443", []string{"203.0.113.9, 192.0.2.7"}, "203.0.113.9"},
		{"a forged first hop is ignored", "10.1.2.3:443", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"hops in several headers", "10.1.2.3:443", []string{"1.1.1.1", "203.0.113.9"}, "203.0.113.9"},
		{"a malformed hop stops the walk", "10.1.2.3:443", []string{"203.0.113.9, not-an-ip"}, "10.1.2.3"},
		{"the proxy without the header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"IPv6 loopback proxy", "[::1]:8080", []string{"2001:db8::5"}, "2001:db8::/64"},
		{"an IPv6 client stands for its /64", "[2001:db8:0:7:a:b:c:d]:5000", nil, "2001:db8:0:7::/64"},
		{"an IPv4 address mapped in IPv6", "[::ffff:198.51.100.4]:5000", nil, "198.51.100.4"},
	} {
		r := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
		r.RemoteAddr = tc.remote
		for _, h := range tc.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := l.Address(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := ParseProxies("10.0.0.0/8, proxy.local"); err == nil {
		t.Error("a host name is accepted as a trusted proxy")
	}
}
