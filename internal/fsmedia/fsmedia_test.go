package fsmedia

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/mediatest"
)

func newStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := New(dir)
	if err != nil {
		t.Fatalf("New(%q): %v", dir, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	mediatest.Run(t, func(t *testing.T) generia.MediaStore { return newStore(t, t.TempDir()) })
}

func TestNewCreatesTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "media")
	s := newStore(t, dir)
	if err := s.Put(t.Context(), "a/b.png", "image/png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a", "b.png")); err != nil || string(b) != "x" {
		t.Errorf("file under the directory = %q, %v; want x", b, err)
	}
	if _, err := New(""); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("New(\"\") = %v, want a KindInvalid error", err)
	}
}

// Keys that would alias another key on a file system are refused too.
func TestRejectsNonCanonicalKeys(t *testing.T) {
	s := newStore(t, t.TempDir())
	for _, key := range []string{"a//b.png", "./a.png", "a/./b.png", "a/", "a/b/", "a\x00b"} {
		if err := s.Put(t.Context(), key, "image/png", []byte("x")); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("Put(%q) = %v, want a KindInvalid error", key, err)
		}
	}
}

func TestPutLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	for range 3 {
		if err := s.Put(t.Context(), "w1/header.png", "image/png", []byte("header")); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "w1"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "header.png" {
		t.Errorf("files = %v, want only header.png", names)
	}
	info, err := os.Stat(filepath.Join(dir, "w1", "header.png"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %v, want 0600: media of private worlds are here", perm)
	}
	dirInfo, err := os.Stat(filepath.Join(dir, "w1"))
	if err != nil || dirInfo.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v (%v), want 0700", dirInfo.Mode().Perm(), err)
	}
}

// Media an earlier version left readable by others become their owner's
// alone when the store opens.
func TestOpeningMakesOldMediaPrivate(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "worlds", "w1", "a.png")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	newStore(t, dir)
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Dir(old): 0o700, old: 0o600} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", path, info.Mode().Perm(), err, want)
		}
	}
}

// A key that is a prefix of other keys names a directory, not an object.
func TestDirectoryIsNotAnObject(t *testing.T) {
	s := newStore(t, t.TempDir())
	if err := s.Put(t.Context(), "w1/posts/p1.png", "image/png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(t.Context(), "w1/posts"); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("Open of a directory = %v, want KindNotFound", err)
	}
	if err := s.Delete(t.Context(), "w1/posts"); err != nil {
		t.Errorf("Delete of a directory = %v, want nil", err)
	}
	r, err := s.Open(t.Context(), "w1/posts/p1.png")
	if err != nil {
		t.Fatalf("the object under the directory is gone: %v", err)
	}
	r.Close()
}
