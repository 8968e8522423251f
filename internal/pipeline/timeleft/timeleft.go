// Package timeleft estimates how long a world's generation has left: it
// plays the rest of the generation's steps through, in the shape the
// pipeline's WorldGeneration workflow runs them (shapeOf), with the calls'
// measured times, failures and the workers' capacity. It lives beside the
// workflow because it is the workflow's knowledge: a change to the
// pipeline's graph or retry policies (RetryLLM, RetryImages, CallAttempts,
// which the pipeline uses) is a change here. It imports only the domain, so
// the API and the web UI can use it without the Temporal SDK.
package timeleft

import (
	"container/heap"
	"math"
	"slices"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Capacity is how many provider calls of each kind the workers make at once
// and start per second, as their settings say; 0 means no cap.
type Capacity struct {
	LLM, Images                   int
	LLMPerSecond, ImagesPerSecond float64
}

// CallWatch is what a watcher of one generation's status record has seen of
// its calls, read after read: when each call still in flight was reserved,
// and how long the calls seen to end alone took. TimeLeft reads it. The
// zero value is ready to use, with no capacity known.
type CallWatch struct {
	// Capacity is what the workers are configured to run at once; a watch
	// raises it to what it has seen in flight at once (more workers).
	Capacity    Capacity
	llm, images callsSeen
}

// callsSeen is what a watch has seen of one kind of calls.
type callsSeen struct {
	reserved, done, failed int
	busy                   time.Duration
	// slowest is the longest call seen to end alone (its time is exact:
	// what the busy time grew by).
	slowest time.Duration
	// started are the reservation times of the calls in flight, oldest
	// first; calls are taken to end in the order they began.
	started []time.Time
	// failedAt are when the latest failed calls were recorded (at most
	// keptFailures): their steps are retried a wait later.
	failedAt []time.Time
	peak     int
}

const keptFailures = 50

func (c *callsSeen) see(reserved, done, failed int, busy time.Duration, at time.Time) {
	for ; c.reserved < reserved; c.reserved++ {
		c.started = append(c.started, at)
	}
	if n := done - c.done; n > 0 {
		if n == 1 && failed == c.failed { // one answered call
			c.slowest = max(c.slowest, busy-c.busy)
		}
		for range failed - c.failed {
			c.failedAt = append(c.failedAt, at)
		}
		c.failedAt = c.failedAt[max(0, len(c.failedAt)-keptFailures):]
		c.started = c.started[min(n, len(c.started)):]
		c.done, c.failed, c.busy = done, failed, busy
	}
	c.peak = max(c.peak, reserved-done)
}

// See adds a read of the status record at now. A record changes as calls are
// reserved and recorded, so its UpdatedAt is when the newest of them was.
func (w *CallWatch) See(st generia.GenerationStatus, now time.Time) {
	at := st.UpdatedAt
	if at.IsZero() || at.After(now) {
		at = now
	}
	w.llm.see(st.CallsLLM, st.LLMCallsDone, st.LLMCallsFailed, st.LLMBusy, at)
	w.images.see(st.CallsImages, st.ImageCallsDone, st.ImageCallsFailed, st.ImageBusy, at)
}

// The writes between calls — storing what a call made, the status record,
// the workflow's own steps — take time too: about serviceStep after each
// call whose result is saved, and finishing from the last call's answer to
// the status saying completed (measured on the embedded stack, 27 worlds:
// 0.01–0.1 s when calls wait on providers, up to 0.5 s when the cores are
// busy painting offline pictures; these values fit recorded runs of both
// best).
const (
	serviceStep = 60 * time.Millisecond
	finishing   = 150 * time.Millisecond
)

// RetryLLM and RetryImages are how long the pipeline waits to call a
// provider again after a failed call of the kind; each later retry waits
// twice as long as the one before, at most RetryLongest. A step calls its
// provider at most CallAttempts times.
const (
	RetryLLM     = time.Second
	RetryImages  = 2 * time.Second
	RetryLongest = time.Minute
	CallAttempts = 10
)

// TimeLeft estimates how much longer a running generation takes, from how
// its calls go: it plays the rest of the generation's steps (see shapeOf)
// through, each call taking as long as its kind's calls have taken so far
// (their mean, spread as far as the slowest one seen alone), as many at once
// and per second as the capacity allows, the calls in flight for what their
// age leaves of them; a failed call's step is still to do. w may be nil (a
// single read: the calls in flight are taken to be as old as the record's
// last change). ok is false for a generation that is not running, or that
// has not had a call of each kind answered yet.
func TimeLeft(st generia.GenerationStatus, w *CallWatch, now time.Time) (left time.Duration, ok bool) {
	answeredLLM, answeredImages := st.LLMCallsDone-st.LLMCallsFailed, st.ImageCallsDone-st.ImageCallsFailed
	if st.Status != generia.StatusInProgress || st.StartedAt == nil || answeredLLM <= 0 || answeredImages <= 0 {
		return 0, false
	}
	if w == nil {
		w = &CallWatch{}
	}
	sh := shapeOf(generia.NewPlan(st.CharactersPredicted, st.PostsPredicted))
	kinds := [stepKinds]kindPace{
		stepWrite: {fastest: serviceStep, slowest: serviceStep},
		stepLLM: pace(st.LLMBusy-st.LLMFailedBusy, answeredLLM, st.LLMCallsFailed, w.llm, RetryLLM,
			w.Capacity.LLM, w.Capacity.LLMPerSecond),
		stepImage: pace(st.ImageBusy-st.ImageFailedBusy, answeredImages, st.ImageCallsFailed, w.images, RetryImages,
			w.Capacity.Images, w.Capacity.ImagesPerSecond),
	}
	// Which steps are done and in flight: the first ones of each kind in
	// the order a run from the start begins them.
	n := len(sh.kind)
	_, order := sh.play(make([]stepState, n), make([]time.Duration, n), sh.durations(kinds, 0), kinds)
	state := make([]stepState, n)
	age := make([]time.Duration, n)  // of the steps in flight
	wait := make([]time.Duration, n) // of the steps to be retried
	mark := func(k stepKind, done, reserved int, seen callsSeen) {
		inFlight := reserved - done
		for j, i := range order[k] {
			switch {
			case j < done:
				state[i] = stepDone
			case j < reserved:
				state[i] = stepRunning
				age[i] = now.Sub(st.UpdatedAt)
				// The in-flight calls' starts, oldest first, against the
				// steps in the order they begin.
				if s := len(seen.started) - inFlight + (j - done); s >= 0 && s < len(seen.started) {
					age[i] = now.Sub(seen.started[s])
				}
			}
		}
	}
	// Steps done: calls answered; in flight: calls reserved and not recorded.
	mark(stepLLM, answeredLLM, answeredLLM+st.CallsLLM-st.LLMCallsDone, w.llm)
	mark(stepImage, answeredImages, answeredImages+st.CallsImages-st.ImageCallsDone, w.images)
	for i := range n { // a write is done once what it saves is (steps come after their inputs)
		if sh.kind[i] == stepWrite && sh.ready(i, state) {
			state[i] = stepDone
		}
	}
	// A call that failed lately is made again once its wait is over: the
	// first steps ready to start wait that long.
	retryAfter := func(k stepKind, seen callsSeen) {
		var waits []time.Duration
		for _, at := range seen.failedAt {
			if w := at.Add(kinds[k].retry).Sub(now); w > 0 {
				waits = append(waits, w)
			}
		}
		for _, i := range order[k] {
			if len(waits) == 0 {
				return
			}
			if state[i] == stepPending && sh.ready(i, state) {
				wait[i], waits = waits[0], waits[1:]
			}
		}
	}
	retryAfter(stepLLM, w.llm)
	retryAfter(stepImage, w.images)

	// Play the rest through a few times, the times and failures dealt from
	// another point of their sequences each time: which step draws a long
	// time or a failure is chance, that some do is not.
	var ends []time.Duration
	rest := make([]time.Duration, n)
	plays := playings
	if kinds[stepLLM].failing > 0 || kinds[stepImage].failing > 0 {
		plays = playingsFailing
	}
	for p := range plays {
		from := float64(p) / float64(plays)
		dur := sh.durations(kinds, from)
		for i := range n {
			switch state[i] {
			case stepRunning:
				// A call in flight takes what is left of a time dealt
				// among those longer than its age.
				k := kinds[sh.kind[i]]
				least := max(k.fastest, age[i])
				call := least + time.Duration(sh.share(i, from)*float64(max(0, k.slowest-least)))
				rest[i] = call - age[i] + k.again(sh.luck(i, from), call)
			case stepPending:
				rest[i] = wait[i]
			}
		}
		end, _ := sh.play(state, rest, dur, kinds)
		ends = append(ends, end)
	}
	if slices.Max(ends) == 0 {
		// Every step done: the generation has been finishing since the
		// last call was recorded.
		return max(0, finishing-now.Sub(st.UpdatedAt)), true
	}
	return harmonicMean(ends, finishing), true
}

// harmonicMean is the harmonic mean of the ends, each with finishing added:
// the time that is off each by the least share of it, on the whole. A time
// left is read as a share of what is really left, and an average of the
// ends would follow the few playings whose unluckiest step fails twice.
func harmonicMean(ends []time.Duration, finishing time.Duration) time.Duration {
	var inverse float64
	for _, e := range ends {
		inverse += 1 / (e + finishing).Seconds()
	}
	return time.Duration(float64(len(ends)) / inverse * float64(time.Second))
}

// playings is how many times TimeLeft plays the rest of a generation
// through; playingsFailing while calls fail, whose draws of which steps
// fail vary more.
const (
	playings        = 4
	playingsFailing = 16
)

// kindPace is how one kind of step goes: the spread of its time, the share
// of its calls that fail and the wait before one is retried, and how many
// may run at once (0: any) and start per second (0: any).
type kindPace struct {
	fastest, slowest time.Duration
	failing          float64
	retry            time.Duration
	atOnce           int
	perSecond        float64
}

// pace is a kind's pace from its calls so far: the answered calls' time
// over their number, spread evenly around the mean as far as the slowest
// seen alone; failed of every call recorded failing (at most half).
func pace(busy time.Duration, answered, failed int, seen callsSeen, retry time.Duration, atOnce int, perSecond float64) kindPace {
	mean := busy / time.Duration(answered)
	p := kindPace{perSecond: perSecond, retry: retry, failing: min(0.5, float64(failed)/float64(answered+failed))}
	p.slowest = max(mean, seen.slowest)
	p.fastest = max(0, 2*mean-p.slowest)
	if atOnce > 0 {
		p.atOnce = max(atOnce, seen.peak)
	}
	return p
}

// stepKind is what a step of a generation waits on.
type stepKind uint8

const (
	stepWrite stepKind = iota // saving what a call made
	stepLLM
	stepImage
	stepKinds
)

type stepState uint8

const (
	stepPending stepState = iota
	stepRunning
	stepDone
)

// shape is a generation's steps and what each waits for, as
// pipeline.WorldGeneration runs them: the description, then the image
// prompts (then header and icon) beside the cast, batch after batch; each
// planned character's profile, then its avatar and its post plans, each
// post's text after its plan and its picture after its text. Steps come
// after the steps they wait for.
type shape struct {
	kind  []stepKind
	nth   []int     // each step's place among the steps of its kind
	after [][]int32 // the steps each waits for
	next  [][]int32 // the steps waiting for each
	count [stepKinds]int
}

func (s *shape) add(k stepKind, after ...int32) int32 {
	id := int32(len(s.kind))
	s.kind = append(s.kind, k)
	s.nth = append(s.nth, s.count[k])
	s.count[k]++
	s.after = append(s.after, after)
	s.next = append(s.next, nil)
	for _, a := range after {
		s.next[a] = append(s.next[a], id)
	}
	return id
}

// shapeOf is the shape of a plan's generation; it has the calls
// ExpectedCalls counts.
func shapeOf(plan generia.Plan) *shape {
	s := &shape{}
	described := s.add(stepWrite, s.add(stepLLM))
	prompts := s.add(stepLLM, described)
	s.add(stepWrite, s.add(stepImage, prompts), s.add(stepImage, prompts))
	cast, pos := described, 0
	for _, count := range generia.Batches(plan.Characters(), generia.CastBatchSize) {
		cast = s.add(stepLLM, cast)
		for range count {
			created := s.add(stepWrite, s.add(stepLLM, cast))
			s.add(stepWrite, s.add(stepImage, created))
			for _, posts := range generia.Batches(plan.Posts[pos], generia.PostBatchSize) {
				planned := s.add(stepLLM, created)
				for range posts {
					s.add(stepWrite, s.add(stepImage, s.add(stepLLM, planned)))
				}
			}
			pos++
		}
	}
	return s
}

// goldenShare is (√5−1)/2: multiples of it spread evenly over [0, 1).
const goldenShare = 0.6180339887498949

// durations gives each step a time of its kind: the n-th step of a kind
// takes a share of the spread by the golden ratio, so that steps run side
// by side differ as calls do and the slowest of them sets when they are all
// done, while the mean stays the kind's; from moves the point the shares
// start at. A step takes longer by the calls it draws to fail (see luck).
func (s *shape) durations(kinds [stepKinds]kindPace, from float64) []time.Duration {
	dur := make([]time.Duration, len(s.kind))
	for i, k := range s.kind {
		p := kinds[k]
		call := p.fastest + time.Duration(s.share(i, from)*float64(p.slowest-p.fastest))
		dur[i] = call + p.again(s.luck(i, from), call)
	}
	return dur
}

// share is step i's share of its kind's spread: the n-th step of a kind
// takes n times the golden ratio past from.
func (s *shape) share(i int, from float64) float64 {
	return math.Mod(float64(s.nth[i])*goldenShare+0.5+from, 1)
}

// silverShare is √2−1: a second sequence spread evenly over [0, 1), apart
// from the golden one, so that which steps fail does not follow which take
// long.
const silverShare = 0.41421356237309515

// luck is step i's draw of failures, from another sequence than its share
// of the spread: of a kind's steps, the share failing fails at least once,
// failing² at least twice, and so on. Failures are few and land where they
// land: the end of a run is set by its unluckiest chain of steps, which an
// average over every step would not show.
func (s *shape) luck(i int, from float64) float64 {
	return math.Mod(float64(s.nth[i])*silverShare+from, 1)
}

// again is the time a call's failures add to it, for a luck drawn: each
// failure waits the retry's wait (twice the one before) and makes the call
// again, as many times as a step may call.
func (p kindPace) again(luck float64, call time.Duration) time.Duration {
	var extra time.Duration
	wait, odds := p.retry, p.failing
	for range CallAttempts - 1 {
		if luck >= odds {
			break
		}
		extra += wait + call
		wait, odds = min(2*wait, RetryLongest), odds*p.failing
	}
	return extra
}

func (s *shape) ready(i int, state []stepState) bool {
	for _, a := range s.after[i] {
		if state[a] != stepDone {
			return false
		}
	}
	return true
}

// play runs the steps not done, from now (0): running ones end after rest,
// pending ones start when what they wait for is done, their kind has room
// and their rest (a retry's wait) is over. It returns when the last ends,
// and the order steps began in by kind.
func (s *shape) play(state []stepState, rest, dur []time.Duration, kinds [stepKinds]kindPace) (end time.Duration, order [stepKinds][]int) {
	waiting := make([]int32, len(s.kind))
	var running [stepKinds]int
	var ready [stepKinds][]int
	var nextStart [stepKinds]time.Duration
	ends := &stepEnds{}
	for i := range s.kind {
		for _, a := range s.after[i] {
			if state[a] != stepDone {
				waiting[i]++
			}
		}
		switch {
		case state[i] == stepRunning:
			heap.Push(ends, stepEnd{rest[i], i})
			running[s.kind[i]]++
		case state[i] == stepPending && waiting[i] == 0:
			ready[s.kind[i]] = append(ready[s.kind[i]], i)
		}
	}
	var now time.Duration
	start := func() {
		for k := range stepKinds {
			p := kinds[k]
			for len(ready[k]) > 0 && (p.atOnce == 0 || running[k] < p.atOnce) {
				i := ready[k][0]
				ready[k] = ready[k][1:]
				at := max(now, nextStart[k], rest[i])
				if p.perSecond > 0 {
					nextStart[k] = at + time.Duration(float64(time.Second)/p.perSecond)
				}
				running[k]++
				order[k] = append(order[k], i)
				heap.Push(ends, stepEnd{at + dur[i], i})
			}
		}
	}
	start()
	for ends.Len() > 0 {
		e := heap.Pop(ends).(stepEnd)
		now = e.at
		end = max(end, now)
		running[s.kind[e.step]]--
		for _, m := range s.next[e.step] {
			if waiting[m]--; waiting[m] == 0 && state[m] == stepPending {
				ready[s.kind[m]] = append(ready[s.kind[m]], int(m))
			}
		}
		start()
	}
	return end, order
}

type stepEnd struct {
	at   time.Duration
	step int
}

// stepEnds is a heap of step ends, soonest first (ties by step).
type stepEnds []stepEnd

func (h stepEnds) Len() int { return len(h) }
func (h stepEnds) Less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].step < h[j].step)
}
func (h stepEnds) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *stepEnds) Push(x any)   { *h = append(*h, x.(stepEnd)) }
func (h *stepEnds) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
