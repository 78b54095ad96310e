// Package blob keeps the files EduGroup stores: a local directory under the
// data directory (one instance) or an S3-compatible object store (several
// instances). Blobs are content-addressed: the key is the SHA-256 of the
// bytes, so two uploads of one file share one blob and a key names exactly
// one content. An upload is streamed to a staging file first (hashed and
// size-limited as it arrives, never held whole in memory), inspected by the
// caller, and only then committed to the store, so a file that fails its
// checks is never stored.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrTooLarge is returned by Stage when the stream exceeds its limit.
var ErrTooLarge = errors.New("blob: over the size limit")

// ErrNotFound is returned for a key the store does not hold.
var ErrNotFound = errors.New("blob: not found")

// Info describes one stored blob.
type Info struct {
	Key     string    // hex SHA-256 of the content
	Size    int64     // bytes
	ModTime time.Time // when it was stored
}

// Reader is an open blob: it seeks (so HTTP Range requests and video seeking
// are served from it) and knows its size.
type Reader interface {
	io.ReadSeekCloser
	Size() int64
}

// Store is where blobs live.
type Store interface {
	// Kind is "local" or "s3".
	Kind() string
	// Stage streams r to a staging file, at most limit bytes.
	Stage(ctx context.Context, r io.Reader, limit int64) (*Staged, error)
	// Commit stores a staged file under its key (a no-op when the content is
	// already stored) and removes the staging file.
	Commit(ctx context.Context, s *Staged) (Info, error)
	// Open reads a blob.
	Open(ctx context.Context, key string) (Reader, error)
	// Stat describes a blob.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes a blob; deleting a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// Walk calls fn for every blob stored.
	Walk(ctx context.Context, fn func(Info) error) error
	// Close releases what the store holds open.
	Close() error
}

// Staged is an uploaded stream on disk, hashed, not yet stored. The caller
// reads it (ReadAt, for content checks that need random access such as the
// directory of a zip) and then commits or discards it.
type Staged struct {
	f    *os.File
	Key  string
	Size int64
}

// ReadAt reads the staged bytes.
func (s *Staged) ReadAt(p []byte, off int64) (int, error) { return s.f.ReadAt(p, off) }

// Reader reads the staged bytes from the start.
func (s *Staged) Reader() io.Reader { return io.NewSectionReader(s.f, 0, s.Size) }

// Path is the staging file's path (for tools that read files: ffprobe,
// pdftotext).
func (s *Staged) Path() string { return s.f.Name() }

// Discard removes the staging file. It is safe to call after Commit.
func (s *Staged) Discard() {
	if s == nil || s.f == nil {
		return
	}
	name := s.f.Name()
	s.f.Close()
	os.Remove(name)
	s.f = nil
}

// stage copies r into a new file in dir, hashing it and stopping past limit.
func stage(ctx context.Context, dir string, r io.Reader, limit int64) (*Staged, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, err
	}
	s := &Staged{f: f}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), &ctxReader{ctx: ctx, r: io.LimitReader(r, limit+1)})
	if err == nil && n > limit {
		err = ErrTooLarge
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		s.Discard()
		return nil, err
	}
	s.Key, s.Size = hexSum(h), n
	return s, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// ctxReader stops a long copy when the request is gone.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

var keyRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidKey reports whether key is a hex SHA-256, the only form a key takes
// (so no key can name a path outside the store).
func ValidKey(key string) bool { return keyRE.MatchString(key) }

// Open opens the store a --files value names: "" or "local" is the
// directory files/ under dataDir; "s3://bucket?endpoint=host:port" an
// S3-compatible store (secure=false for plain HTTP, region=…, prefix=…),
// with credentials from the environment (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, or MINIO_ACCESS_KEY and MINIO_SECRET_KEY).
// Staging files go under dataDir/tmp in both cases.
func Open(ctx context.Context, spec, dataDir string, getenv func(string) string) (Store, error) {
	tmp := filepath.Join(dataDir, "tmp")
	switch {
	case spec == "" || spec == "local":
		return NewLocal(filepath.Join(dataDir, "files"))
	case strings.HasPrefix(spec, "s3://"):
		u, err := url.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("--files: %w", err)
		}
		q := u.Query()
		cfg := S3Config{Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"), Prefix: q.Get("prefix"),
			Secure: q.Get("secure") != "false", TempDir: tmp,
			AccessKey: first(getenv("AWS_ACCESS_KEY_ID"), getenv("MINIO_ACCESS_KEY")),
			SecretKey: first(getenv("AWS_SECRET_ACCESS_KEY"), getenv("MINIO_SECRET_KEY"))}
		if cfg.Bucket == "" || cfg.Endpoint == "" {
			return nil, errors.New("--files: s3://BUCKET?endpoint=HOST:PORT")
		}
		return NewS3(ctx, cfg)
	}
	return nil, fmt.Errorf("--files: %q is neither local nor s3://…", spec)
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Sweep removes the blobs that referenced says nothing points at and that
// were stored before cutoff (a blob committed just now may belong to an
// upload whose row is not yet committed). It answers how many it removed.
func Sweep(ctx context.Context, s Store, referenced func(key string) (bool, error), cutoff time.Time) (int, error) {
	var orphans []string
	err := s.Walk(ctx, func(in Info) error {
		if !in.ModTime.Before(cutoff) {
			return nil
		}
		ok, err := referenced(in.Key)
		if err != nil {
			return err
		}
		if !ok {
			orphans = append(orphans, in.Key)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range orphans {
		if err := s.Delete(ctx, k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
