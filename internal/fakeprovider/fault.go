// Package fakeprovider holds protocol-faithful fake servers for the AI
// providers Generia calls (OpenRouter for text, Runware for images), so that
// clients and the pipeline can be tested end to end without a network, a key
// or a bill. Each fake is an http.Handler to mount on httptest.NewServer; it
// records the requests it saw and injects failures through Faults.
package fakeprovider

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Fault is one kind of injected failure.
type Fault string

// The faults a fake can inject. A fake that has no way to express a fault
// documents what it does instead.
const (
	FaultNone        Fault = ""
	Fault429         Fault = "429" // with Retry-After: 1
	Fault500         Fault = "500"
	Fault502         Fault = "502"
	Fault503         Fault = "503"
	Fault402         Fault = "402"          // out of credits
	FaultErrorIn200  Fault = "error-in-200" // an error inside a 200 body
	FaultInvalidJSON Fault = "invalid-json" // LLM only: an answer that is not JSON
	FaultTruncated   Fault = "truncated"    // LLM only: finish_reason length, cut JSON
)

// Faults decides which requests fail. Script is consumed first, one entry
// per request (FaultNone lets that request succeed); once it is used up, each
// request fails with probability Rate, with a fault drawn uniformly from
// Mix. The draws come from a generator seeded with Seed, so a test that sends
// its requests in the same order sees the same faults. The zero value and a
// nil *Faults inject nothing. Safe for concurrent use.
type Faults struct {
	mu       sync.Mutex
	script   []Fault
	rate     float64
	mix      []Fault
	seed     uint64
	rng      *rand.Rand
	injected map[Fault]int
}

// NewFaults returns a Faults that injects nothing until it is scripted or
// given a rate; seed makes the random draws reproducible.
func NewFaults(seed uint64) *Faults { return &Faults{seed: seed} }

// Script appends faults to the script: the next requests get them in order,
// before any random fault is drawn. It returns f for chaining.
func (f *Faults) Script(faults ...Fault) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, faults...)
	return f
}

// SetRate makes each request after the script fail with probability rate
// (clamped to [0, 1]) with a fault drawn from mix; an empty mix means
// Fault503. It returns f for chaining.
func (f *Faults) SetRate(rate float64, mix ...Fault) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate = min(max(rate, 0), 1)
	f.mix = append([]Fault(nil), mix...)
	return f
}

// SetSeed restarts the random draws from seed. It returns f for chaining.
func (f *Faults) SetSeed(seed uint64) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seed = seed
	f.rng = nil
	return f
}

// Reset drops the script and the rate and zeroes the counts, keeping the seed.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script, f.rate, f.mix, f.rng, f.injected = nil, 0, nil, nil, nil
}

// Next returns the fault for the next request and counts it.
func (f *Faults) Next() Fault {
	if f == nil {
		return FaultNone
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fault := FaultNone
	switch {
	case len(f.script) > 0:
		fault, f.script = f.script[0], f.script[1:]
	case f.rate > 0:
		if f.rng == nil {
			f.rng = rand.New(rand.NewPCG(f.seed, f.seed^0x9e3779b97f4a7c15))
		}
		if f.rng.Float64() < f.rate {
			fault = Fault503
			if len(f.mix) > 0 {
				fault = f.mix[f.rng.IntN(len(f.mix))]
			}
		}
	}
	if fault != FaultNone {
		if f.injected == nil {
			f.injected = make(map[Fault]int)
		}
		f.injected[fault]++
	}
	return fault
}

// Pending returns how many scripted faults are still to come.
func (f *Faults) Pending() int {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.script)
}

// Injected returns how many times each fault has been injected so far.
func (f *Faults) Injected() map[Fault]int {
	out := make(map[Fault]int)
	if f == nil {
		return out
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range f.injected {
		out[k] = v
	}
	return out
}

// Recorded is one request a fake received and the status it answered.
type Recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Status       int
	At           time.Time
}

// recorder keeps the requests a fake received. Safe for concurrent use.
type recorder struct {
	mu   sync.Mutex
	reqs []Recorded
}

// readBody reads r's body (at most limit bytes) and puts an equivalent body
// back so that a handler can decode it again.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}

// add records a request with its body and answered status.
func (rec *recorder) add(r *http.Request, body []byte, status int, at time.Time) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = append(rec.reqs, Recorded{
		Method: r.Method,
		Path:   r.URL.Path,
		Header: r.Header.Clone(),
		Body:   append([]byte(nil), body...),
		Status: status,
		At:     at,
	})
}

// requests returns a copy of the recorded requests, oldest first.
func (rec *recorder) requests() []Recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]Recorded(nil), rec.reqs...)
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (to
// flush a stream, for example).
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recordingWriter records its request the moment the handler starts to
// answer, before the client can see the answer, so that a test that reads
// Requests() right after its call returns always finds the call. A request
// the handler never answers is recorded by finish with Status 0.
type recordingWriter struct {
	http.ResponseWriter
	rec  *recorder
	req  *http.Request
	body []byte
	at   time.Time
	done bool
}

func (w *recordingWriter) record(status int) {
	if !w.done {
		w.done = true
		w.rec.add(w.req, w.body, status, w.at)
	}
}

func (w *recordingWriter) WriteHeader(status int) {
	w.record(status)
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.record(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish records the request if the handler never answered it.
func (w *recordingWriter) finish() { w.record(0) }
