// Package mediatest is the conformance suite of generia.MediaStore: every
// backend (local directory, S3) runs it unchanged. It imports only the domain
// package and the standard library.
package mediatest

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/generia/generia/internal/generia"
)

// Run runs the suite. open returns a new, empty media store and arranges for
// it to be released when the test ends; every test opens its own.
func Run(t *testing.T, open func(t *testing.T) generia.MediaStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, m generia.MediaStore)
	}{
		{"put and open round-trip", testRoundTrip},
		{"put replaces", testOverwrite},
		{"missing key", testMissing},
		{"delete", testDelete},
		{"invalid keys", testInvalidKeys},
		{"concurrent puts", testConcurrentPuts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, open(t))
		})
	}
}

// read returns the bytes stored under key and fails the test on error.
func read(t *testing.T, m generia.MediaStore, key string) []byte {
	t.Helper()
	r, err := m.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return b
}

// put stores data under key and fails the test on error.
func put(t *testing.T, m generia.MediaStore, key string, data []byte) {
	t.Helper()
	if err := m.Put(t.Context(), key, "image/png", data); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// wantKind fails the test unless err has the given kind.
func wantKind(t *testing.T, err error, kind generia.Kind, what string) {
	t.Helper()
	if !generia.IsKind(err, kind) {
		t.Errorf("%s: got error %v (kind %s), want kind %s", what, err, generia.ErrorKind(err), kind)
	}
}

// image returns n bytes of deterministic content that differs by seed.
func image(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + seed*7 + i>>8)
	}
	return b
}

func testRoundTrip(t *testing.T, m generia.MediaStore) {
	cases := []struct {
		key  string
		data []byte
	}{
		{"header.png", image(1, 1000)},
		{"worlds/w1/characters/c1/avatar.png", image(2, 4096)},
		{"worlds/w1/posts/p-1.webp", image(3, 1<<20+17)},
		{"worlds/w1/empty.bin", []byte{}},
		{"worlds/w1/ünïcode name.png", []byte("\x89PNG\r\n\x1a\n")},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			put(t, m, tc.key, tc.data)
			if got := read(t, m, tc.key); !bytes.Equal(got, tc.data) {
				t.Errorf("read %d bytes, want the %d stored", len(got), len(tc.data))
			}
		})
	}
}

func testOverwrite(t *testing.T, m generia.MediaStore) {
	const key = "worlds/w1/header.png"
	put(t, m, key, image(1, 5000))
	second := image(2, 300)
	put(t, m, key, second)
	if got := read(t, m, key); !bytes.Equal(got, second) {
		t.Errorf("read %d bytes, want the %d of the second put", len(got), len(second))
	}
}

func testMissing(t *testing.T, m generia.MediaStore) {
	put(t, m, "worlds/w1/a.png", image(1, 10))
	for _, key := range []string{"nothing.png", "worlds/w2/a.png", "worlds/w1/b.png", "worlds/w1/a.png/deeper"} {
		_, err := m.Open(t.Context(), key)
		wantKind(t, err, generia.KindNotFound, fmt.Sprintf("Open(%q)", key))
	}
}

func testDelete(t *testing.T, m generia.MediaStore) {
	const key, kept = "worlds/w1/a.png", "worlds/w1/b.png"
	put(t, m, key, image(1, 10))
	put(t, m, kept, image(2, 10))
	for i := range 2 {
		if err := m.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete %d: %v", i+1, err)
		}
		_, err := m.Open(t.Context(), key)
		wantKind(t, err, generia.KindNotFound, "Open after Delete")
	}
	if err := m.Delete(t.Context(), "never/stored.png"); err != nil {
		t.Errorf("Delete of a key never stored: %v", err)
	}
	if got := read(t, m, kept); !bytes.Equal(got, image(2, 10)) {
		t.Errorf("the other object changed")
	}
	put(t, m, key, image(3, 10))
	if got := read(t, m, key); !bytes.Equal(got, image(3, 10)) {
		t.Errorf("an object stored again after Delete reads %d bytes", len(got))
	}
}

func testInvalidKeys(t *testing.T, m generia.MediaStore) {
	for _, key := range []string{"", "/etc/passwd", "/a.png", "../a.png", "a/../../b.png", "a/..", "..", `a\b.png`, `..\a.png`} {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			wantKind(t, m.Put(t.Context(), key, "image/png", []byte("x")), generia.KindInvalid, "Put")
			_, err := m.Open(t.Context(), key)
			wantKind(t, err, generia.KindInvalid, "Open")
			wantKind(t, m.Delete(t.Context(), key), generia.KindInvalid, "Delete")
		})
	}
}

func testConcurrentPuts(t *testing.T, m generia.MediaStore) {
	const n = 24
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("worlds/w%d/posts/p%d.png", i%3, i)
			if err := m.Put(t.Context(), key, "image/png", image(i, 20000+i)); err != nil {
				t.Errorf("Put(%q): %v", key, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		key := fmt.Sprintf("worlds/w%d/posts/p%d.png", i%3, i)
		if got := read(t, m, key); !bytes.Equal(got, image(i, 20000+i)) {
			t.Errorf("%s: read %d bytes that differ from the %d stored", key, len(got), 20000+i)
		}
	}
}
