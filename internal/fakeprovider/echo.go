package fakeprovider

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"strings"
)

// EchoForm is how a careless server quotes the key it was sent.
type EchoForm string

// The forms a key comes back in. Each quotes what the client sent in its
// Authorization header ("Bearer <key>"), or the key alone.
const (
	// EchoPlain quotes the header as sent: "Bearer sk-or-v1-…".
	EchoPlain EchoForm = "plain"
	// EchoUpper quotes it upper-cased: "BEARER SK-OR-V1-…".
	EchoUpper EchoForm = "upper"
	// EchoBase64 quotes the header base64-encoded, as a proxy that logs
	// its request headers does.
	EchoBase64 EchoForm = "base64"
	// EchoQuoted quotes the key alone, in quotes: "sk-or-v1-…".
	EchoQuoted EchoForm = "quoted"
	// EchoSpaced quotes the key with a space between every character.
	EchoSpaced EchoForm = "spaced"
	// EchoSplit quotes the key in groups of four characters split by
	// spaces and line breaks, as a page that wraps it does.
	EchoSplit EchoForm = "split"
)

// EchoForms are all the forms, for tests that try each.
var EchoForms = []EchoForm{EchoPlain, EchoUpper, EchoBase64, EchoQuoted, EchoSpaced, EchoSplit}

// KeyEcho makes a fake answer every call with an error that quotes the key
// it was sent: Status is the HTTP status (200 puts the error inside a 200
// answer), Form how the key is quoted, and HTML answers a web page, as a
// gateway in front of the provider does, instead of the provider's JSON
// error. The quote is in the error's message and in its code (OpenRouter's
// metadata.error_type, Runware's code), the fields a client reads.
type KeyEcho struct {
	Status int
	Form   EchoForm
	HTML   bool
}

// quote renders authorization (the header the fake received) in e's form.
func (e KeyEcho) quote(authorization string) string {
	key := strings.TrimSpace(authorization)
	if len(key) > len("Bearer ") && strings.EqualFold(key[:len("Bearer ")], "Bearer ") {
		key = strings.TrimSpace(key[len("Bearer "):])
	}
	switch e.Form {
	case EchoUpper:
		return strings.ToUpper(authorization)
	case EchoBase64:
		return base64.StdEncoding.EncodeToString([]byte(authorization))
	case EchoQuoted:
		return `"` + key + `"`
	case EchoSpaced:
		return strings.Join(strings.Split(key, ""), " ")
	case EchoSplit:
		var parts []string
		for len(key) > 4 {
			parts, key = append(parts, key[:4]), key[4:]
		}
		return strings.Join(append(parts, key), " \n")
	}
	return authorization
}

// message is the error text that quotes the key.
func (e KeyEcho) message(authorization string) string {
	return "Request refused for credentials " + e.quote(authorization) + " (see your dashboard)"
}

// writeHTML answers the quote as a gateway's web page.
func (e KeyEcho) writeHTML(w http.ResponseWriter, authorization string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(e.Status)
	_, _ = fmt.Fprintf(w, "<html>\n<head><title>%[1]d %[2]s</title></head>\n<body>\n<h1>%[1]d</h1>\n<pre>Authorization: %[3]s</pre>\n</body>\n</html>\n",
		e.Status, http.StatusText(e.Status), html.EscapeString(e.quote(authorization)))
}
