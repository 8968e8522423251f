package ratelimit

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// guarded answers one request under rule's limit with status, as a router
// would, and says whether the handler ran and what the client got.
func guarded(l *Limits, remote, rule, account string, status int) (ran bool, code int) {
	r := httptest.NewRequest("POST", "/api/v1/worlds/w/posts/p/comments", nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	l.Guard(w, r, rule, account, func(err error) {
		w.WriteHeader(http.StatusTooManyRequests)
	}, func(w http.ResponseWriter) {
		ran = true
		w.WriteHeader(status)
	})
	return ran, w.Code
}

// Ten comments refused as invalid, then valid ones: within a limit of 3,
// the three valid ones go through as if the invalid ones had never been
// sent, and the fourth is refused without its handler running. Through two
// processes sharing Redis, one spends and the other gives back.
func TestRefusedRequestsSpendNothing(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			shared := backend()
			a := New(shared, Rate{10, time.Minute}, Rate{5, time.Hour}, Rate{20, time.Hour})
			b := a
			if name != "memory" {
				b = New(shared, Rate{10, time.Minute}, Rate{5, time.Hour}, Rate{20, time.Hour})
			}
			for _, l := range []*Limits{a, b} {
				l.Set(Comments, Rate{3, time.Hour})
			}
			for i := range 10 {
				l := []*Limits{a, b}[i%2]
				status := []int{http.StatusBadRequest, http.StatusNotFound, http.StatusForbidden, http.StatusUnauthorized, http.StatusRequestEntityTooLarge}[i%5]
				if ran, code := guarded(l, "192.0.2.1:5000", Comments, "u1", status); !ran || code != status {
					t.Fatalf("invalid comment %d: ran %v, HTTP %d, want its own %d", i+1, ran, code, status)
				}
			}
			for i := range 3 {
				if ran, code := guarded([]*Limits{a, b}[i%2], "192.0.2.1:5000", Comments, "u1", http.StatusCreated); !ran || code != http.StatusCreated {
					t.Fatalf("valid comment %d after 10 invalid ones: ran %v, HTTP %d, want 201", i+1, ran, code)
				}
			}
			if ran, code := guarded(a, "192.0.2.1:5000", Comments, "u1", http.StatusCreated); ran || code != http.StatusTooManyRequests {
				t.Errorf("a 4th valid comment within a limit of 3: ran %v, HTTP %d, want refused (429) before its handler", ran, code)
			}
			// A visitor sent to sign in (a redirect, marked Refused) spends
			// nothing either.
			l := New(shared, Rate{10, time.Minute}, Rate{5, time.Hour}, Rate{20, time.Hour})
			l.Set(Posts, Rate{1, time.Hour})
			for range 3 {
				r := httptest.NewRequest("POST", "/worlds/w/posts", nil)
				r.RemoteAddr = "192.0.2.2:5000"
				l.Guard(httptest.NewRecorder(), r, Posts, "", func(error) { t.Fatal("a visitor sent to sign in was limited") },
					func(w http.ResponseWriter) { Refused(w); http.Redirect(w, r, "/login", http.StatusSeeOther) })
			}
		})
	}
}

// A bucket one token short of full gets that token back (redis_rate's
// script lost it), and giving back never fills a bucket past full.
func TestGiveBackIsExact(t *testing.T) {
	ctx := context.Background()
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			b := backend()
			r := Rate{3, time.Hour}
			b.Take(ctx, "k", r, 1)
			b.Take(ctx, "k", r, -1)
			if left, _, _ := b.Take(ctx, "k", r, 0); left != 3 {
				t.Errorf("after one token taken and given back: %d left, want 3", left)
			}
			b.Take(ctx, "k", r, -5)
			for i := range 3 {
				if _, wait, err := b.Take(ctx, "k", r, 1); err != nil || wait > 0 {
					t.Fatalf("take %d: wait %v, %v", i+1, wait, err)
				}
			}
			if _, wait, _ := b.Take(ctx, "k", r, 1); wait == 0 {
				t.Error("giving back 5 tokens to a full bucket of 3 let a 4th through")
			}
		})
	}
}

