package exams

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/exams/analysis"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// benchStudents, benchSchools: the stored exam of 1,000,000
// students and nine subjects, in schools of 1,000 students.
const (
	benchStudents = 1_000_000
	benchSchools  = 1000
)

var benchSubjects = []string{"语文", "数学", "英语", "物理", "化学", "生物", "政治", "历史", "地理"}

// benchData builds the students in columns directly: building them row by
// row would measure the generator, not the store.
func benchData(n, schools int) (*analysis.Exam, *analysis.Data) {
	e := &analysis.Exam{Name: "百万人联考", Settings: analysis.DefaultSettings()}
	for i, s := range benchSubjects {
		full := 100.0
		if i < 3 {
			full = 150
		}
		e.Subjects = append(e.Subjects, analysis.Subject{Name: s, Full: full})
	}
	d := &analysis.Data{Scores: make([][]int32, len(benchSubjects))}
	per := n / schools
	for s := range schools {
		d.Schools = append(d.Schools, analysis.School{Code: fmt.Sprintf("9%09d", s), Name: fmt.Sprintf("测试学校%04d", s), Group: -1})
		for c := range per / 50 {
			d.Classes = append(d.Classes, analysis.Class{School: int32(s), Name: fmt.Sprintf("%d班", c+1)})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		s := i / per
		d.ID = append(d.ID, fmt.Sprintf("%07d", i))
		d.Name = append(d.Name, "学生")
		d.Class = append(d.Class, int32(s*(per/50)+(i%per)/50))
		for j, sub := range e.Subjects {
			v := sub.Full*0.65 + r.NormFloat64()*sub.Full*0.15
			v = max(0, min(sub.Full, v))
			d.Scores[j] = append(d.Scores[j], int32(v)*2)
		}
	}
	return e, d
}

// BenchmarkStoreMillionExam stores a 1,000,000-student × 9-subject exam
// and reads a report page of it: cold (parts loaded and analysed) and warm
// (from the cache). Targets: storing ≤ 60 s, the report page ≤ 2 s.
//
//	go test ./internal/exams -run '^$' -bench StoreMillion -benchtime 1x
func BenchmarkStoreMillionExam(b *testing.B) {
	spec, data := benchData(benchStudents, benchSchools)
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var st *store.Store
			if engine == "sqlite" {
				st = storetest.SQLite(b)
			} else {
				st = storetest.Postgres(b)
			}
			ctx := context.Background()
			now := store.Now()
			if _, err := st.W.ExecContext(ctx, `INSERT INTO townships (code, name) VALUES ('999999001', '测试镇')`); err != nil {
				b.Fatal(err)
			}
			for _, sc := range data.Schools {
				if _, err := st.W.ExecContext(ctx, `INSERT INTO schools (code, name, township_id, urban_rural, stage, type_code, tier, created_at, updated_at)
					VALUES ($1, $2, (SELECT id FROM townships WHERE code = '999999001'), '121', 'junior', '311', 'ordinary', $3, $3)`, sc.Code, sc.Name, now); err != nil {
					b.Fatal(err)
				}
			}
			s := NewService(st, audit.New(st))
			sys := auth.SystemActor("bench")
			d, err := s.Create(ctx, sys, Input{Name: spec.Name, Term: "2026", HeldOn: store.MustDate("2026-06-20"), Stage: "初中", Spec: *spec})
			if err != nil {
				b.Fatal(err)
			}
			page := func(s *Service) time.Duration {
				t0 := time.Now()
				v, err := s.Report(ctx, sys, d.ID, ReportQuery{Level: "school", Subject: analysis.TotalName})
				if err != nil || len(v.Stats) != benchSchools {
					b.Fatalf("report: %d rows, %v", len(v.Stats), err)
				}
				return time.Since(t0)
			}
			var storeT, firstT, restartT, warmT time.Duration
			for range b.N {
				t0 := time.Now()
				if _, err := s.ImportData(ctx, sys, d.ID, data, "million.csv", 0); err != nil {
					b.Fatal(err)
				}
				storeT += time.Since(t0)
				// The first page after the import waits for the analysis the
				// import started; a restarted server (an empty cache) loads
				// and analyses the parts; then pages come from the cache.
				firstT += page(s)
				restartT += page(NewService(st, audit.New(st)))
				warmT += page(s)
			}
			n := float64(b.N)
			b.ReportMetric(storeT.Seconds()/n, "store-s")
			b.ReportMetric(firstT.Seconds()/n, "first-page-s")
			b.ReportMetric(restartT.Seconds()/n, "cold-page-s")
			b.ReportMetric(float64(warmT.Milliseconds())/n, "warm-page-ms")
		})
	}
}
