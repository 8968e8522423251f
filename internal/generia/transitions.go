package generia

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rules of a status record's life and of the provider ledger. The stores
// read and write the records; what a change does to one is decided here.

// Stopped returns KindStopped when a generation takes no more work: it ended
// or a cancel was requested.
func (s GenerationStatus) Stopped() error {
	switch {
	case IsTerminal(s.Status):
		return Errorf(KindStopped, "the generation of world %s is %s", s.WorldID, s.Status)
	case s.CancelRequested:
		return Errorf(KindStopped, "the generation of world %s is being cancelled", s.WorldID)
	}
	return nil
}

// CheckStageChanges returns KindInvalid for an unknown stage or stage status.
func CheckStageChanges(changes []StageChange) error {
	for _, c := range changes {
		if !slices.Contains(Stages, c.Stage) {
			return Errorf(KindInvalid, "unknown stage %q", c.Stage)
		}
		switch c.Status {
		case StagePending, StageInProgress, StageCompleted, StageFailed, StageCancelled:
		default:
			return Errorf(KindInvalid, "unknown status %q for stage %s", c.Status, c.Stage)
		}
	}
	return nil
}

// Advance applies stage changes at now (see Store.AdvanceGeneration): a
// pending generation goes in_progress and starts; a stage's StartedAt is set
// when it first goes in_progress and its FinishedAt when it goes completed,
// failed or cancelled; the current stage becomes the last stage set
// in_progress. A cancel request does not stop it, so the pipeline can record
// its stages while it winds down; a generation that ended gives KindStopped,
// and an unknown stage or stage status KindInvalid.
func (s *GenerationStatus) Advance(changes []StageChange, now time.Time) error {
	if err := CheckStageChanges(changes); err != nil {
		return err
	}
	if IsTerminal(s.Status) {
		return Errorf(KindStopped, "the generation of world %s is %s", s.WorldID, s.Status)
	}
	if s.Status == StatusPending {
		s.Status = StatusInProgress
	}
	if s.StartedAt == nil {
		s.StartedAt = &now
	}
	for _, c := range changes {
		i := slices.IndexFunc(s.Stages, func(st Stage) bool { return st.Name == c.Stage })
		if i < 0 {
			s.Stages = append(s.Stages, Stage{Name: c.Stage})
			i = len(s.Stages) - 1
		}
		s.Stages[i].set(c.Status, now)
		if c.Status == StageInProgress {
			s.CurrentStage = c.Stage
		}
	}
	s.touch(now)
	return nil
}

// Finish ends a generation at now with a terminal status and its errors
// (see Store.FinishGeneration). Stages still in progress take the final
// status, whose name they share; a completed generation's current stage
// becomes finishing. It reports false, changing nothing, when the generation
// had ended already. A status that is not terminal gives KindInvalid.
func (s *GenerationStatus) Finish(status, errMsg, publicMsg string, now time.Time) (bool, error) {
	if !IsTerminal(status) {
		return false, Errorf(KindInvalid, "%q is not a final generation status", status)
	}
	if IsTerminal(s.Status) {
		return false, nil
	}
	s.Status = status
	s.Error, s.PublicError = errMsg, publicMsg
	s.FinishedAt = &now
	for i := range s.Stages {
		if s.Stages[i].Status == StageInProgress {
			s.Stages[i].set(status, now)
		}
	}
	if status == StatusCompleted {
		s.CurrentStage = StageFinishing
	}
	s.touch(now)
	return true, nil
}

// touch moves UpdatedAt to now unless it is later already.
func (s *GenerationStatus) touch(now time.Time) {
	if now.After(s.UpdatedAt) {
		s.UpdatedAt = now
	}
}

// set sets a stage's status and its times: a stage going in_progress starts
// (once) and is no longer finished; one going completed, failed or cancelled
// finishes (once); one going back to pending loses both times.
func (st *Stage) set(status string, now time.Time) {
	st.Status = status
	switch status {
	case StagePending:
		st.StartedAt, st.FinishedAt = nil, nil
	case StageInProgress:
		if st.StartedAt == nil {
			st.StartedAt = &now
		}
		st.FinishedAt = nil
	default:
		if st.FinishedAt == nil {
			st.FinishedAt = &now
		}
	}
}

// Validate returns a KindInvalid error for a call the ledger cannot hold.
func (c ProviderCall) Validate() error {
	if c.WorldID == "" {
		return Errorf(KindInvalid, "world ID is required")
	}
	switch c.Kind {
	case CallLLM, CallImage:
	default:
		return Errorf(KindInvalid, "unknown call kind %q: want %q or %q", c.Kind, CallLLM, CallImage)
	}
	switch c.Outcome {
	case OutcomeOK, OutcomeInvalid, OutcomeError:
	default:
		return Errorf(KindInvalid, "unknown call outcome %q: want %q, %q or %q",
			c.Outcome, OutcomeOK, OutcomeInvalid, OutcomeError)
	}
	switch {
	case c.Attempt < 0 || c.TokensIn < 0 || c.TokensOut < 0 || c.Duration < 0:
		return Errorf(KindInvalid, "a provider call's attempt, tokens and duration must not be negative")
	case c.CostUSD < 0 || math.IsNaN(c.CostUSD) || math.IsInf(c.CostUSD, 0):
		return Errorf(KindInvalid, "invalid provider call cost %v", c.CostUSD)
	}
	return nil
}

// CallRefusal is what a status record says of one more call of a kind.
type CallRefusal struct {
	Kind    string  // CallLLM or CallImage
	Calls   int     // calls of the kind reserved
	Limit   int     // the world's limit of them
	Over    bool    // the call would exceed the budget
	Budget  float64 // the world's budget in dollars
	Spent   float64 // what the world spent
	Average float64 // the estimated cost of a call of the kind
}

// Refuse explains why a status record refuses a call: KindStopped when the
// generation takes no more work, KindLimit when the call limit or the budget
// is reached. It returns nil when the record allows the call.
func (s GenerationStatus) Refuse(r CallRefusal) error {
	if err := s.Stopped(); err != nil {
		return err
	}
	label, one := "LLM calls", "an LLM call"
	if r.Kind == CallImage {
		label, one = "image calls", "an image call"
	}
	switch {
	case r.Calls >= r.Limit:
		return Errorf(KindLimit, "the world reached its limit of %d %s", r.Limit, label)
	case r.Over:
		return Errorf(KindLimit, "the world reached its budget of %s (spent %s; %s costs about %s)",
			USD(r.Budget), USD(r.Spent), one, USD(r.Average))
	}
	return nil
}

// USD formats an amount of dollars with cents, and with up to four decimals
// when cents would hide it (a call may cost a fraction of a cent).
func USD(v float64) string {
	s := strings.TrimRight(strconv.FormatFloat(v, 'f', 4, 64), "0")
	if decimals := len(s) - strings.IndexByte(s, '.') - 1; decimals < 2 {
		s += strings.Repeat("0", 2-decimals)
	}
	return "$" + s
}
