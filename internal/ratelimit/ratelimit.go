// Package ratelimit holds per-key token buckets for sign-in, registration and
// world creation, shared by the JSON API and the web UI of a process.
package ratelimit

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/generia/generia/internal/generia"
)

// Rules, each per key (an address or an account).
const (
	Login        = "login"         // sign-in attempts per address
	LoginAccount = "login-account" // sign-in attempts per account name
	Register     = "register"      // registrations per address
	Worlds       = "worlds"        // worlds created per address
	WorldsUser   = "worlds-user"   // worlds created per account
)

// Limits holds token buckets. The zero value is not usable: see NewLimits.
type Limits struct {
	// TrustedProxies are the reverse proxies and load balancers in front of
	// Generia. A request from one of them is keyed by the client address it
	// adds to X-Forwarded-For; without them every client behind a proxy
	// would share its address, and its limits.
	TrustedProxies []netip.Prefix

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

// New returns limits at the given rates of sign-in (per address and
// per account), registration (per address) and world creation (per account,
// and 1.5× that per address).
func New(login, register, worlds Rate) *Limits {
	perAddress := Rate{N: worlds.N + worlds.N/2, Period: worlds.Period}
	return &Limits{
		rules: map[string]rule{
			Login:        login.rule(),
			LoginAccount: login.rule(),
			Register:     register.rule(),
			Worlds:       perAddress.rule(),
			WorldsUser:   worlds.rule(),
		},
		buckets: map[string]*bucket{},
	}
}

// Allow takes one token of the rule's bucket for key. When the bucket is
// empty it sets Retry-After on w and answers KindLimit.
func (l *Limits) Allow(w http.ResponseWriter, ruleName, key string) error {
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

// Address is the client address of a request, the key of the per-address
// rules: the peer's address, or, when the peer is a trusted proxy, the
// nearest address in X-Forwarded-For that is not a trusted proxy. Addresses
// further left were written by the client and are not believed.
func (l *Limits) Address(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !l.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: keep the last address known good
		}
		addr = hop.Unmap()
		if !l.trusted(addr) {
			break
		}
	}
	return addr.String()
}

func (l *Limits) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range l.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseProxies reads a comma list of addresses and CIDR ranges, such as
// "10.0.0.0/8, 192.0.2.7".
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR range such as 10.0.0.0/8", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
