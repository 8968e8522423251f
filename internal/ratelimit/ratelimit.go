// Package ratelimit holds the rate limits of every write that costs (sign-in,
// registration, worlds, posts, comments, uploads, life changes, stream
// opens, reports), shared by the JSON API and the web UI, whose routers spend them
// (Limits.Guard): in the process's memory, or, with REDIS_URL, in Redis for
// every API process at once (GCRA, one script), falling back to the
// process's memory while Redis cannot be reached (Fallback).
package ratelimit

import (
	"context"
	"fmt"
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
	// Posts are posts per address, PostsUser per account: each draws up to
	// three characters' reactions, which cost provider calls.
	Posts     = "posts"
	PostsUser = "posts-user"
	// Uploads are images uploaded per address, UploadsUser per account:
	// each is decoded and stored.
	Uploads     = "uploads"
	UploadsUser = "uploads-user"
	// Life is changes to a world's life settings per address, LifeUser per
	// account: each signals the world's life workflow.
	Life     = "life"
	LifeUser = "life-user"
	// Streams are event and status streams opened per address,
	// StreamsUser per account: each holds a connection and a watcher.
	Streams     = "streams"
	StreamsUser = "streams-user"
	// Reports are reports filed per address, ReportsUser per account: each
	// opens or weighs on a case that moderators read, and a flood of them
	// could hide content on its own.
	Reports     = "reports"
	ReportsUser = "reports-user"
	// Invitations are invitations made or accepted per address,
	// InvitationsUser per account: each writes a row, and accepts are where
	// a code would be guessed.
	Invitations     = "invitations"
	InvitationsUser = "invitations-user"
	// Failures of sign-in: per account and address (refused when spent), and
	// per account from everywhere (slowed down when spent, never refused,
	// so that nobody can lock a person out from elsewhere).
	LoginFailures        = "login-failures"
	LoginAccountFailures = "login-account-failures"
)

// perAccount are the rules that also hold per account, by the rule that
// holds per address.
var perAccount = map[string]string{
	Worlds: WorldsUser, Comments: CommentsUser, Posts: PostsUser, Uploads: UploadsUser, Life: LifeUser, Streams: StreamsUser,
	Reports: ReportsUser, Invitations: InvitationsUser,
}

// what names what a rule counts, in its refusal.
var what = map[string]string{
	Register: "registrations", Worlds: "worlds created", Comments: "comments", Posts: "posts",
	Uploads: "uploads", Life: "changes to a world's life", Streams: "streams opened", Reports: "reports",
	Invitations: "invitations made or accepted",
}

// Default rates per account of the rules that New does not take (an address
// gets half again as many); Set changes them.
var (
	DefaultComments = Rate{N: 30, Period: 10 * time.Minute}
	DefaultPosts    = Rate{N: 20, Period: 10 * time.Minute}
	DefaultUploads  = Rate{N: 30, Period: time.Hour}
	DefaultLife     = Rate{N: 20, Period: 10 * time.Minute}
	DefaultStreams  = Rate{N: 60, Period: time.Minute}
	DefaultReports  = Rate{N: 20, Period: time.Hour}
	// DefaultInvitations are invitations made or accepted.
	DefaultInvitations = Rate{N: 30, Period: time.Hour}
)

// Rate is n events per period, allowed in a burst of n.
type Rate struct {
	N      int
	Period time.Duration
}

// interval is how long a bucket takes to get one token back.
func (r Rate) interval() time.Duration { return max(r.Period/time.Duration(r.N), 1) }

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
	// Take takes n tokens of key's bucket at rate r: 0 only looks, fewer
	// than 0 gives -n tokens back (never past a full bucket). It returns
	// how many tokens are left, and, when n could not be taken (for a
	// look: when no token is left), how long until they can. An error
	// means the bucket could not be reached; Memory never fails.
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

	backend  Backend
	rules    map[string]Rate
	newcomer Newcomer
}

// New returns limits at the given rates in backend (nil: this process's
// memory; for Redis, wrap it in a Fallback so that an outage limits per
// process): sign-in attempts per address (login; failures per account and
// address half as many, per account from everywhere 20 times as many),
// registration per address, and world creation per account (and 1.5× that
// per address). Comments, posts, uploads, life changes, stream opens and
// reports start at their Default rates.
func New(backend Backend, login, register, worlds Rate) *Limits {
	if backend == nil {
		backend = NewMemory(DefaultMemoryKeys)
	}
	l := &Limits{
		SlowDown: 2 * time.Second,
		backend:  backend,
		rules: map[string]Rate{
			Login:                login,
			LoginFailures:        {N: max(1, login.N/2), Period: login.Period},
			LoginAccountFailures: {N: 20 * login.N, Period: login.Period},
			Register:             register,
		},
	}
	l.Set(Worlds, worlds)
	l.Set(Comments, DefaultComments)
	l.Set(Posts, DefaultPosts)
	l.Set(Uploads, DefaultUploads)
	l.Set(Life, DefaultLife)
	l.Set(Streams, DefaultStreams)
	l.Set(Reports, DefaultReports)
	l.Set(Invitations, DefaultInvitations)
	return l
}

// Set sets a rule's rate. For the rules that hold per account too (worlds,
// comments, posts, uploads, life, streams, reports) r is one account's rate, and an
// address gets half again as many, so that two people behind one address
// are not refused before either spent their own.
func (l *Limits) Set(rule string, r Rate) {
	user, ok := perAccount[rule]
	if !ok {
		l.rules[rule] = r
		return
	}
	l.rules[rule] = Rate{N: r.N + r.N/2, Period: r.Period}
	l.rules[user] = r
}

// SetComments sets how many comments one account may write (an address
// half again as many).
func (l *Limits) SetComments(r Rate) { l.Set(Comments, r) }

