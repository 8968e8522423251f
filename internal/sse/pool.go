package sse

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// An open stream held by net/http costs what its connection costs there:
// two 4 KB buffers, a chunk writer, the goroutine that serves it and the
// one that watches it for a closed connection. A Pool holds a stream for
// less: Serve takes an HTTP/1.x connection over from net/http, writes the
// answer's head itself and returns, which frees all that; the Pool then
// writes what the stream's source gives with a few goroutines shared by
// all its streams, and one more goroutine sends the keep-alives and looks
// for readers that have left.

// Pool relays the streams whose connections it took over. The zero Pool
// is ready to use; Close ends its streams (http.Server.Shutdown does not
// know them).
type Pool struct {
	// Workers is how many goroutines write the streams (zero: twice
	// GOMAXPROCS).
	Workers int
	// KeepAlive is how long a stream may stay quiet before it sends a
	// comment (zero: KeepAlive).
	KeepAlive time.Duration
	// Sweep is how often the Pool looks for readers that have left (zero:
	// a third of KeepAlive).
	Sweep time.Duration
	// WriteTimeout is how long one write may wait for a reader that does
	// not read before its stream ends (zero: 5 seconds).
	WriteTimeout time.Duration

	start sync.Once
	mu    sync.Mutex
	cond  sync.Cond
	queue []*conn
	conns map[*conn]struct{}
	// closed: Close was called; no stream is taken over any more.
	closed bool
	stop   chan struct{}
	wg     sync.WaitGroup
}

// Shared is the Pool of servers that name none.
var Shared = &Pool{}

// Notifier is a source that calls back when it is ready, instead of
// having a goroutine wait on its channel, and that its reader closes when
// it has gone.
type Notifier[T any] interface {
	Source[T]
	Notify(func())
	Close()
}

// conn is one stream held by a Pool.
type conn struct {
	nc net.Conn
	// send writes what the source has; false once it has ended.
	send func(c *conn) (bool, error)
	// close closes the source.
	close func()
	// Guarded by the pool's mu.
	state uint8
	check bool // the sweeper asks for a look at the connection
	ended bool
	// Only the worker that runs the conn touches it.
	lastSent time.Time
}

// A conn's states: waiting for its source, queued for a worker, run by a
// worker, or run by a worker and queued again for when it is done.
const (
	idle uint8 = iota
	queued
	running
	dirty
)

// Serve answers the request with the stream of what comes from src, as
// Relay does. On an HTTP/1.x connection that it can take over (p not nil
// or closed), it takes it and returns at once, and p relays the stream
// until src ends or the reader leaves; otherwise it relays it as Relay
// does, until ctx ends too. Either way it closes src when the stream ends:
// src must not end with ctx, which ends when Serve returns.
func Serve[T any](p *Pool, ctx context.Context, w http.ResponseWriter, src Notifier[T], encode func(T) (Event, bool)) {
	if p != nil {
		nc, hijacked := p.takeOver(w)
		if hijacked {
			if nc == nil {
				src.Close()
				return
			}
			c := &conn{nc: nc, close: src.Close, lastSent: time.Now()}
			c.send = func(c *conn) (bool, error) {
				items, open := src.Take()
				var b bytes.Buffer
				for _, v := range items {
					if e, ok := encode(v); ok {
						format(&b, e)
					}
				}
				if b.Len() > 0 {
					if err := p.write(c, b.Bytes()); err != nil {
						return false, err
					}
				}
				return open, nil
			}
			if !p.add(c) {
				_ = nc.Close()
				src.Close()
				return
			}
			src.Notify(func() { p.schedule(c) })
			return
		}
	}
	defer src.Close()
	Relay(ctx, w, src, encode)
}

// takeOver takes the connection of w from net/http and writes the head of
// the stream's answer. hijacked says it took it, and nc is nil if that
// write failed (the connection is closed then).
func (p *Pool) takeOver(w http.ResponseWriter) (nc net.Conn, hijacked bool) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, false
	}
	nc, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, false
	}
	// The headers set so far (by the middleware: security headers and
	// such) go out with the stream's own; the body ends when the
	// connection closes.
	h := w.Header().Clone()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	for _, k := range []string{"Content-Length", "Transfer-Encoding", "Content-Encoding"} {
		h.Del(k)
	}
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&b)
	b.WriteString("\r\n: open\n\n")
	_ = nc.SetDeadline(time.Time{})
	_ = nc.SetWriteDeadline(time.Now().Add(p.writeTimeout()))
	if _, err := nc.Write(b.Bytes()); err != nil {
		_ = nc.Close()
		return nil, true
	}
	return nc, true
}

