package web

import (
	stdgzip "compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"testing"
)

// page is a 20-row list answer shaped like a staff page.
func page() []byte {
	type row struct {
		ID         int64  `json:"id"`
		StaffNo    string `json:"staff_no"`
		Name       string `json:"name"`
		SchoolID   int64  `json:"school_id"`
		SchoolName string `json:"school_name"`
		Post       string `json:"post"`
		Subject    string `json:"subject"`
		Title      string `json:"title"`
		Phone      string `json:"phone"`
		IDCard     string `json:"id_card"`
		Status     string `json:"status"`
	}
	var rows []row
	for i := range 20 {
		rows = append(rows, row{ID: int64(1000 + i), StaffNo: fmt.Sprintf("T%06d", 1000+i), Name: "教师" + fmt.Sprint(i),
			SchoolID: int64(i % 5), SchoolName: fmt.Sprintf("城关第%d小学", i%5), Post: "teacher", Subject: []string{"语文", "数学", "英语"}[i%3],
			Title: "一级教师", Phone: fmt.Sprintf("139****%04d", i), IDCard: fmt.Sprintf("3403**********%04d", i), Status: "active"})
	}
	b, _ := json.Marshal(map[string]any{"items": rows, "total": 3035, "page": 1, "page_size": 20})
	return b
}

// BenchmarkGzipPage compresses one list page with the writers the server
// pools and, as the baseline, the standard library at its default level.
func BenchmarkGzipPage(b *testing.B) {
	body := page()
	run := func(b *testing.B, w interface {
		io.WriteCloser
		Reset(io.Writer)
	}) {
		var out countWriter
		for b.Loop() {
			out = 0
			w.Reset(&out)
			_, _ = w.Write(body)
			_ = w.Close()
		}
		b.ReportMetric(float64(out), "bytes/page")
		b.ReportMetric(float64(len(body)), "json-bytes")
	}
	b.Run("pooled", func(b *testing.B) {
		w := gzipPool.Get().(interface {
			io.WriteCloser
			Reset(io.Writer)
		})
		run(b, w)
	})
	b.Run("stdlib-default", func(b *testing.B) {
		w, _ := stdgzip.NewWriterLevel(io.Discard, stdgzip.DefaultCompression)
		run(b, w)
	})
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
