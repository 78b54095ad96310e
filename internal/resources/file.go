package resources

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/blob"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// MaxUploadBytes is the most any upload route reads; the policy's limit per
// kind of file is lower and is applied while the file streams in.
const MaxUploadBytes = 8 << 30

// streamLimit is the most the upload of a resource of kind may be before
// its content is known: the video limit for a video kind, else the larger
// of the document and image limits.
func streamLimit(set policy.Resources, kind string) int64 {
	if videoKind(kind) {
		return int64(set.MaxVideoMB) << 20
	}
	return int64(max(set.MaxDocumentMB, set.MaxImageMB)) << 20
}

func classLimit(set policy.Resources, class string) int64 {
	switch class {
	case classVideo:
		return int64(set.MaxVideoMB) << 20
	case classImage:
		return int64(set.MaxImageMB) << 20
	}
	return int64(set.MaxDocumentMB) << 20
}

// Upload streams a new version of a resource's file into the blob store:
// staged and hashed as it arrives (never whole in memory), size-limited per
// kind, its type decided by its content; a file that fails a check is
// discarded, never stored. The text of documents is extracted for search;
// a video's length, size and thumbnail are read by the media job.
func (s *Service) Upload(ctx context.Context, a auth.Actor, id int64, filename string, body io.Reader) (Detail, error) {
	bs, err := s.blobs()
	if err != nil {
		return Detail{}, err
	}
	r, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	if !editable(a, r) || !fileKind(r.Kind) {
		return Detail{}, errs.ForbiddenError()
	}
	set, err := s.settings(ctx)
	if err != nil {
		return Detail{}, err
	}
	limit := streamLimit(set, r.Kind)
	st, err := bs.Stage(ctx, body, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		return Detail{}, errs.TooLargeError("file", limit)
	}
	if err != nil {
		return Detail{}, err
	}
	defer st.Discard()
	sn, err := sniff(ctx, st)
	if err != nil {
		return Detail{}, err
	}
	if (sn.class == classVideo) != videoKind(r.Kind) {
		key := "resources.file.need_document"
		if videoKind(r.Kind) {
			key = "resources.file.need_video"
		}
		return Detail{}, fileError(key, nil)
	}
	if l := classLimit(set, sn.class); st.Size > l {
		return Detail{}, errs.TooLargeError("file", l)
	}
	info, err := bs.Commit(ctx, st)
	if err != nil {
		return Detail{}, err
	}
	filename = cleanName(filename, sn.ext)
	probe := ""
	if sn.class != classVideo {
		probe = "none"
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !editable(a, cur) {
			return errs.ForbiddenError()
		}
		var no int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(no), 0) + 1 FROM resource_files WHERE resource_id = $1`, id).Scan(&no); err != nil {
			return err
		}
		var fid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO resource_files (resource_id, no, blob_key, filename, media_type, size, probe, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, id, no, info.Key, filename, sn.mediaType, info.Size, probe, nullID(a.UserID), store.Now()).Scan(&fid); err != nil {
			return err
		}
		doc, err := docFor(ctx, tx, id, sn.text)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET file_id = $1, body_text = $2, search_doc = $3, updated_at = $4, version = version + 1 WHERE id = $5`,
			fid, sn.text, doc, store.Now(), id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources.upload", ObjectType: "resource", ObjectID: idStr(id),
			Detail: map[string]any{"file_no": no, "filename": filename, "media_type": sn.mediaType, "size": info.Size, "sha256": info.Key}})
	})
	if err != nil {
		// The blob stays until the orphan sweep: another resource may share it.
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

// cleanName keeps the base of the name the browser sent, with the
// extension the content says.
func cleanName(name, ext string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, name)
	base := strings.TrimSuffix(name, filepath.Ext(name))
	if base == "" || base == "." {
		base = "file"
	}
	if len([]rune(base)) > 100 {
		base = string([]rune(base)[:100])
	}
	return base + ext
}

// docFor rebuilds a resource's search text with body as its file's text.
func docFor(ctx context.Context, q store.Reader, id int64, body string) (string, error) {
	var in Input
	var item string
	var node sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT title, tags, authors, description, subject, grade, textbook_version, node_id, item FROM resources WHERE id = $1`, id).
		Scan(&in.Title, &in.Tags, &in.Authors, &in.Description, &in.Subject, &in.Grade, &in.TextbookVersion, &node, &item)
	if err != nil {
		return "", err
	}
	if item != "" {
		in.Item = &Item{}
		_ = json.Unmarshal([]byte(item), in.Item)
	}
	return searchDoc(in, nodePath(ctx, q, node.Int64), body), nil
}

// Download is an open file of a resource, for the route to serve with
// Range support.
type Download struct {
	Filename  string
	MediaType string
	ModTime   time.Time
	Body      blob.Reader
}

// restricted: a resource not shared county-wide as accepted; its downloads
// are audited.
func restricted(r Resource) bool { return !(r.ShareScope == ScopeCounty && r.Label != "") }

// Open opens a resource's current file (or version no) for the actor. A
// download (count) is recorded as usage by the actor's school, and audited
// for a restricted resource; the player's range requests pass count false.
func (s *Service) Open(ctx context.Context, a auth.Actor, id int64, no int, count bool) (Download, error) {
	if !a.Has(auth.PermResourcesRead) {
		return Download{}, errs.ForbiddenError()
	}
	bs, err := s.blobs()
	if err != nil {
		return Download{}, err
	}
	r, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Download{}, err
	}
	var key, name, media string
	var at time.Time
	q := `SELECT blob_key, filename, media_type, created_at FROM resource_files WHERE resource_id = $1 AND id = $2`
	arg := any(r.FileID)
	if no > 0 {
		q, arg = `SELECT blob_key, filename, media_type, created_at FROM resource_files WHERE resource_id = $1 AND no = $2`, no
	}
	if err := s.st.R.QueryRowContext(ctx, q, id, arg).Scan(&key, &name, &media, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Download{}, errs.NotFoundError("file")
		}
		return Download{}, err
	}
	if count {
		if err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			if err := s.record(ctx, tx, a, r, "download"); err != nil {
				return err
			}
			if !restricted(r) {
				return nil
			}
			return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources.download", ObjectType: "resource", ObjectID: idStr(id),
				Detail: map[string]any{"filename": name, "sha256": key, "share_scope": r.ShareScope, "label": r.Label}})
		}); err != nil {
			return Download{}, err
		}
	}
	body, err := bs.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return Download{}, errs.NotFoundError("file")
	}
	if err != nil {
		return Download{}, err
	}
	return Download{Filename: name, MediaType: media, ModTime: at.UTC(), Body: body}, nil
}

// Thumbnail opens a video's thumbnail (JPEG).
func (s *Service) Thumbnail(ctx context.Context, a auth.Actor, id int64) (Download, error) {
	if !a.Has(auth.PermResourcesRead) {
		return Download{}, errs.ForbiddenError()
	}
	bs, err := s.blobs()
	if err != nil {
		return Download{}, err
	}
	r, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Download{}, err
	}
	var key string
	var at time.Time
	if err := s.st.R.QueryRowContext(ctx, `SELECT thumb_key, created_at FROM resource_files WHERE id = $1`, r.FileID).Scan(&key, &at); err != nil || key == "" {
		return Download{}, errs.NotFoundError("thumbnail")
	}
	body, err := bs.Open(ctx, key)
	if err != nil {
		return Download{}, errs.NotFoundError("thumbnail")
	}
	return Download{Filename: "thumb.jpg", MediaType: "image/jpeg", ModTime: at.UTC(), Body: body}, nil
}
