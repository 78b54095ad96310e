package blob

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Local keeps blobs as files under a directory: root/ab/cd/abcd…, each
// written to a staging file in root/tmp, fsync'd, renamed into place (so a
// blob is whole or absent) with the directory fsync'd, mode 0600.
type Local struct {
	root string
}

// NewLocal opens (creating) a local store at root.
func NewLocal(root string) (*Local, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, err
	}
	return &Local{root: root}, nil
}

// Kind is "local".
func (l *Local) Kind() string { return "local" }

// Root is the directory the store keeps its files in (backup copies it).
func (l *Local) Root() string { return l.root }

func (l *Local) path(key string) string {
	return filepath.Join(l.root, key[:2], key[2:4], key)
}

// Stage streams r to a staging file beside the store, so Commit is a rename.
func (l *Local) Stage(ctx context.Context, r io.Reader, limit int64) (*Staged, error) {
	return stage(ctx, filepath.Join(l.root, "tmp"), r, limit)
}

// Commit renames the staging file into place.
func (l *Local) Commit(ctx context.Context, s *Staged) (Info, error) {
	defer s.Discard()
	dst := l.path(s.Key)
	if st, err := os.Stat(dst); err == nil && st.Size() == s.Size {
		return Info{Key: s.Key, Size: s.Size, ModTime: st.ModTime()}, nil
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Info{}, err
	}
	if err := s.f.Chmod(0o600); err != nil {
		return Info{}, err
	}
	if err := s.f.Close(); err != nil {
		return Info{}, err
	}
	src := s.f.Name()
	s.f = nil
	if err := os.Rename(src, dst); err != nil {
		os.Remove(src)
		return Info{}, err
	}
	if err := syncDir(dir); err != nil {
		return Info{}, err
	}
	return l.Stat(ctx, s.Key)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type localReader struct {
	*os.File
	size int64
}

func (r localReader) Size() int64 { return r.size }

// Open reads a blob.
func (l *Local) Open(_ context.Context, key string) (Reader, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return localReader{File: f, size: st.Size()}, nil
}

// Stat describes a blob.
func (l *Local) Stat(_ context.Context, key string) (Info, error) {
	if !ValidKey(key) {
		return Info{}, ErrNotFound
	}
	st, err := os.Stat(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes a blob.
func (l *Local) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return ErrNotFound
	}
	err := os.Remove(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Walk lists every blob (not the staging files).
func (l *Local) Walk(ctx context.Context, fn func(Info) error) error {
	return filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != l.root && d.Name() == "tmp" && filepath.Dir(p) == l.root {
				return filepath.SkipDir
			}
			return ctx.Err()
		}
		if !ValidKey(d.Name()) {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		return fn(Info{Key: d.Name(), Size: st.Size(), ModTime: st.ModTime()})
	})
}

// Close does nothing for a local store.
func (l *Local) Close() error { return nil }
