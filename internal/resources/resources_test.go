package resources_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/blob"
	"edugroup/internal/policy"
	"edugroup/internal/resources"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type detail struct {
	ID          int64    `json:"id"`
	Status      string   `json:"status"`
	ReviewLevel string   `json:"review_level"`
	Label       string   `json:"label"`
	Version     int      `json:"version"`
	Actions     []string `json:"actions"`
	FileID      int64    `json:"file_id"`
	MediaType   string   `json:"media_type"`
	SchoolID    int64    `json:"school_id"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// mp4 is the head of an MP4 file: the type check reads the ftyp box.
var mp4 = append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), bytes.Repeat([]byte{0x42}, 4000)...)

// docx builds a Word file whose document holds text.
func docx(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	fmt.Fprint(w, `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	w, _ = zw.Create("word/document.xml")
	fmt.Fprintf(w, `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>`, text)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func create(t *testing.T, c *apptest.Client, body map[string]any) detail {
	t.Helper()
	s, b := c.Do("POST", "/api/v1/resources", body)
	if s != 201 {
		t.Fatalf("create: %d %s", s, b)
	}
	return decode[detail](t, b)
}

func step(t *testing.T, c *apptest.Client, d detail, action, comment string, want int) detail {
	t.Helper()
	s, b := c.Do("POST", fmt.Sprintf("/api/v1/resources/%d/%s", d.ID, action), map[string]any{"version": d.Version, "comment": comment})
	if s != want {
		t.Fatalf("%s: %d %s", action, s, b)
	}
	if s != 200 {
		return d
	}
	return decode[detail](t, b)
}

func blobCount(t *testing.T, e *apptest.Env) int {
	t.Helper()
	n := 0
	if err := e.App.Resources.Blobs.Walk(context.Background(), func(blob.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMicroLessonWalk is the library's path: a member school's teacher
// uploads a 微课, the school and the group accept it, a teacher of another
// member school finds it by a word of its title (three characters through
// the full-text index, two through LIKE), plays it with a range request,
// and the use shows by school and on the group's reach.
func TestMicroLessonWalk(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		teacher, principal, ga, other := e.Login("teacher"), e.Login("principal"), e.Login("groupadmin"), e.Login("teacher2")
		d := create(t, teacher, map[string]any{"kind": "micro", "title": "孔乙己人物形象分析", "tags": "鲁迅 小说", "share_scope": "group",
			"stage": "初中", "subject": "语文"})
		if d.Status != "draft" {
			t.Fatalf("new: %+v", d)
		}
		// Submitting without the file is refused by rule.
		step(t, teacher, d, "submit", "", 422)
		s, b := teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", d.ID), "kong.mp4", mp4, nil)
		if s != 200 {
			t.Fatalf("upload: %d %s", s, b)
		}
		d = decode[detail](t, b)
		if d.MediaType != "video/mp4" || d.FileID == 0 {
			t.Fatalf("after upload: %+v", d)
		}
		path := fmt.Sprintf("/api/v1/resources/%d", d.ID)
		if s, _ := other.Do("GET", path, nil); s != 404 {
			t.Fatalf("another school sees a draft: %d", s)
		}
		d = step(t, teacher, d, "submit", "", 200)
		if d.Status != "pending" || d.ReviewLevel != "school" {
			t.Fatalf("submitted: %+v", d)
		}
		// The group does not review before the school has.
		step(t, ga, d, "accept", "", 404)
		if s, _ := other.Do("GET", path, nil); s != 404 {
			t.Fatalf("another school sees a resource its school has not accepted: %d", s)
		}
		d = step(t, principal, d, "accept", "", 200)
		if d.Status != "pending" || d.ReviewLevel != "group" || d.Label != "school" {
			t.Fatalf("school accepted: %+v", d)
		}
		step(t, principal, d, "accept", "", 403) // not the group's reviewer
		d = step(t, ga, d, "accept", "好", 200)
		if d.Status != "accepted" || d.Label != "group" {
			t.Fatalf("group accepted: %+v", d)
		}
		for _, q := range []string{"人物形象", "孔乙", "鲁迅"} {
			s, b := other.Do("GET", "/api/v1/resources?kind=micro&q="+q, nil)
			if s != 200 || !strings.Contains(string(b), "孔乙己人物形象分析") {
				t.Fatalf("search %q: %d %s", q, s, b)
			}
		}
		if s, b := other.Do("GET", "/api/v1/resources?q=不存在的词语", nil); s != 200 || strings.Contains(string(b), "孔乙己") {
			t.Fatalf("search for a missing word: %d %s", s, b)
		}
		// Seeking: the player asks for a range.
		s, body, h := other.DoH("GET", path+"/file?play=true", nil, map[string]string{"Range": "bytes=8-15"})
		if s != 206 || string(body) != "isom\x00\x00\x02\x00" || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("range: %d %q %v", s, body, h)
		}
		if s, body, _ := other.DoH("GET", path+"/file", nil, nil); s != 200 || !bytes.Equal(body, mp4) {
			t.Fatalf("download: %d, %d bytes", s, len(body))
		}
		if s, b := other.Do("POST", path+"/view", nil); s != 200 {
			t.Fatalf("view: %d %s", s, b)
		}
		s, b = other.Do("GET", path+"/usage", nil)
		u := decode[struct {
			Views, Downloads int
			Schools          []struct {
				SchoolID         int64 `json:"school_id"`
				Views, Downloads int
			}
		}](t, b)
		school2 := e.One(`SELECT s.school_id FROM staff s JOIN users u ON u.staff_id = s.id WHERE u.username = 'teacher2'`)
		if s != 200 || u.Views != 1 || u.Downloads != 1 || len(u.Schools) != 1 || u.Schools[0].SchoolID != school2 {
			t.Fatalf("usage: %d %s", s, b)
		}
		s, b = ga.Do("GET", "/api/v1/resource-reach", nil)
		reach := decode[struct {
			Rows []struct {
				SchoolID int64 `json:"school_id"`
				Total    int   `json:"total"`
			}
		}](t, b)
		found := false
		for _, r := range reach.Rows {
			found = found || (r.SchoolID == school2 && r.Total == 2)
		}
		if s != 200 || !found {
			t.Fatalf("reach: %d %s", s, b)
		}
		if n := e.AuditCount("resources.accept", ""); n != 2 {
			t.Fatalf("accept audited %d times", n)
		}
		if n := e.AuditCount("resources.upload", ""); n != 1 {
			t.Fatalf("upload audited %d times", n)
		}
		// A group-shared resource is restricted: its download is audited.
		if n := e.AuditCount("resources.download", ""); n != 1 {
			t.Fatalf("download audited %d times", n)
		}
		// The author heard of both acceptances.
		if n := e.One(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'teacher' AND n.kind = 'resources.accepted'`); n != 2 {
			t.Fatalf("author notified %d times", n)
		}
	})
}

// TestBadFiles: files that are not what the library keeps get a clear error
// naming the file and are never stored.
func TestBadFiles(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	teacher := e.Login("teacher")
	d := create(t, teacher, map[string]any{"kind": "courseware", "title": "勾股定理", "share_scope": "school"})
	v := create(t, teacher, map[string]any{"kind": "micro", "title": "视频", "share_scope": "school"})
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte("<Types/>"))
	w, _ = zw.Create("word/document.xml")
	w.Write(bytes.Repeat([]byte("a"), 50<<20))
	zw.Close()
	var plainZip bytes.Buffer
	zw = zip.NewWriter(&plainZip)
	w, _ = zw.Create("a.txt")
	w.Write([]byte("hello"))
	zw.Close()
	truncated := docx(t, "勾股定理")
	truncated = truncated[:len(truncated)-30]
	cases := []struct {
		name string
		id   int64
		file []byte
		key  string
	}{
		{"svg with a script", d.ID, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "resources.file.script"},
		{"svg with an event", d.ID, []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect onload="x()"/></svg>`), "resources.file.script"},
		{"html with a script", d.ID, []byte(`<!DOCTYPE html><html><body><a href="javascript:alert(1)">x</a></body></html>`), "resources.file.script"},
		{"zip bomb", d.ID, bomb.Bytes(), "resources.file.bomb"},
		{"truncated docx", d.ID, truncated, "resources.file.malformed"},
		{"plain zip", d.ID, plainZip.Bytes(), "resources.file.type"},
		{"executable", d.ID, append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 100)...), "resources.file.type"},
		{"empty", d.ID, nil, "resources.file.empty"},
		{"document as a 微课", v.ID, docx(t, "不是视频"), "resources.file.need_video"},
		{"video as courseware", d.ID, mp4, "resources.file.need_document"},
	}
	for _, c := range cases {
		s, b := teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", c.id), "lesson.docx", c.file, nil)
		if s != 422 || !strings.Contains(string(b), `"file"`) {
			t.Errorf("%s: %d %s", c.name, s, b)
		}
		if want := e.App.Catalog.T("zh-CN", c.key, nil); !strings.Contains(string(b), want) {
			t.Errorf("%s: not the message of %s: %s", c.name, c.key, b)
		}
	}
	if n := blobCount(t, e); n != 0 {
		t.Fatalf("%d bad files stored", n)
	}
	// A clean SVG and a Word file pass; the Word file's text is searchable.
	if s, b := teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", d.ID), "a.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>`), nil); s != 200 {
		t.Fatalf("clean svg: %d %s", s, b)
	}
	if s, b := teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", d.ID), "a.docx", docx(t, "直角三角形两直角边的平方和等于斜边的平方"), nil); s != 200 {
		t.Fatalf("docx: %d %s", s, b)
	}
	if s, b := teacher.Do("GET", "/api/v1/resources?q=斜边的平方", nil); s != 200 || !strings.Contains(string(b), "勾股定理") {
		t.Fatalf("search in the file's text: %d %s", s, b)
	}
	// Over the policy's document limit (set to 1 MB).
	pol, err := e.App.Policy.Today(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set := pol.Settings
	set.Resources.MaxDocumentMB, set.Resources.MaxImageMB = 1, 1
	if _, err := e.App.Policy.Save(context.Background(), auth.SystemActor("test"), policy.NewVersion{EffectiveFrom: store.Today(), Note: "小文件", Settings: set}); err != nil {
		t.Fatal(err)
	}
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 1<<20+10)...)
	if s, b := teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", d.ID), "big.pdf", big, nil); s != 413 {
		t.Fatalf("over the limit: %d %s", s, b)
	}
	if n := blobCount(t, e); n != 2 {
		t.Fatalf("%d blobs after two good uploads and one too large", n)
	}
}

// TestReviewRules: returns need a comment and send the resource back to
// its author; a school-scoped resource stops at its school; with two
// reviewers per level one accept is not enough and the same reviewer cannot
// count twice.
func TestReviewRules(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	teacher, principal := e.Login("teacher"), e.Login("principal")
	d := create(t, teacher, map[string]any{"kind": "item", "title": "勾股定理选择题", "share_scope": "school",
		"item": map[string]any{"stem": "直角三角形两直角边为3和4，斜边为", "options": []string{"5", "6", "7"}, "answer": "A", "difficulty": 2, "knowledge_points": []string{"勾股定理"}}})
	d = step(t, teacher, d, "submit", "", 200)
	step(t, principal, d, "return", "", 422)
	d = step(t, principal, d, "return", "请补充解析", 200)
	if d.Status != "returned" {
		t.Fatalf("returned: %+v", d)
	}
	d = step(t, teacher, d, "submit", "", 200)
	d = step(t, principal, d, "accept", "", 200)
	if d.Status != "accepted" || d.Label != "school" {
		t.Fatalf("school-scoped accepted: %+v", d)
	}
	// Stale version.
	step(t, teacher, detail{ID: d.ID, Version: d.Version - 1}, "submit", "", 409)

	pol, _ := e.App.Policy.Today(context.Background())
	set := pol.Settings
	set.Resources.ReviewersPerLevel = 2
	if _, err := e.App.Policy.Save(context.Background(), auth.SystemActor("test"), policy.NewVersion{EffectiveFrom: store.Today(), Note: "双人审核", Settings: set}); err != nil {
		t.Fatal(err)
	}
	d2 := create(t, teacher, map[string]any{"kind": "item", "title": "勾股定理填空题", "share_scope": "school",
		"item": map[string]any{"stem": "3,4,?", "answer": "5", "difficulty": 1}})
	d2 = step(t, teacher, d2, "submit", "", 200)
	d2 = step(t, principal, d2, "accept", "", 200)
	if d2.Status != "pending" {
		t.Fatalf("one of two reviewers passed it: %+v", d2)
	}
	step(t, principal, d2, "accept", "", 422)
	// A second school reviewer.
	second := e.One(`SELECT id FROM users WHERE username = 'leadadmin'`)
	if _, err := e.App.Store.W.Exec(`UPDATE role_grants SET scope_id = $1 WHERE user_id = $2`, d2.SchoolID, second); err != nil {
		t.Fatal(err)
	}
	d2 = step(t, e.Login("leadadmin"), d2, "accept", "", 200)
	if d2.Status != "accepted" {
		t.Fatalf("two reviewers: %+v", d2)
	}
}

// TestSweep: a deleted resource's blob goes with the sweep; a live one's
// stays.
func TestSweep(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	teacher := e.Login("teacher")
	keep := create(t, teacher, map[string]any{"kind": "design", "title": "保留", "share_scope": "school"})
	drop := create(t, teacher, map[string]any{"kind": "design", "title": "删除", "share_scope": "school"})
	teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", keep.ID), "a.docx", docx(t, "保留的教学设计"), nil)
	_, b := teacher.UploadAs(fmt.Sprintf("/api/v1/resources/%d/file", drop.ID), "b.docx", docx(t, "删除的教学设计"), nil)
	drop = decode[detail](t, b)
	if s, b := teacher.Do("POST", fmt.Sprintf("/api/v1/resources/%d/delete", drop.ID), map[string]any{"version": drop.Version}); s != 200 {
		t.Fatalf("delete: %d %s", s, b)
	}
	n, err := e.App.Resources.Sweep(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("young blobs swept: %d %v", n, err)
	}
	// Age the blobs past the grace period.
	old := time.Now().Add(-2 * resources.SweepGrace)
	root := e.App.Resources.Blobs.(*blob.Local).Root()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	if n, err := e.App.Resources.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if blobCount(t, e) != 1 {
		t.Fatal("the live resource's blob went")
	}
	if s, _, _ := teacher.DoH("GET", fmt.Sprintf("/api/v1/resources/%d/file", keep.ID), nil, nil); s != 200 {
		t.Fatalf("kept file: %d", s)
	}
}
