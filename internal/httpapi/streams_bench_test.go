package httpapi

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

// BenchmarkOpenStreams opens GENERIA_BENCH_STREAMS (default 2,000) event
// streams of one world on one API process and reports what each holds
// open: heap and stacks after a GC, per stream (the client's side is a
// bare connection, a few hundred bytes, counted in), how many streams 1 GB
// holds, and the CPU the process spends while they idle (the world's hub
// polls once a second for all of them).
//
//	go test ./internal/httpapi -run '^$' -bench OpenStreams -benchtime 1x
func BenchmarkOpenStreams(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("GENERIA_BENCH_STREAMS")); err == nil && v > 0 {
		n = v
	}
	b.Run("api", func(b *testing.B) {
		a := newStreamAPI(b)
		a.social.StreamCaps = social.StreamCaps{PerAddress: n, PerAccount: n, Max: n}
		// All the streams come from one address, faster than it may open
		// them (60 a minute).
		a.limits.Set(ratelimit.Streams, ratelimit.Rate{N: 1 << 30, Period: time.Second})
		benchStreams(b, n, a.srv.Listener.Addr().String(), "/api/v1/worlds/"+a.world+"/events", a.social.OpenStreams)
	})
	// What net/http alone holds for an open stream (its connection's
	// buffers and goroutines), for comparison: a handler that opens the
	// stream and waits.
	b.Run("net-http-floor", func(b *testing.B) {
		var open atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			open.Add(1)
			defer open.Add(-1)
			sse.Start(w)
			<-r.Context().Done()
		}))
		defer srv.Close()
		benchStreams(b, n, srv.Listener.Addr().String(), "/", func() int { return int(open.Load()) })
	})
}

// benchStreams opens n streams of path at addr with bare connections and
// reports what they hold.
func benchStreams(b *testing.B, n int, addr, path string, openStreams func() int) {
	request := []byte("GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n")
	for range b.N {
		before := inUse()
		conns := make([]net.Conn, 0, n)
		buf := make([]byte, 512)
		for i := range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatalf("stream %d: %v", i, err)
			}
			if _, err := c.Write(request); err != nil {
				b.Fatal(err)
			}
			// Wait for the stream's first comment: it is open.
			var got []byte
			for !bytes.Contains(got, []byte(": open")) {
				k, err := c.Read(buf)
				if err != nil {
					b.Fatalf("stream %d: %v after %q", i, err, got)
				}
				got = append(got, buf[:k]...)
			}
			if !bytes.HasPrefix(got, []byte("HTTP/1.1 200")) {
				b.Fatalf("stream %d: %q", i, got)
			}
			conns = append(conns, c)
		}
		if open := openStreams(); open != n {
			b.Fatalf("%d streams open, want %d", open, n)
		}
		after := inUse()
		per := float64(after-before) / float64(n)
		b.ReportMetric(per, "B/stream")
		b.ReportMetric(float64(1<<30)/per, "streams/GB")
		if os.Getenv("GENERIA_BENCH_SPLIT") != "" {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			fmt.Fprintf(os.Stderr, "heap %d stack %d goroutines %d\n", m.HeapInuse, m.StackInuse, runtime.NumGoroutine())
		}

		idle := 5 * time.Second
		cpu0 := cpuTime()
		time.Sleep(idle)
		b.ReportMetric(100*(cpuTime()-cpu0).Seconds()/idle.Seconds(), "%cpu-idle")

		for _, c := range conns {
			c.Close()
		}
		deadline := time.Now().Add(30 * time.Second)
		for openStreams() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// inUse is the heap and the stacks in use, after a few GCs: each shrinks
// the stacks that use a quarter of their size by half, as a running
// server's GCs do while its streams idle.
func inUse() uint64 {
	for range 5 {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// cpuTime is the CPU time the process has spent.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
