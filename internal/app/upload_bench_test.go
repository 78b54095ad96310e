package app_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/exams"
	"edugroup/internal/exams/examgen"
	"edugroup/internal/store"
)

// BenchmarkUploadMillionFile uploads the 1,000,000 × 9 CSV of `edugroup
// demo exam --students 1000000` as one file to POST /api/v1/exams/{id}/import
// and stores it, on each engine: the whole request, from the first byte sent
// to the stored answer. The file is streamed from disk by the client; the
// server spills the form to a temporary file. Peak RSS is this test
// process's (client and server together), read from /proc.
//
//	go test ./internal/app -run '^$' -bench UploadMillionFile -benchtime 1x
func BenchmarkUploadMillionFile(b *testing.B) {
	plan := examgen.NewPlan(examgen.Config{Students: 1_000_000, Schools: 1000, Seed: 1, Stage: "初中"})
	path := filepath.Join(b.TempDir(), "million.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := examgen.WriteCSV(w, plan); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var st *store.Store
			if engine == "sqlite" {
				st = apptest.SQLite(b)
			} else {
				st = apptest.Postgres(b)
			}
			e := apptest.NewEnv(b, st)
			now := store.Now()
			town := e.One(`SELECT id FROM townships ORDER BY id LIMIT 1`)
			for _, sc := range plan.Schools {
				if _, err := st.W.Exec(`INSERT INTO schools (code, name, township_id, urban_rural, stage, type_code, tier, created_at, updated_at)
					VALUES ($1, $2, $3, '121', 'junior', '311', 'ordinary', $4, $4) ON CONFLICT DO NOTHING`, sc.Code, sc.Name, town, now); err != nil {
					b.Fatal(err)
				}
			}
			jj := e.Login("jijiao")
			var subjects []map[string]any
			for _, s := range plan.Subjects {
				subjects = append(subjects, map[string]any{"name": s.Name, "full": s.Full})
			}
			s, body := jj.Do("POST", "/api/v1/exams", map[string]any{"name": "百万人联考", "term": "2026-2027学年第一学期", "held_on": "2026-12-20", "stage": "初中",
				"spec": map[string]any{"subjects": subjects}})
			if s != 201 {
				b.Fatalf("create: %d %s", s, body)
			}
			var d exams.Detail
			if err := json.Unmarshal(body, &d); err != nil {
				b.Fatal(err)
			}
			id := d.ID
			var total time.Duration
			for range b.N {
				t0 := time.Now()
				status, answer := uploadPath(b, jj, fmt.Sprintf("/api/v1/exams/%d/import", id), path)
				total += time.Since(t0)
				if status != 200 || !strings.Contains(answer, `"students":1000000`) {
					b.Fatalf("import: %d %.400s", status, answer)
				}
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "upload+store-s")
			b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
			b.ReportMetric(peakRSSMB(), "peak-rss-MB")
		})
	}
}

// uploadPath posts the file at path as the multipart field file, streamed.
func uploadPath(b *testing.B, c *apptest.Client, url, path string) (int, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			var f *os.File
			if f, err = os.Open(path); err == nil {
				_, err = io.Copy(fw, f)
				f.Close()
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", c.E.Srv.URL+url, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF)
	resp, err := c.HC.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// peakRSSMB is this process's peak resident memory (VmHWM), 0 where /proc
// does not say.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}