// proxy forwards TCP connections to a Redis, until it is closed: Redis
// then cannot be reached, as in an outage, without stopping the Redis that
// other tests share. open starts it again on the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.open()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) open() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// syncBuffer is a log written by several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// When Redis cannot be reached, the limits hold per process (a limit of 3
// still refuses the 4th), the outage is logged once at WARN and counted;
// when Redis answers again, it is used again (its bucket, not memory's).
func TestRedisUnreachableStillLimits(t *testing.T) {
	url := os.Getenv("GENERIA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("GENERIA_TEST_REDIS_URL is not set")
	}
	target := strings.TrimPrefix(url, "redis://")
	target, db, _ := strings.Cut(target, "/")
	p := newProxy(t, target)
	r, err := NewRedis(t.Context(), "redis://"+p.addr+"/"+db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	var logs syncBuffer
	var counted atomic.Int64
	f := NewFallback(prefixed{r, t.Name() + time.Now().Format(time.RFC3339Nano) + "|"})
	f.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.Counted = func() { counted.Add(1) }
	f.Probe = 0 // try Redis on every take, so that the test needs no clock
	l := New(f, Rate{3, time.Minute}, Rate{3, time.Hour}, Rate{3, time.Hour})
	req := request("192.0.2.1:5000")
	allow := func() error { return l.Allow(httptest.NewRecorder(), req, Register, "192.0.2.1") }

	if err := allow(); err != nil {
		t.Fatalf("a registration with Redis up: %v", err)
	}
	if counted.Load() != 0 {
		t.Fatalf("%d takes answered from memory while Redis answers", counted.Load())
	}

	p.close() // the outage
	for i := range 3 {
		if err := allow(); err != nil {
			t.Fatalf("registration %d with Redis gone: %v, want allowed per process", i+1, err)
		}
	}
	if err := allow(); !generia.IsKind(err, generia.KindLimit) {
		t.Fatalf("a 4th registration with Redis gone and a limit of 3: %v, want KindLimit", err)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d WARN lines for one outage, want 1:\n%s", n, logs.String())
	}
	if counted.Load() != 4 {
		t.Errorf("%d takes counted as answered from memory, want 4", counted.Load())
	}

	p.open() // Redis is back: its bucket has 2 of 3 left
	for i := range 2 {
		if err := allow(); err != nil {
			t.Fatalf("registration %d once Redis is back: %v", i+1, err)
		}
	}
	if err := allow(); !generia.IsKind(err, generia.KindLimit) {
		t.Errorf("a 3rd registration once Redis is back (its bucket had 2 left): %v, want KindLimit", err)
	}
	if !strings.Contains(logs.String(), "shared again") {
		t.Errorf("the end of the outage is not logged:\n%s", logs.String())
	}
	if counted.Load() != 4 {
		t.Errorf("%d takes from memory after Redis came back, want still 4", counted.Load())
	}
}

// BenchmarkGuard is what a route's limit costs a request: a spend per
// address and per account, on each backend.
func BenchmarkGuard(b *testing.B) {
	for name, backend := range backends(b) {
		b.Run(name, func(b *testing.B) {
			l := New(backend(), Rate{10, time.Minute}, Rate{5, time.Hour}, Rate{20, time.Hour})
			l.Set(Comments, Rate{1 << 30, time.Second})
			r := httptest.NewRequest("POST", "/api/v1/worlds/w/posts/p/comments", nil)
			r.RemoteAddr = "192.0.2.1:5000"
			w := httptest.NewRecorder()
			for b.Loop() {
				l.Guard(w, r, Comments, "u1", func(error) { b.Fatal("refused") }, func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) })
			}
		})
	}
}
