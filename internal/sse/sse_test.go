package sse

import (
	"net/http/httptest"
	"testing"
	"time"
)

// Events are written as EventSource reads them: a name, an ID, each line of
// the data on a data line of its own, and a blank line after.
func TestSend(t *testing.T) {
	rec := httptest.NewRecorder()
	s := Start(rec)
	if err := s.Send("comment", "2026-12-02T04:00:00Z", []byte("{\"a\":1}\nsecond line")); err != nil {
		t.Fatal(err)
	}
	if err := s.Send("life", "", []byte(`{"state":"awake"}`)); err != nil {
		t.Fatal(err)
	}
	want := ": open\n\nevent: comment\nid: 2026-12-02T04:00:00Z\ndata: {\"a\":1}\ndata: second line\n\nevent: life\ndata: {\"state\":\"awake\"}\n\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("stream = %q, want %q", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := s.Idle(); err != nil || rec.Body.String() != want {
		t.Errorf("a keep-alive right after an event: %v, %q", err, rec.Body.String())
	}
	s.lastSent = time.Now().Add(-KeepAlive)
	if err := s.Idle(); err != nil || rec.Body.String() != want+": keep-alive\n\n" {
		t.Errorf("a keep-alive after a quiet while: %v, %q", err, rec.Body.String())
	}
}

// An event's time ID is read back exactly, from the header or the query;
// anything else is no time.
func TestTimeID(t *testing.T) {
	at := time.Date(2026, 12, 2, 4, 0, 0, 123456000, time.UTC)
	r := httptest.NewRequest("GET", "/events", nil)
	r.Header.Set("Last-Event-ID", TimeID(at))
	if got := LastTime(r); !got.Equal(at) {
		t.Errorf("LastTime from the header = %v, want %v", got, at)
	}
	r = httptest.NewRequest("GET", "/events?last_event_id="+TimeID(at), nil)
	if got := LastTime(r); !got.Equal(at) {
		t.Errorf("LastTime from the query = %v, want %v", got, at)
	}
	for _, bad := range []string{"", "yesterday", "1733112000"} {
		r := httptest.NewRequest("GET", "/events", nil)
		r.Header.Set("Last-Event-ID", bad)
		if got := LastTime(r); !got.IsZero() {
			t.Errorf("LastTime(%q) = %v, want zero", bad, got)
		}
	}
	if TimeID(time.Time{}) != "" {
		t.Error("the zero time has an ID")
	}
}