func (p *Pool) writeTimeout() time.Duration {
	if p.WriteTimeout > 0 {
		return p.WriteTimeout
	}
	return 5 * time.Second
}

func (p *Pool) keepAlive() time.Duration {
	if p.KeepAlive > 0 {
		return p.KeepAlive
	}
	return KeepAlive
}

// write writes b to c's connection, waiting no longer than WriteTimeout.
func (p *Pool) write(c *conn, b []byte) error {
	now := time.Now()
	_ = c.nc.SetWriteDeadline(now.Add(p.writeTimeout()))
	if _, err := c.nc.Write(b); err != nil {
		return err
	}
	c.lastSent = now
	return nil
}

// add adds c to the pool's streams, starting the pool if it is the first;
// false if the pool is closed.
func (p *Pool) add(c *conn) bool {
	p.start.Do(p.run)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// run starts the workers and the sweeper.
func (p *Pool) run() {
	p.mu.Lock()
	p.cond.L = &p.mu
	p.conns = map[*conn]struct{}{}
	p.stop = make(chan struct{})
	p.mu.Unlock()
	n := p.Workers
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	p.wg.Add(n + 1)
	for range n {
		go p.work()
	}
	go p.sweep()
}

// schedule queues c for a worker: its source is ready, or the sweeper
// wants a look at it.
func (p *Pool) schedule(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.scheduleLocked(c)
}

func (p *Pool) scheduleLocked(c *conn) {
	if c.ended || p.closed {
		return
	}
	switch c.state {
	case idle:
		c.state = queued
		p.queue = append(p.queue, c)
		p.cond.Signal()
	case running:
		c.state = dirty
	}
}

// work runs the queued streams, one at a time.
func (p *Pool) work() {
	defer p.wg.Done()
	p.mu.Lock()
	for {
		for len(p.queue) == 0 && !p.closed {
			p.cond.Wait()
		}
		if p.closed {
			p.mu.Unlock()
			return
		}
		c := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		if c.ended {
			continue
		}
		c.state = running
		check := c.check
		c.check = false
		p.mu.Unlock()
		ok := p.step(c, check)
		p.mu.Lock()
		if !ok {
			p.endLocked(c)
			continue
		}
		if c.state == dirty {
			c.state = queued
			p.queue = append(p.queue, c)
		} else {
			c.state = idle
		}
	}
}

// step sends what c's source has, and, if the sweeper asked, looks
// whether its reader has gone and sends a keep-alive if the stream has
// been quiet; false when the stream has ended.
func (p *Pool) step(c *conn, check bool) bool {
	if check && gone(c.nc) {
		return false
	}
	open, err := c.send(c)
	if err != nil || !open {
		return false
	}
	if check && time.Since(c.lastSent) >= p.keepAlive() {
		return p.write(c, []byte(": keep-alive\n\n")) == nil
	}
	return true
}

// endLocked ends c: it closes its connection and its source, the latter
// without the lock (closing it may call back). The caller holds p.mu,
// and holds it again on return.
func (p *Pool) endLocked(c *conn) {
	if c.ended {
		return
	}
	c.ended = true
	c.state = idle
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.nc.Close()
	c.close()
	p.mu.Lock()
}

// sweep asks every Sweep for a look at every stream.
func (p *Pool) sweep() {
	defer p.wg.Done()
	every := p.Sweep
	if every <= 0 {
		every = p.keepAlive() / 3
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			for c := range p.conns {
				c.check = true
				p.scheduleLocked(c)
			}
			p.mu.Unlock()
		}
	}
}

// Open is how many streams the pool holds.
func (p *Pool) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close ends the pool's streams, closing their connections, and stops its
// goroutines; the streams served after it are held as Relay holds them.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.start.Do(p.run)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.stop)
	p.cond.Broadcast()
	var ended []*conn
	for c := range p.conns {
		c.ended = true
		ended = append(ended, c)
	}
	clear(p.conns)
	p.queue = nil
	p.mu.Unlock()
	for _, c := range ended {
		_ = c.nc.Close()
		c.close()
	}
	p.wg.Wait()
}
