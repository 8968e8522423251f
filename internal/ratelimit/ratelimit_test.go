package ratelimit

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
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

// A key gets its burst, then 429s with a Retry-After until a token comes
// back; other keys and rules are not touched.
func TestAllow(t *testing.T) {
	l := New(Rate{3, time.Minute}, Rate{1, time.Hour}, Rate{2, time.Hour})
	for i := range 3 {
		if err := l.Allow(httptest.NewRecorder(), Login, "192.0.2.1"); err != nil {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
	}
	w := httptest.NewRecorder()
	err := l.Allow(w, Login, "192.0.2.1")
	if generia.ErrorKind(err) != generia.KindLimit {
		t.Fatalf("the 4th sign-in in a minute: %v, want KindLimit", err)
	}
	if s, _ := strconv.Atoi(w.Header().Get("Retry-After")); s < 1 || s > 21 {
		t.Errorf("Retry-After %q, want the 20 s until the next token", w.Header().Get("Retry-After"))
	}
	if err := l.Allow(httptest.NewRecorder(), Login, "192.0.2.2"); err != nil {
		t.Errorf("another address is limited too: %v", err)
	}
	if err := l.Allow(httptest.NewRecorder(), LoginAccount, "192.0.2.1"); err != nil {
		t.Errorf("another rule with the same key is limited too: %v", err)
	}
	// World creation: 2 an hour per account, 3 per address.
	for i := range 3 {
		err := l.Allow(httptest.NewRecorder(), Worlds, "192.0.2.9")
		if err != nil {
			t.Fatalf("world %d from one address: %v", i+1, err)
		}
	}
	if err := l.Allow(httptest.NewRecorder(), Worlds, "192.0.2.9"); generia.ErrorKind(err) != generia.KindLimit {
		t.Errorf("a 4th world from one address in an hour: %v", err)
	}
	for range 2 {
		_ = l.Allow(httptest.NewRecorder(), WorldsUser, "u1")
	}
	if err := l.Allow(httptest.NewRecorder(), WorldsUser, "u1"); generia.ErrorKind(err) != generia.KindLimit {
		t.Errorf("a 3rd world of one account in an hour: %v", err)
	}
}

func TestAddressBehindProxies(t *testing.T) {
	proxies, err := ParseProxies(" 10.0.0.0/8, 192.0.2.7 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	l := New(DefaultLoginRate, DefaultRegisterRate, DefaultWorldRate)
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
		{"IPv6 loopback proxy", "[::1]:8080", []string{"2001:db8::5"}, "2001:db8::5"},
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
