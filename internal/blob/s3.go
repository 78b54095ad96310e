package blob

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host:port
	Bucket    string
	Region    string
	Prefix    string // key prefix inside the bucket, e.g. "edugroup/"
	Secure    bool   // HTTPS
	AccessKey string
	SecretKey string
	TempDir   string // where uploads are staged before they are sent
}

// S3 keeps blobs as objects of one bucket. Several instances on one bucket
// see each other's blobs: the key is the content's hash, so there is nothing
// else to share.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
	tmp    string
}

// NewS3 connects to the bucket, creating it when it is missing.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.Secure, Region: cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, err
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			// Another instance may have made it meanwhile.
			if ok2, err2 := c.BucketExists(ctx, cfg.Bucket); err2 != nil || !ok2 {
				return nil, err
			}
		}
	}
	tmp := cfg.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, tmp: tmp}, nil
}

// Kind is "s3".
func (s *S3) Kind() string { return "s3" }

func (s *S3) object(key string) string { return s.prefix + key[:2] + "/" + key }

// Stage streams r to a local staging file (the hash must be known before
// the object is named).
func (s *S3) Stage(ctx context.Context, r io.Reader, limit int64) (*Staged, error) {
	return stage(ctx, s.tmp, r, limit)
}

// Commit uploads the staged file (multipart for big files, streamed from
// disk) unless an object of that key and size is already there.
func (s *S3) Commit(ctx context.Context, st *Staged) (Info, error) {
	defer st.Discard()
	if info, err := s.Stat(ctx, st.Key); err == nil && info.Size == st.Size {
		return info, nil
	}
	_, err := s.c.PutObject(ctx, s.bucket, s.object(st.Key), io.NewSectionReader(st.f, 0, st.Size), st.Size,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return Info{}, err
	}
	return s.Stat(ctx, st.Key)
}

type s3Reader struct {
	*minio.Object
	size int64
}

func (r s3Reader) Size() int64 { return r.size }

// Open reads an object; seeking makes the next read a ranged GET.
func (s *S3) Open(ctx context.Context, key string) (Reader, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	return s3Reader{Object: o, size: info.Size}, nil
}

// Stat describes an object.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if !ValidKey(key) {
		return Info{}, ErrNotFound
	}
	oi, err := s.c.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		if notFound(err) {
			return Info{}, ErrNotFound
		}
		return Info{}, err
	}
	return Info{Key: key, Size: oi.Size, ModTime: oi.LastModified}, nil
}

func notFound(err error) bool {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode == 404 || er.Code == "NoSuchKey"
	}
	return false
}

// Delete removes an object.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return ErrNotFound
	}
	err := s.c.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{})
	if err != nil && notFound(err) {
		return nil
	}
	return err
}

// Walk lists the objects under the prefix.
func (s *S3) Walk(ctx context.Context, fn func(Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for oi := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if oi.Err != nil {
			return oi.Err
		}
		name := oi.Key[strings.LastIndexByte(oi.Key, '/')+1:]
		if !ValidKey(name) {
			continue
		}
		if err := fn(Info{Key: name, Size: oi.Size, ModTime: oi.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

// Close does nothing; the client holds only idle connections.
func (s *S3) Close() error { return nil }
