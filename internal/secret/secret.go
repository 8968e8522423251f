// Package secret keeps secrets inside the process. It scrubs them from the
// texts that leave it (provider errors, the status record, log lines, the
// printed configuration): the keys Generia was configured with, whatever
// looks like a bearer token or an API key, and the credentials of URLs. And
// it keeps the files Generia writes its owner's alone.
package secret

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/generia/generia/internal/generia"
)

// Redacted stands where a secret was.
const Redacted = "[redacted]"

// minKnown is the shortest configured value scrubbed as a secret: shorter
// ones would match ordinary words.
const minKnown = 8

var patterns = []struct {
	re   *regexp.Regexp
	with string
}{
	// Authorization: Bearer <token>, Basic <credentials>.
	{regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}`), "$1 " + Redacted},
	// Key-shaped words: OpenAI's and OpenRouter's sk-…, Anthropic's, AWS's.
	{regexp.MustCompile(`(?i)\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}`), Redacted},
	{regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`), Redacted},
	// api_key=…, "apiKey": "…", token: … in answers and URLs.
	{regexp.MustCompile(`(?i)\b((?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret|password|passwd|x-amz-signature|x-amz-credential|signature|token|key)["']?\s*[:=]\s*["']?)[^\s"'&,;}]{4,}`), "$1" + Redacted},
	// The user:password@ of a URL.
	{regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@:]*:[^/\s@]*@`), "$1" + Redacted + "@"},
}

// Scrubber removes secrets from texts. The zero value scrubs the patterns
// only; New adds known values.
type Scrubber struct {
	known []knownSecret
}

// knownSecret is one configured value and the forms a server may echo it
// in. An answer that quotes a key rarely quotes it as sent: it upper-cases
// it, spaces it out, or shows the Authorization header base64-encoded, so
// each form is looked for.
type knownSecret struct {
	value string
	// loose matches the value in any case with any whitespace between its
	// characters: "sk-or-v1-abc", "SK-OR-V1-ABC", "s k - o r - v 1 …";
	// only a text whose squeeze holds squeezed can match.
	loose    *regexp.Regexp
	squeezed string
	// encoded are the runs of base64 (standard and URL alphabets) that
	// every encoding of a text holding the value contains, one per
	// alignment of the value in the encoded bytes: the value's own
	// characters, without those its neighbours share.
	encoded []string
}

func newKnown(v string) knownSecret {
	parts := make([]string, 0, len(v))
	for _, r := range v {
		parts = append(parts, regexp.QuoteMeta(string(r)))
	}
	k := knownSecret{value: v, loose: regexp.MustCompile(`(?i)` + strings.Join(parts, `\s*`)), squeezed: squeeze(v)}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for shift := range 3 {
			// shift bytes before the value; the first 4*shift/3 rounded up
			// characters mix them in, as do the characters of the value's
			// last, partial group.
			full := enc.EncodeToString(append(make([]byte, shift), v...))
			from := (4*shift + 2) / 3
			to := 4 * (shift + len(v)) / 3
			if to-from >= minKnown && !slices.Contains(k.encoded, full[from:to]) {
				k.encoded = append(k.encoded, full[from:to])
			}
		}
	}
	return k
}

// squeeze returns text lower-cased, without whitespace.
func squeeze(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, text)
}

// isBase64 reports whether c may be part of a base64 text, in either
// alphabet.
func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("+/-_=", c) >= 0
}

// scrubEncoded replaces each run of base64 that holds one of the cores
// whole, so that no bit of the encoded secret is left.
func scrubEncoded(text string, cores []string) string {
	for _, core := range cores {
		for {
			i := strings.Index(text, core)
			if i < 0 {
				break
			}
			from, to := i, i+len(core)
			for from > 0 && isBase64(text[from-1]) {
				from--
			}
			for to < len(text) && isBase64(text[to]) {
				to++
			}
			text = text[:from] + Redacted + text[to:]
		}
	}
	return text
}

// New returns a Scrubber of the given secret values (empty and short ones
// are left out), longest first so that a secret containing another goes
// whole.
func New(known ...string) *Scrubber {
	s := &Scrubber{}
	var values []string
	for _, k := range known {
		if k = strings.TrimSpace(k); len(k) >= minKnown && !slices.Contains(values, k) {
			values = append(values, k)
		}
	}
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range values {
		s.known = append(s.known, newKnown(v))
	}
	return s
}

// Scrub returns text without the known secrets (as they are, in another
// case, spaced out or base64-encoded), bearer tokens, key-shaped words,
// key=value pairs of secret-sounding names and URL credentials.
func (s *Scrubber) Scrub(text string) string {
	if s != nil && len(s.known) > 0 {
		// The loose forms are costly to look for (every log line is
		// scrubbed): only a text that holds a key once lower-cased and
		// squeezed of whitespace is searched for one.
		squeezed := squeeze(text)
		for _, k := range s.known {
			text = strings.ReplaceAll(text, k.value, Redacted)
			if strings.Contains(squeezed, k.squeezed) {
				text = k.loose.ReplaceAllLiteralString(text, Redacted)
			}
			text = scrubEncoded(text, k.encoded)
		}
	}
	for _, p := range patterns {
		text = p.re.ReplaceAllString(text, p.with)
	}
	return text
}

// Error returns err as it may travel on, into logs and Temporal's history:
// an error with err's text scrubbed, which still matches context.Canceled
// and context.DeadlineExceeded when err does, and unwraps to nothing else.
func (s *Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	out := &scrubbedError{text: s.Scrub(err.Error())}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, ctxErr) {
			out.ctx = ctxErr
		}
	}
	return out
}

// ProviderError returns an error a provider client is about to return as
// it may leave the client: every text it carries scrubbed, of whatever
// status or transport failure it tells. A *generia.ProviderError or
// *generia.Error keeps its kind, status, code and retry delay, so callers
// still classify it; context errors pass as they are; any other error
// becomes one of Error. Each client passes every error through this once,
// where it returns, so that no path (a 402's message, an HTML page, a
// transport error quoting its URL) can forget to.
func (s *Scrubber) ProviderError(err error) error {
	if err == nil || err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	switch e := err.(type) {
	case *generia.ProviderError:
		out := *e
		out.Message, out.Code, out.Err = s.Scrub(e.Message), s.Scrub(e.Code), s.Error(e.Err)
		return &out
	case *generia.Error:
		out := *e
		out.Message, out.Err = s.Scrub(e.Message), s.ProviderError(e.Err)
		return &out
	}
	return s.Error(err)
}

type scrubbedError struct {
	text string
	ctx  error
}

func (e *scrubbedError) Error() string { return e.text }
func (e *scrubbedError) Unwrap() error { return e.ctx }

// Scrub is New(known...).Scrub(text).
func Scrub(text string, known ...string) string { return New(known...).Scrub(text) }

// URL redacts the password of a URL and the values of its query parameters
// with secret-sounding names, for printing a setting. A text that is not a
// URL is scrubbed as any text.
func URL(raw string) string {
	if !strings.Contains(raw, "://") {
		// host:port, perhaps with user:password@ in front.
		if at := strings.LastIndex(raw, "@"); at >= 0 {
			if colon := strings.Index(raw[:at], ":"); colon >= 0 {
				raw = raw[:colon+1] + Redacted + raw[at:]
			}
		}
		return Scrub(raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return Scrub(raw)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	changed := false
	for k := range q {
		if secretName(k) {
			q.Set(k, "xxxxx")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), "xxxxx", Redacted)
}

func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"key", "token", "secret", "password", "signature", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Handler wraps a log handler so that no record it writes holds a secret:
// the message and every attribute that is text, an error or a stringer are
// scrubbed.
func (s *Scrubber) Handler(h slog.Handler) slog.Handler { return scrubbing{h, s} }

type scrubbing struct {
	slog.Handler
	s *Scrubber
}

func (h scrubbing) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h scrubbing) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return scrubbing{h.Handler.WithAttrs(clean), h.s}
}

func (h scrubbing) WithGroup(name string) slog.Handler {
	return scrubbing{h.Handler.WithGroup(name), h.s}
}

func (h scrubbing) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.Scrub(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.s.Scrub(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, h.s.Scrub(x.String()))
		case []byte:
			return slog.String(a.Key, h.s.Scrub(string(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Modes of the data Generia keeps on disk: its owner's alone, for the store,
// Temporal's database and media of private worlds live there.
const (
	DirMode  os.FileMode = 0o700
	FileMode os.FileMode = 0o600
)

// PrivateDir creates dir (and its parents) if missing and makes it its
// owner's alone, as it may have been created more open by an earlier
// version.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return os.Chmod(dir, DirMode)
}

// PrivateFile creates the file at path if missing, empty, and makes it and
// its SQLite companions (-wal, -shm, -journal) that exist its owner's
// alone. SQLite gives the files it creates the mode of their database.
func PrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
