package sse

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// source is a Notifier fed by the test.
type source struct {
	mu     sync.Mutex
	items  []string
	ended  bool
	notify func()
	ready  chan struct{}
	closed atomic.Bool
}

func newSource() *source { return &source{ready: make(chan struct{}, 1)} }

func (s *source) Ready() <-chan struct{} { return s.ready }

func (s *source) Take() ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.items
	s.items = nil
	return items, !s.ended
}

func (s *source) Notify(f func()) {
	s.mu.Lock()
	s.notify = f
	s.mu.Unlock()
	f()
}

func (s *source) Close() { s.closed.Store(true) }

func (s *source) push(item string, end bool) {
	s.mu.Lock()
	if item != "" {
		s.items = append(s.items, item)
	}
	s.ended = s.ended || end
	f := s.notify
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
	if f != nil {
		f()
	}
}

func encode(v string) (Event, bool) { return Event{Name: "e", Data: []byte(v)}, true }

// serve runs a server whose streams are sources made by the test and held
// by p; it returns the server and a channel of the sources as they open.
func serve(t *testing.T, p *Pool) (*httptest.Server, chan *source) {
	t.Helper()
	opened := make(chan *source, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		s := newSource()
		opened <- s
		Serve(p, r.Context(), w, s, encode)
	}))
	t.Cleanup(srv.Close)
	return srv, opened
}

// dial opens a stream over a bare TCP connection and reads its head.
func dial(t *testing.T, srv *httptest.Server) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("head: %v after %q", err, head.String())
		}
		head.WriteString(line)
		if line == ": open\n" {
			return c, br, head.String()
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("5 s and still not: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A stream held by a Pool answers with its head, the middleware's headers
// and its events over the connection, with no handler left running; when
// its source ends, the connection closes after what it sent.
func TestPoolRelaysOverTheConnection(t *testing.T) {
	p := &Pool{}
	defer p.Close()
	srv, opened := serve(t, p)
	c, br, head := dial(t, srv)
	for _, want := range []string{"HTTP/1.1 200 OK\r\n", "Content-Type: text/event-stream\r\n", "X-Content-Type-Options: nosniff\r\n", "Connection: close\r\n", "Cache-Control: no-store\r\n"} {
		if !strings.Contains(head, want) {
			t.Errorf("head %q lacks %q", head, want)
		}
	}
	s := <-opened
	waitFor(t, "the pool holds the stream", func() bool { return p.Open() == 1 })
	s.push("one\ntwo", false)
	s.push("three", true)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nevent: e\ndata: one\ndata: two\n\nevent: e\ndata: three\n\n"; string(rest) != want {
		t.Errorf("stream %q, want %q", rest, want)
	}
	waitFor(t, "the source closed", s.closed.Load)
	if p.Open() != 0 {
		t.Errorf("%d streams open after the end", p.Open())
	}
}

// A reader that closes its connection is noticed by the sweep, which
// closes the source (giving back its slot), and a quiet stream gets
// keep-alives.
func TestPoolNoticesAReaderThatLeaves(t *testing.T) {
	p := &Pool{KeepAlive: 30 * time.Millisecond, Sweep: 10 * time.Millisecond}
	defer p.Close()
	srv, opened := serve(t, p)
	c, br, _ := dial(t, srv)
	s := <-opened
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := br.ReadString('\n')
	for err == nil && line != ": keep-alive\n" {
		line, err = br.ReadString('\n')
	}
	if err != nil {
		t.Fatalf("no keep-alive: %v", err)
	}
	c.Close()
	waitFor(t, "the source closed after its reader left", s.closed.Load)
	waitFor(t, "the pool let the stream go", func() bool { return p.Open() == 0 })
}

// A reader that does not read is ended after WriteTimeout, and does not
// hold back the other streams meanwhile.
func TestPoolEndsAReaderThatDoesNotRead(t *testing.T) {
	p := &Pool{Workers: 1, WriteTimeout: 200 * time.Millisecond}
	defer p.Close()
	srv, opened := serve(t, p)
	_, _, _ = dial(t, srv) // never reads
	slow := <-opened
	c, br, _ := dial(t, srv)
	fast := <-opened
	big := strings.Repeat("x", 1<<20)
	for range 64 { // far more than the socket buffers hold
		slow.push(big, false)
	}
	waitFor(t, "the reader that does not read is ended", slow.closed.Load)
	fast.push("hello", false)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("the other stream: %v", err)
		}
		if line == "data: hello\n" {
			break
		}
	}
}

// Close ends the pool's streams: their connections close, their sources
// too; a stream served after it is held as Relay holds it.
func TestPoolCloseEndsItsStreams(t *testing.T) {
	p := &Pool{}
	srv, opened := serve(t, p)
	c, br, _ := dial(t, srv)
	s := <-opened
	waitFor(t, "the pool holds the stream", func() bool { return p.Open() == 1 })
	p.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(br); err != nil {
		t.Fatalf("the connection did not close: %v", err)
	}
	if !s.closed.Load() {
		t.Error("the source is still open")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	after := <-opened
	after.push("late", true)
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "data: late") || resp.Header.Get("Connection") == "close" {
		t.Errorf("after Close: %q, %v", body, resp.Header)
	}
	waitFor(t, "the late source closed", after.closed.Load)
}