// Has reports whether rule is one of the rules.
func (l *Limits) Has(rule string) bool {
	_, ok := l.rules[rule]
	return ok
}

// take takes n tokens of a rule's bucket of key. An error is a backend
// that could not be reached (only a request gone away, with Fallback).
func (l *Limits) take(ctx context.Context, rule, key string, n int) (int, time.Duration, error) {
	r, ok := l.rules[rule]
	if !ok {
		return 0, 0, fmt.Errorf("rate limit rule %q is not defined", rule)
	}
	left, wait, err := l.backend.Take(ctx, rule+"|"+key, r, n)
	if err != nil {
		return 0, 0, fmt.Errorf("rate limit %s: %w", rule, err)
	}
	return left, wait, nil
}

// Allow takes one token of the rule's bucket for key. When the bucket is
// empty it sets Retry-After on w and answers KindLimit.
func (l *Limits) Allow(w http.ResponseWriter, r *http.Request, rule, key string) error {
	_, wait, err := l.take(r.Context(), rule, key, 1)
	if err != nil {
		return err
	}
	if wait > 0 {
		return refuseRule(w, wait, rule)
	}
	return nil
}

// Spent is the tokens one request took, to give back when it turns out to
// be refused (see Limits.Guard).
type Spent struct {
	l     *Limits
	taken [][2]string // rule, key
}

// Spend takes one of a rule's tokens for the request's address and, for
// the rules that also hold per account, one for the account, when there is
// one. When either bucket is empty it takes nothing, sets Retry-After on w
// and answers KindLimit.
func (l *Limits) Spend(w http.ResponseWriter, r *http.Request, rule, account string) (*Spent, error) {
	s := &Spent{l: l}
	keys := [][2]string{{rule, l.Address(r)}}
	if user, ok := perAccount[rule]; ok && account != "" {
		keys = append(keys, [2]string{user, account})
		k, newcomer, err := l.newcomerKey(r.Context(), rule, account)
		if err != nil {
			return nil, err
		}
		if newcomer {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		_, wait, err := l.take(r.Context(), k[0], k[1], 1)
		switch {
		case err != nil || wait <= 0:
		case k[0] == newcomerRule(rule):
			err = refuse(w, wait, "too many "+what[rule]+" for a new account: an account's first day has lower limits")
		default:
			err = refuseRule(w, wait, rule)
		}
		if err != nil {
			s.GiveBack(r.Context())
			return nil, err
		}
		s.taken = append(s.taken, k)
	}
	return s, nil
}

// GiveBack gives the tokens back, as if the request had not been sent.
func (s *Spent) GiveBack(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	for _, k := range s.taken {
		_, _, _ = s.l.take(ctx, k[0], k[1], -1) // a token lost to an outage is the lesser harm
	}
	s.taken = nil
}

// AllowFor takes one of a rule's tokens for the request's address and,
// for the rules that also hold per account, one for the account, when
// there is one: Spend, for a caller that never gives them back. A route's
// limit is Guard's, not this.
func (l *Limits) AllowFor(w http.ResponseWriter, r *http.Request, rule, account string) error {
	_, err := l.Spend(w, r, rule, account)
	return err
}

// Guard runs serve under a rule's limit, for the routers of the API and the
// web UI, so that no handler can forget the limit its route declares. A
// request over the limit is answered by deny (KindLimit, Retry-After set)
// and serve does not run. A request that serve answers with a client error
// other than 429 (refused as invalid, not found, forbidden, a visitor sent
// to sign in: see Refused) gets its tokens back: a refused request spends
// nothing.
func (l *Limits) Guard(w http.ResponseWriter, r *http.Request, rule, account string, deny func(error), serve func(http.ResponseWriter)) {
	spent, err := l.Spend(w, r, rule, account)
	if err != nil {
		deny(err)
		return
	}
	aw := &answerWriter{ResponseWriter: w}
	serve(aw)
	if aw.refused || (aw.code >= 400 && aw.code < 500 && aw.code != http.StatusTooManyRequests) {
		spent.GiveBack(r.Context())
	}
}

// answerWriter remembers what a guarded request was answered.
type answerWriter struct {
	http.ResponseWriter
	code    int
	refused bool
}

func (w *answerWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and deadlines (streams).
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Refused marks a guarded request as refused although its answer is no
// client error (the web UI sends a visitor to sign in with a redirect), so
// that it spends nothing. Outside Guard it does nothing.
func Refused(w http.ResponseWriter) {
	for w != nil {
		if aw, ok := w.(*answerWriter); ok {
			aw.refused = true
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// refuseRule refuses a request over a rule's limit, naming what it counts.
func refuseRule(w http.ResponseWriter, wait time.Duration, rule string) error {
	name := what[rule]
	if name == "" {
		name = "requests"
	}
	return refuse(w, wait, "too many "+name)
}

func refuse(w http.ResponseWriter, wait time.Duration, msg string) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return generia.Errorf(generia.KindLimit, "%s; try again in %s", msg, max(wait, time.Second).Round(time.Second))
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
	left, wait, err := l.take(r.Context(), LoginFailures, pair, 0)
	if err != nil {
		return err
	}
	if left < 1 {
		return refuse(w, wait, "too many failed sign-ins to this account from here")
	}
	if left, _, err := l.take(r.Context(), LoginAccountFailures, account, 0); err != nil {
		return err
	} else if left < 1 {
		select {
		case <-r.Context().Done():
			return r.Context().Err()
		case <-time.After(l.SlowDown):
		}
	}
	err = attempt()
	if generia.IsKind(err, generia.KindUnauthorized) {
		_, _, _ = l.take(r.Context(), LoginFailures, pair, 1)
		_, _, _ = l.take(r.Context(), LoginAccountFailures, account, 1)
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
