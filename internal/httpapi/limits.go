package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/generia/generia/internal/generia"
)

// Rate limits, per key (an address or an account).
const (
	limitLogin        = "login"         // sign-in attempts per address
	limitLoginAccount = "login-account" // sign-in attempts per account name
	limitRegister     = "register"      // registrations per address
	limitWorlds       = "worlds"        // worlds created per address and per account
	limitWorldsUser   = "worlds-user"
)

// Limits holds token buckets. The zero value is not usable: see NewLimits.
type Limits struct {
	mu      sync.Mutex
	rules   map[string]rule
	buckets map[string]*bucket
}

type rule struct {
	every time.Duration
	burst int
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// Rate is n events per period, allowed in a burst of n.
type Rate struct {
	N      int
	Period time.Duration
}

// ParseRate reads "n/period", e.g. "10/1m".
func ParseRate(s string) (Rate, error) {
	n, p, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(strings.TrimSpace(n))
	period, perr := time.ParseDuration(strings.TrimSpace(p))
	if !ok || err != nil || perr != nil || count < 1 || period <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want n/period such as 10/1m", s)
	}
	return Rate{N: count, Period: period}, nil
}

func (r Rate) rule() rule { return rule{every: r.Period / time.Duration(r.N), burst: r.N} }

// Default rates.
var (
	DefaultLoginRate    = Rate{10, time.Minute} // per address and per account
	DefaultRegisterRate = Rate{5, time.Hour}    // per address
	DefaultWorldRate    = Rate{20, time.Hour}   // per account; per address half again as many
)

// NewLimits returns limits at the given rates of sign-in (per address and
// per account), registration (per address) and world creation (per account,
// and 1.5× that per address).
func NewLimits(login, register, worlds Rate) *Limits {
	perAddress := Rate{N: worlds.N + worlds.N/2, Period: worlds.Period}
	return &Limits{
		rules: map[string]rule{
			limitLogin:        login.rule(),
			limitLoginAccount: login.rule(),
			limitRegister:     register.rule(),
			limitWorlds:       perAddress.rule(),
			limitWorldsUser:   worlds.rule(),
		},
		buckets: map[string]*bucket{},
	}
}

// allow takes one token of the rule's bucket for key. When the bucket is
// empty it sets Retry-After on w and answers KindLimit.
func (l *Limits) allow(w http.ResponseWriter, ruleName, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	rl, ok := l.rules[ruleName]
	if !ok {
		return nil
	}
	now := time.Now()
	if len(l.buckets) > 100_000 {
		for k, b := range l.buckets { // forget idle keys
			if now.Sub(b.seen) > time.Hour {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[ruleName+"|"+key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(rate.Every(rl.every), rl.burst)}
		l.buckets[ruleName+"|"+key] = b
	}
	b.seen = now
	res := b.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())+1))
		return generia.Errorf(generia.KindLimit, "too many requests; try again in %s", d.Round(time.Second))
	}
	return nil
}

func (s *Server) limits() *Limits { return s.Limits }

// limit wraps a handler with the rule's per-address limit, and for world
// creation also the per-account one.
func (s *Server) limit(ruleName string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		err = s.limits().allow(w, ruleName, host)
		if err == nil && ruleName == limitWorlds && viewer(r) != "" {
			err = s.limits().allow(w, limitWorldsUser, viewer(r))
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r)
	}
}
