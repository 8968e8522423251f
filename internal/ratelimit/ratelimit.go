// Package ratelimit holds the rate limits of sign-in, registration and world
// creation, shared by the JSON API and the web UI: in the process's memory,
// or, with REDIS_URL, in Redis for every API process at once (GCRA, through
// go-redis/redis_rate).
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Rules, each per key (an address or an account).
const (
	Login      = "login"       // sign-in attempts per address
	Register   = "register"    // registrations per address
	Worlds     = "worlds"      // worlds created per address
	WorldsUser = "worlds-user" // worlds created per account
	// Comments are comments per address, CommentsUser per account: each
	// asks a world's characters for an answer, which costs provider calls.
	Comments     = "comments"
	CommentsUser = "comments-user"
	// Failures of sign-in: per account and address (refused when spent), and
	// per account from everywhere (slowed down when spent, never refused,
	// so that nobody can lock a person out from elsewhere).
	LoginFailures        = "login-failures"
	LoginAccountFailures = "login-account-failures"
)

// perAccount are the rules that also hold per account, by the rule that
// holds per address.
var perAccount = map[string]string{Worlds: WorldsUser, Comments: CommentsUser}

// DefaultComments is the comment rate of Limits before SetComments.
var DefaultComments = Rate{N: 30, Period: 10 * time.Minute}

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

// Backend keeps the buckets.
type Backend interface {
	// Take takes n tokens (0 looks only) of key's bucket at rate r. It
	// returns how many tokens are left, and, when n could not be taken,
	// how long until they can.
	Take(ctx context.Context, key string, r Rate, n int) (left int, wait time.Duration, err error)
}

// Limits applies the rules through a backend.
type Limits struct {
	// TrustedProxies are the reverse proxies and load balancers in front of
	// Generia. A request from one of them is keyed by the client address it
	// adds to X-Forwarded-For; without them every client behind a proxy
	// would share its address, and its limits.
	TrustedProxies []netip.Prefix
	// SlowDown is how long every sign-in to an account whose failures from
	// everywhere ran out waits before its password is checked.
	SlowDown time.Duration
	// Logger says when the backend fails (the limit then lets the request
	// through); nil logs nothing.
	Logger *slog.Logger

	backend Backend
	rules   map[string]Rate
}

// New returns limits at the given rates in backend (nil: this process's
// memory): sign-in attempts per address (login; failures per account and
// address half as many, per account from everywhere 20 times as many),
// registration per address, and world creation per account (and 1.5× that
// per address).
func New(backend Backend, login, register, worlds Rate) *Limits {
	if backend == nil {
		backend = NewMemory(DefaultMemoryKeys)
	}
	return &Limits{
		SlowDown: 2 * time.Second,
		backend:  backend,
		rules: map[string]Rate{
			Login:                login,
			LoginFailures:        {N: max(1, login.N/2), Period: login.Period},
			LoginAccountFailures: {N: 20 * login.N, Period: login.Period},
			Register:             register,
			Worlds:               {N: worlds.N + worlds.N/2, Period: worlds.Period},
			WorldsUser:           worlds,
			Comments:             {N: DefaultComments.N + DefaultComments.N/2, Period: DefaultComments.Period},
			CommentsUser:         DefaultComments,
		},
	}
}

// SetComments sets how many comments one account may write (an address
// half again as many).
func (l *Limits) SetComments(r Rate) {
	l.rules[Comments] = Rate{N: r.N + r.N/2, Period: r.Period}
	l.rules[CommentsUser] = r
}

// take takes n tokens of a rule's bucket of key; a backend that fails lets
// the request through, and says so.
func (l *Limits) take(ctx context.Context, rule, key string, n int) (int, time.Duration) {
	r, ok := l.rules[rule]
	if !ok {
		return 1, 0
	}
	left, wait, err := l.backend.Take(ctx, rule+"|"+key, r, n)
	if err != nil {
		if l.Logger != nil {
			l.Logger.Error("rate limits are unavailable; letting the request through", "rule", rule, "error", err)
		}
		return 1, 0
	}
	return left, wait
}

// Allow takes one token of the rule's bucket for key. When the bucket is
// empty it sets Retry-After on w and answers KindLimit.
func (l *Limits) Allow(w http.ResponseWriter, r *http.Request, rule, key string) error {
	if _, wait := l.take(r.Context(), rule, key, 1); wait > 0 {
		return refuse(w, wait, "too many requests")
	}
	return nil
}

// AllowFor takes one of a rule's tokens for the request's address and,
// for the rules that also hold per account (world creation, comments),
// one for the account, when there is one.
func (l *Limits) AllowFor(w http.ResponseWriter, r *http.Request, rule, account string) error {
	if err := l.Allow(w, r, rule, l.Address(r)); err != nil {
		return err
	}
	if user, ok := perAccount[rule]; ok && account != "" {
		return l.Allow(w, r, user, account)
	}
	return nil
}

func refuse(w http.ResponseWriter, wait time.Duration, what string) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return generia.Errorf(generia.KindLimit, "%s; try again in %s", what, max(wait, time.Second).Round(time.Second))
}

// SignIn guards one attempt to sign in to account (a key naming the account
// whatever it was typed as, see social.Service.AccountKey) from the
// request's address, made by attempt. Attempts per address are limited;
// failures count per account and address, which are refused when spent,
// and per account from everywhere, which only slow down: a person can
// always sign in from their own address, however many fail elsewhere.
func (l *Limits) SignIn(w http.ResponseWriter, r *http.Request, account string, attempt func() error) error {
	address := l.Address(r)
	if err := l.Allow(w, r, Login, address); err != nil {
		return err
	}
	pair := account + "|" + address
	if left, wait := l.take(r.Context(), LoginFailures, pair, 0); left < 1 {
		return refuse(w, wait, "too many failed sign-ins to this account from here")
	}
	if left, _ := l.take(r.Context(), LoginAccountFailures, account, 0); left < 1 {
		select {
		case <-r.Context().Done():
			return r.Context().Err()
		case <-time.After(l.SlowDown):
		}
	}
	err := attempt()
	if generia.IsKind(err, generia.KindUnauthorized) {
		l.take(r.Context(), LoginFailures, pair, 1)
		l.take(r.Context(), LoginAccountFailures, account, 1)
	}
	return err
}

// Address is the client address of a request, the key of the per-address
// rules: the peer's address, or, when the peer is a trusted proxy, the
// nearest address in X-Forwarded-For that is not a trusted proxy. Addresses
// further left were written by the client and are not believed. An IPv6
// address stands for its /64, which one client usually has whole.
func (l *Limits) Address(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if l.trusted(addr) {
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
	}
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
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
