// Package fsmedia implements generia.MediaStore on a local directory.
package fsmedia

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

// Store is a generia.MediaStore that keeps each object in a file under a
// directory, at the path its key names.
type Store struct {
	dir string
}

var _ generia.MediaStore = (*Store)(nil)

// New returns a store on dir, creating the directory if missing. The
// directory and everything in it are their owner's alone (media of private
// worlds are here); files an earlier version left readable by others are
// made so.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, generia.Errorf(generia.KindInvalid, "the media directory is not set")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolving media directory %s: %w", dir, err)
	}
	if err := secret.PrivateDir(abs); err != nil {
		return nil, fmt.Errorf("creating media directory %s: %w", abs, err)
	}
	err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := secret.FileMode
		if d.IsDir() {
			want = secret.DirMode
		}
		if info.Mode().Perm() != want {
			return os.Chmod(path, want)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("making media directory %s private: %w", abs, err)
	}
	return &Store{dir: abs}, nil
}

// path returns the file of a key (see generia.CheckMediaKey).
func (s *Store) path(key string) (string, error) {
	if err := generia.CheckMediaKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// Put stores data under key, replacing any previous object. The file is
// written next to its final place and renamed over it, so readers see the
// old object or the new one, never a part. The content type is not kept: the
// media record holds it.
func (s *Store) Put(ctx context.Context, key, contentType string, data []byte) error {
	path, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.write(path, data); err != nil {
		return fmt.Errorf("storing media %s: %w", key, err)
	}
	return nil
}

func (s *Store) write(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, secret.DirMode); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = io.Copy(tmp, bytes.NewReader(data))
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(secret.FileMode) // what CreateTemp gives, said
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Open returns the object's bytes. A missing key gives KindNotFound.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	path, err := s.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if isMissing(err) {
		return nil, generia.Errorf(generia.KindNotFound, "media %s not found", key)
	}
	if err != nil {
		return nil, fmt.Errorf("opening media %s: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening media %s: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		// A key that is a prefix of other keys names a directory.
		f.Close()
		return nil, generia.Errorf(generia.KindNotFound, "media %s not found", key)
	}
	return f, nil
}

// Delete removes an object; a missing key is not an error. Directories left
// empty are kept.
func (s *Store) Delete(ctx context.Context, key string) error {
	path, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := os.Lstat(path)
	if isMissing(err) {
		return nil
	}
	if err == nil && info.IsDir() {
		return nil // a prefix of other keys, not an object
	}
	if err == nil {
		err = os.Remove(path)
	}
	if err != nil && !isMissing(err) {
		return fmt.Errorf("deleting media %s: %w", key, err)
	}
	return nil
}

// isMissing reports whether err says the file does not exist, including when
// a parent of its path is a file.
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
