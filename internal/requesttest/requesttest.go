// Package requesttest sends a test's HTTP requests and reads their answers
// whole, so that a test says only what it sends and what it checks. It
// imports only the standard library.
package requesttest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Request is one HTTP request a test sends.
type Request struct {
	// Method is GET when empty.
	Method string
	URL    string
	Body   string
	// ContentType, when not empty, is the Content-Type header.
	ContentType string
	// Bearer, when not empty, is sent as Authorization: Bearer.
	Bearer string
	// Header holds further header fields.
	Header http.Header
}

// Answer is an HTTP answer with its body read.
type Answer struct {
	Status int
	Header http.Header
	// Body is as much of the body as came: a server that breaks off is
	// for the test to notice.
	Body []byte
}

// Send sends r with http.DefaultClient and reads the answer. It fails the
// test when the request cannot be made or no answer comes.
func Send(tb testing.TB, r Request) Answer {
	tb.Helper()
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, r.URL, strings.NewReader(r.Body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	if r.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.Bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, r.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
}
