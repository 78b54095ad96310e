package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"edugroup/internal/blob"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopS3()
	os.Exit(code)
}

// each runs the suite on a local store and on a bucket of the S3 server.
func each(t *testing.T, fn func(t *testing.T, newStore func() blob.Store)) {
	t.Run("local", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, func() blob.Store {
			s, err := blob.NewLocal(filepath.Join(dir, "files"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("s3", func(t *testing.T) {
		cfg := s3Server(t)
		// One bucket, a prefix per test: each bucket is a collection of
		// its own volumes on the server.
		cfg.Bucket, cfg.Prefix = "edugroup-test", prefixName(t)
		fn(t, func() blob.Store {
			c := cfg
			c.TempDir = t.TempDir()
			s, err := blob.NewS3(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

func prefixName(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strings.ReplaceAll(t.Name(), "/", "-") + "-" + hex.EncodeToString(b[:]) + "/"
}

func put(t *testing.T, s blob.Store, data []byte, limit int64) (blob.Info, error) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Stage(ctx, bytes.NewReader(data), limit)
	if err != nil {
		return blob.Info{}, err
	}
	defer st.Discard()
	return s.Commit(ctx, st)
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestPutOpenRange(t *testing.T) {
	each(t, func(t *testing.T, newStore func() blob.Store) {
		s := newStore()
		ctx := context.Background()
		data := make([]byte, 3<<20+17) // more than one read buffer, not a round size
		_, _ = rand.Read(data)
		info, err := put(t, s, data, 8<<20)
		if err != nil {
			t.Fatal(err)
		}
		if info.Key != sum(data) || info.Size != int64(len(data)) {
			t.Fatalf("info %+v, want key %s size %d", info, sum(data), len(data))
		}
		again, err := put(t, s, data, 8<<20)
		if err != nil || again.Key != info.Key {
			t.Fatalf("second put of the same content: %+v %v", again, err)
		}
		r, err := s.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if r.Size() != int64(len(data)) {
			t.Fatalf("size %d", r.Size())
		}
		// A range read in the middle, as a video player seeking asks for.
		if _, err := r.Seek(2<<20, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 1000)
		if _, err := io.ReadFull(r, part); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(part, data[2<<20:2<<20+1000]) {
			t.Fatal("range read differs")
		}
		// And through HTTP Range, as the download route serves it.
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/f", nil)
		req.Header.Set("Range", "bytes=100-199")
		http.ServeContent(rec, req, "f.bin", time.Time{}, r)
		if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[100:200]) {
			t.Fatalf("Range: %d, %d bytes", rec.Code, rec.Body.Len())
		}
		if _, err := s.Open(ctx, sum([]byte("never stored"))); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("missing key: %v", err)
		}
		if _, err := s.Open(ctx, "../../etc/passwd"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("a path as key: %v", err)
		}
	})
}

func TestLimit(t *testing.T) {
	each(t, func(t *testing.T, newStore func() blob.Store) {
		s := newStore()
		data := bytes.Repeat([]byte("x"), 1001)
		if _, err := put(t, s, data, 1000); !errors.Is(err, blob.ErrTooLarge) {
			t.Fatalf("over the limit: %v", err)
		}
		if _, err := s.Stat(context.Background(), sum(data)); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("an upload over the limit was stored: %v", err)
		}
		if _, err := put(t, s, data[:1000], 1000); err != nil {
			t.Fatalf("at the limit: %v", err)
		}
		n := 0
		if err := s.Walk(context.Background(), func(blob.Info) error { n++; return nil }); err != nil || n != 1 {
			t.Fatalf("walk: %d blobs, %v", n, err)
		}
	})
}

// TestStreaming puts a stream that is never whole in memory: a reader
// generating 64 MiB, while the heap stays far below that.
func TestStreaming(t *testing.T) {
	each(t, func(t *testing.T, newStore func() blob.Store) {
		s := newStore()
		const size = 64 << 20
		h := sha256.New()
		src := io.TeeReader(io.LimitReader(zeroReader{}, size), h)
		ctx := context.Background()
		st, err := s.Stage(ctx, src, size)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Commit(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if info.Key != hex.EncodeToString(h.Sum(nil)) || info.Size != size {
			t.Fatalf("%+v", info)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDiscardStoresNothing(t *testing.T) {
	each(t, func(t *testing.T, newStore func() blob.Store) {
		s := newStore()
		ctx := context.Background()
		st, err := s.Stage(ctx, strings.NewReader("<svg onload=alert(1)>"), 1000)
		if err != nil {
			t.Fatal(err)
		}
		path := st.Path()
		st.Discard()
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("staging file left: %v", err)
		}
		if _, err := s.Stat(ctx, st.Key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("discarded upload stored: %v", err)
		}
	})
}

func TestSweep(t *testing.T) {
	each(t, func(t *testing.T, newStore func() blob.Store) {
		s := newStore()
		ctx := context.Background()
		kept, _ := put(t, s, []byte("referenced"), 100)
		orphan, _ := put(t, s, []byte("orphan"), 100)
		refs := map[string]bool{kept.Key: true}
		referenced := func(k string) (bool, error) { return refs[k], nil }
		// A cutoff before both: nothing is old enough to go.
		if n, err := blob.Sweep(ctx, s, referenced, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("young blobs swept: %d %v", n, err)
		}
		if n, err := blob.Sweep(ctx, s, referenced, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if _, err := s.Stat(ctx, orphan.Key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("orphan kept: %v", err)
		}
		if _, err := s.Stat(ctx, kept.Key); err != nil {
			t.Fatalf("referenced blob removed: %v", err)
		}
	})
}

// TestTwoInstances: two stores on one bucket (or directory), as two
// instances of the server are, see each other's blobs.
func TestTwoInstances(t *testing.T) {
	each(t, func(t *testing.T, newStore func() blob.Store) {
		a, b := newStore(), newStore()
		ctx := context.Background()
		info, err := put(t, a, []byte("written by instance A"), 100)
		if err != nil {
			t.Fatal(err)
		}
		r, err := b.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if string(got) != "written by instance A" {
			t.Fatalf("B read %q", got)
		}
		if err := b.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Stat(ctx, info.Key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("A still sees a blob B deleted: %v", err)
		}
	})
}

func TestLocalFileMode(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := put(t, s, []byte("private"), 100)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, info.Key[:2], info.Key[2:4], info.Key))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
}

func TestOpenSpec(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.Open(context.Background(), "", dir, func(string) string { return "" })
	if err != nil || s.Kind() != "local" {
		t.Fatalf("default: %v %v", s, err)
	}
	for _, bad := range []string{"ftp://x", "s3://", "s3://bucket"} {
		if _, err := blob.Open(context.Background(), bad, dir, func(string) string { return "" }); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
