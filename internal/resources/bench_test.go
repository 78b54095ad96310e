package resources_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/resources"
	"edugroup/internal/store"
)

// The search benchmark runs over a generated library: EDUGROUP_BENCH_RESOURCES
// resources (20,000 by default) with Chinese titles, tags and body text,
// spread over the demo county's schools, as a county reader sees them (the
// widest scope, so the most rows to match). `go test -bench Search
// ./internal/resources/` runs it on SQLite and PostgreSQL.
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("EDUGROUP_BENCH_RESOURCES")); err == nil && n > 0 {
		return n
	}
	return 20000
}

var (
	benchWords  = strings.Fields("孔乙己 背影 春 济南的冬天 勾股定理 有理数 一元二次方程 分数的意义 圆的面积 长方形周长 现代诗 古诗词 文言文 议论文 说明文 记叙文 阅读理解 作文指导 单元复习 期中复习 口语交际 识字写字 拼音 时分秒 观潮 走月亮 鲁迅 朱自清 老舍 人物形象 环境描写 细节描写 情境教学 小组合作 探究学习 分层作业 思维导图 实验 函数图像 概率初步 统计图表 英语语法 Unit Section")
	benchKinds  = resources.Kinds
	benchLabels = []string{"", "school", "group", "county"}
)

func sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(benchWords[r.IntN(len(benchWords))])
	}
	return b.String()
}

func seedLibrary(b *testing.B, st *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	var schools []int64
	rows, err := st.R.QueryContext(ctx, `SELECT id FROM schools ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		schools = append(schools, id)
	}
	rows.Close()
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	const batch = 2000
	for done := 0; done < n; done += batch {
		err := st.Tx(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO resources (school_id, kind, title, tags, share_scope, status, label, search_doc, views, created_at, updated_at)
				VALUES ($1, $2, $3, $4, 'county', $5, $6, $7, $8, $9, $9)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i := done; i < min(done+batch, n); i++ {
				title := sentence(r, 3) + fmt.Sprintf("（第%d课）", i%40+1)
				tags := sentence(r, 2)
				body := sentence(r, 40)
				label := benchLabels[r.IntN(len(benchLabels))]
				status := "accepted"
				if label == "" {
					status = "pending"
				}
				doc := strings.ToLower(title + " " + tags + " " + body)
				if _, err := stmt.ExecContext(ctx, schools[r.IntN(len(schools))], benchKinds[r.IntN(len(benchKinds))], title, tags, status, label, doc,
					r.IntN(500), store.Now().Add(-time.Duration(i)*time.Minute)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if st.Dialect == store.Postgres {
		if _, err := st.W.ExecContext(ctx, `ANALYZE resources`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: %d resources seeded in %v", st.Dialect, n, time.Since(start).Round(time.Millisecond))
}

func BenchmarkSearch(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", apptest.SQLite}, {"postgres", apptest.Postgres}} {
		b.Run(eng.name, func(b *testing.B) {
			st := eng.open(b)
			e := apptest.NewEnv(b, st)
			seedLibrary(b, st, benchSize())
			svc := e.App.Resources
			a := auth.SystemActor("bench")
			ctx := context.Background()
			for _, c := range []struct {
				name string
				f    resources.Filter
			}{
				{"trigram", resources.Filter{Q: "勾股定理", Page: 1, Size: 20}},
				{"trigram_rare", resources.Filter{Q: "济南的冬天分层作业", Page: 1, Size: 20}},
				{"two_chars", resources.Filter{Q: "鲁迅", Page: 1, Size: 20}},
				{"filtered", resources.Filter{Q: "人物形象", Kind: resources.KindMicro, Label: "group", Page: 1, Size: 20}},
				{"newest", resources.Filter{Sort: resources.SortNewest, Page: 1, Size: 20}},
				{"most_used", resources.Filter{Q: "古诗词", Sort: resources.SortUsed, Page: 1, Size: 20}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						if _, _, err := svc.List(ctx, a, c.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
