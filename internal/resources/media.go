package resources

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/blob"
)

// The probe states of a file: "" waits for the media job, "none" is not a
// video, "ok" was read, "failed" could not be, "unavailable" means ffprobe is
// not installed here.
const (
	probeOK          = "ok"
	probeFailed      = "failed"
	probeUnavailable = "unavailable"
	probeRunning     = "running"
)

// ProbeOnce reads the length, picture size and a thumbnail of the videos
// waiting for it (at most limit) with ffprobe and ffmpeg, and answers how
// many it did. Several instances may run it: each file is claimed by one.
func (s *Service) ProbeOnce(ctx context.Context, limit int) (int, error) {
	bs, err := s.blobs()
	if err != nil {
		return 0, nil
	}
	probe, perr := exec.LookPath("ffprobe")
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, blob_key FROM resource_files WHERE probe = '' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return 0, err
	}
	type job struct {
		id  int64
		key string
	}
	var jobs []job
	for rows.Next() {
		var j job
		if err := rows.Scan(&j.id, &j.key); err != nil {
			rows.Close()
			return 0, err
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	done := 0
	for _, j := range jobs {
		if perr != nil {
			if _, err := s.st.W.ExecContext(ctx, `UPDATE resource_files SET probe = $1 WHERE id = $2 AND probe = ''`, probeUnavailable, j.id); err != nil {
				return done, err
			}
			continue
		}
		res, err := s.st.W.ExecContext(ctx, `UPDATE resource_files SET probe = $1 WHERE id = $2 AND probe = ''`, probeRunning, j.id)
		if err != nil {
			return done, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another instance has it
		}
		// The same content read before (one video in several resources)
		// is not read again.
		var m media
		state := probeOK
		err = s.st.R.QueryRowContext(ctx, `SELECT duration_ms, width, height, thumb_key FROM resource_files WHERE blob_key = $1 AND probe = 'ok' LIMIT 1`, j.key).
			Scan(&m.durationMS, &m.width, &m.height, &m.thumb)
		if errors.Is(err, sql.ErrNoRows) {
			if m, err = s.probeFile(ctx, bs, probe, j.key); err != nil {
				state = probeFailed
			}
		} else if err != nil {
			return done, err
		}
		err = s.st.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE resource_files SET probe = $1, duration_ms = $2, width = $3, height = $4, thumb_key = $5 WHERE id = $6`,
				state, m.durationMS, m.width, m.height, m.thumb, j.id); err != nil {
				return err
			}
			return s.log.Append(ctx, tx, auth.SystemActor("media").Who(), audit.Entry{Action: "resources.probe", ObjectType: "resource_file", ObjectID: idStr(j.id),
				Detail: map[string]any{"probe": state, "duration_ms": m.durationMS, "width": m.width, "height": m.height}})
		})
		if err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

type media struct {
	durationMS    int64
	width, height int
	thumb         string
}

// probeFile copies the blob to a local file (the store may be S3), reads it
// with ffprobe and takes a frame with ffmpeg as the thumbnail.
func (s *Service) probeFile(ctx context.Context, bs blob.Store, ffprobe, key string) (media, error) {
	var m media
	r, err := bs.Open(ctx, key)
	if err != nil {
		return m, err
	}
	dir, err := os.MkdirTemp("", "edugroup-probe-")
	if err != nil {
		r.Close()
		return m, err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "video")
	f, err := os.OpenFile(src, os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	r.Close()
	if err != nil {
		return m, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", src)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return m, err
	}
	var pr struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecType string `json:"codec_type"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out.Bytes(), &pr); err != nil {
		return m, err
	}
	d, _ := strconv.ParseFloat(pr.Format.Duration, 64)
	m.durationMS = int64(d * 1000)
	video := false
	for _, st := range pr.Streams {
		if st.CodecType == "video" {
			m.width, m.height, video = st.Width, st.Height, true
			break
		}
	}
	if !video {
		return m, errors.New("no video stream")
	}
	if ffmpeg, err := exec.LookPath("ffmpeg"); err == nil {
		thumb := filepath.Join(dir, "thumb.jpg")
		at := "1"
		if d < 2 {
			at = "0"
		}
		if exec.CommandContext(ctx, ffmpeg, "-v", "error", "-ss", at, "-i", src, "-frames:v", "1", "-vf", "scale=320:-2", "-y", thumb).Run() == nil {
			if tf, err := os.Open(thumb); err == nil {
				st, err := bs.Stage(ctx, tf, 4<<20)
				tf.Close()
				if err == nil {
					if info, err := bs.Commit(ctx, st); err == nil {
						m.thumb = info.Key
					}
				}
			}
		}
	}
	return m, nil
}

// SweepGrace is how old an unreferenced blob must be before the sweep
// removes it: an upload commits its blob a moment before its row.
const SweepGrace = time.Hour

// Sweep removes the blobs no file version or thumbnail references (the
// files of deleted resources stay referenced by their versions until those
// go; blobs of uploads whose transaction failed are orphans).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	bs, err := s.blobs()
	if err != nil {
		return 0, nil
	}
	n, err := blob.Sweep(ctx, bs, func(key string) (bool, error) {
		var c int
		err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM resource_files f JOIN resources r ON r.id = f.resource_id
			WHERE (f.blob_key = $1 OR f.thumb_key = $1) AND r.deleted = FALSE`, key).Scan(&c)
		return c > 0, err
	}, time.Now().Add(-SweepGrace))
	if n > 0 {
		err2 := s.st.Tx(ctx, func(tx *sql.Tx) error {
			return s.log.Append(ctx, tx, auth.SystemActor("blob-sweep").Who(), audit.Entry{Action: "resources.sweep", ObjectType: "blob", ObjectID: "*",
				Detail: map[string]any{"removed": n}})
		})
		if err == nil {
			err = err2
		}
	}
	return n, err
}
