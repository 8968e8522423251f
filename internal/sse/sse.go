// Package sse writes server-sent events (the text/event-stream format that
// a browser's EventSource reads), for the API and the web UI alike.
package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// KeepAlive is how often a quiet stream sends a comment, so that proxies
// and browsers do not take it for dead.
const KeepAlive = 15 * time.Second

// Stream is an open event stream.
type Stream struct {
	w        http.ResponseWriter
	rc       *http.ResponseController
	lastSent time.Time
}

// Start answers the request with an event stream. The stream outlives the
// server's write timeout.
func Start(w http.ResponseWriter) *Stream {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	s := &Stream{w: w, rc: rc}
	// A comment sends the headers at once, through any middleware that
	// holds them until it sees the first bytes: the reader knows the
	// stream is open before its first event.
	_ = s.write(": open\n\n")
	return s
}

// Send sends one event: its name, an ID the browser sends back as
// Last-Event-ID when it reconnects (none if empty), and its data, which
// may hold several lines. An error means the reader has gone.
func (s *Stream) Send(event, id string, data []byte) error {
	var b bytes.Buffer
	format(&b, Event{Name: event, ID: id, Data: data})
	return s.write(b.String())
}

// format writes e as the stream sends it.
func format(b *bytes.Buffer, e Event) {
	fmt.Fprintf(b, "event: %s\n", e.Name)
	if e.ID != "" {
		fmt.Fprintf(b, "id: %s\n", e.ID)
	}
	for line := range strings.Lines(string(e.Data)) {
		fmt.Fprintf(b, "data: %s\n", strings.TrimRight(line, "\r\n"))
	}
	b.WriteString("\n")
}

// Idle sends a keep-alive comment when nothing was sent for KeepAlive.
func (s *Stream) Idle() error {
	if time.Since(s.lastSent) < KeepAlive {
		return nil
	}
	return s.write(": keep-alive\n\n")
}

func (s *Stream) write(text string) error {
	if _, err := fmt.Fprint(s.w, text); err != nil {
		return err
	}
	s.lastSent = time.Now()
	return s.rc.Flush()
}

// Event is one event to send: its name, its ID (none if empty) and its
// data.
type Event struct {
	Name, ID string
	Data     []byte
}

// Source is what Relay relays: Ready is signalled when items came or the
// source ended; Take returns them, and false once it has ended.
type Source[T any] interface {
	Ready() <-chan struct{}
	Take() ([]T, bool)
}

// Relay answers the request with a stream of what comes from src, each
// turned into an Event by encode (false: not sent), with keep-alives while
// it is quiet, until src ends or the reader leaves.
func Relay[T any](ctx context.Context, w http.ResponseWriter, src Source[T], encode func(T) (Event, bool)) {
	stream := Start(w)
	keepAlive := time.NewTicker(KeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-src.Ready():
			items, open := src.Take()
			for _, v := range items {
				e, ok := encode(v)
				if ok && stream.Send(e.Name, e.ID, e.Data) != nil {
					return
				}
			}
			if !open {
				return
			}
		case <-keepAlive.C:
			if stream.Idle() != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// RetryAfter sets the Retry-After header of a refusal whose error says
// when to try again (a RetryAfter() time.Duration method in its chain).
func RetryAfter(w http.ResponseWriter, err error) {
	var r interface{ RetryAfter() time.Duration }
	if errors.As(err, &r) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(r.RetryAfter().Seconds()))))
	}
}

// TimeID is an event ID that says when what the event sends was made (none
// for the zero time); LastTime reads it back.
func TimeID(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// LastTime is where a reconnecting stream resumes: the time of its
// Last-Event-ID header (or of its last_event_id parameter, for a reader
// that cannot set headers), or zero.
func LastTime(r *http.Request) time.Time {
	id := r.Header.Get("Last-Event-ID")
	if id == "" {
		id = r.URL.Query().Get("last_event_id")
	}
	t, err := time.Parse(time.RFC3339Nano, id)
	if err != nil {
		return time.Time{}
	}
	return t
}
