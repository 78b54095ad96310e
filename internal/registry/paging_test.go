package registry

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// pagingFixture is a small registry built for paging: every sortable column
// has many ties (so only the tie-break orders them), some schools are in no
// group (a NULL group name), one left its group, and staff are spread over
// schools, titles, subjects, posts and statuses.
type pagingFixture struct {
	groups  []int64
	schools []int64
	staff   []int64
	// ungrouped is a school in no group today; grouped a non-lead member.
	ungrouped, grouped int64
}

func buildPagingFixture(t *testing.T, st *store.Store) pagingFixture {
	t.Helper()
	ctx := context.Background()
	now := store.Now()
	var fx pagingFixture
	insert := func(tx *sql.Tx, q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := tx.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		var towns []int64
		for i, name := range []string{"城关镇", "双桥镇", "白马乡", "东岳乡", "青山镇"} {
			towns = append(towns, insert(tx, `INSERT INTO townships (code, name) VALUES ($1, $2)`, fmt.Sprintf("340321%03d", 100+i), name))
		}
		stages := []string{"primary", "junior", "nine_year", "kindergarten"}
		tiers := []string{"good", "average", "weak"}
		for i := range 67 {
			// Codes out of step with ids and names, so no sort agrees with
			// another by accident.
			code := fmt.Sprintf("21340%05d", (i*37)%67)
			fx.schools = append(fx.schools, insert(tx, `INSERT INTO schools (code, name, short_name, township_id, urban_rural, stage, type_code, students, classes,
				staff_count, tier, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
				code, fmt.Sprintf("第%02d学校", (i*29)%67), "", towns[i%len(towns)], []string{"111", "220"}[i%2], stages[i%len(stages)], "211",
				100*(i%4), 6*(i%3), 10*(i%5), tiers[i%len(tiers)], now))
		}
		modes := []string{"紧密型", "联盟型", "托管型"}
		founded := []store.Date{store.MustDate("2019-09-01"), store.MustDate("2021-03-01"), store.MustDate("2023-09-01")}
		// Nine groups of a lead and four members: schools 0..44; 45..66 in
		// no group, school 45 after leaving one.
		for g := range 9 {
			lead := fx.schools[5*g]
			gid := insert(tx, `INSERT INTO edu_groups (name, mode, governance, lead_school_id, founded_on, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6)`, fmt.Sprintf("%s教育集团%d", []string{"城关", "双桥", "白马"}[g%3], (g*4)%9), modes[g%len(modes)], "single", lead, founded[g%len(founded)], now)
			fx.groups = append(fx.groups, gid)
			for k := range 5 {
				role := "member"
				if k == 0 {
					role = "lead"
				}
				insert(tx, `INSERT INTO group_members (group_id, school_id, role, joined_on, created_at) VALUES ($1, $2, $3, $4, $5)`,
					gid, fx.schools[5*g+k], role, founded[g%len(founded)], now)
			}
		}
		insert(tx, `INSERT INTO group_members (group_id, school_id, role, joined_on, left_on, leave_reason, created_at) VALUES ($1, $2, 'member', $3, $4, 'withdrawn', $5)`,
			fx.groups[0], fx.schools[45], store.MustDate("2019-09-01"), store.MustDate("2022-01-01"), now)
		fx.ungrouped, fx.grouped = fx.schools[45], fx.schools[6]
		names := []string{"王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏"}
		titles := []string{"一级教师", "二级教师", "高级教师", "未评"}
		subjects := []string{"语文", "数学", "英语", "体育与健康", ""}
		statuses := []string{"active", "active", "active", "retired", "transferred"}
		for i := range 431 {
			// Most staff in a few schools, so a school's list has deep pages too.
			school := fx.schools[(i*i)%67]
			if i%3 == 0 {
				school = fx.schools[6]
			}
			fx.staff = append(fx.staff, insert(tx, `INSERT INTO staff (staff_no, name, gender, id_card, school_id, post, subject, title, status, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
				fmt.Sprintf("T%05d", (i*211)%431), names[i%len(names)], []string{"1", "2"}[i%2], fmt.Sprintf("34032119800101%04d", i), school,
				posts[i%len(posts)], subjects[i%len(subjects)], titles[(i/3)%len(titles)], statuses[i%len(statuses)], now))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// withReverseMin runs fn with reverseMin set: 0 reads every page in the back
// half backward, MaxInt never.
func withReverseMin(n int, fn func()) {
	old := reverseMin
	reverseMin = n
	defer func() { reverseMin = old }()
	fn()
}

// pagingModes are the two ways a page can be read.
var pagingModes = []struct {
	name string
	min  int
}{{"backward", 0}, {"forward", math.MaxInt}}

// pageCase is one list with one filter, sort and page size, paged from the
// first page to one past the last.
type pageCase struct {
	name string
	size int
	// list reads a page through the service; plain the same page with one
	// plain ORDER BY … LIMIT … OFFSET query over the full join.
	list  func(page int) (any, int, error)
	plain func(page int) (any, int)
}

func runPageCases(t *testing.T, cases []pageCase) {
	t.Helper()
	backward := 0
	for _, pc := range cases {
		_, want := pc.plain(0)
		for _, mode := range pagingModes {
			withReverseMin(mode.min, func() {
				pages := (want+pc.size-1)/pc.size + 1
				for page := 1; page <= pages; page++ {
					got, total, err := pc.list(page)
					if err != nil {
						t.Fatalf("%s %s page %d: %v", pc.name, mode.name, page, err)
					}
					if total != want {
						t.Fatalf("%s %s page %d: total %d, want %d", pc.name, mode.name, page, total, want)
					}
					exp, _ := pc.plain(page)
					if !reflect.DeepEqual(got, exp) {
						t.Fatalf("%s %s page %d of %d (total %d):\n got %+v\nwant %+v", pc.name, mode.name, page, pages, total, got, exp)
					}
					if mode.min == 0 && pageWindow(page, pc.size, total).reverse {
						backward++
					}
				}
			})
		}
	}
	if backward == 0 {
		t.Fatal("no page was read backward")
	}
}

// plainRows runs q (ending in its ORDER BY) with LIMIT and OFFSET of the
// page, or without them for page 0, and scans every row.
func plainRows[T any](t *testing.T, st *store.Store, q string, args []any, page, size int, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, int) {
	t.Helper()
	if page > 0 {
		n := len(args)
		args = append(args[:n:n], size, (page-1)*size)
		q += " LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
	}
	rows, err := st.R.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, len(out)
}

// filtersFor is every filter for the county, and the first two (no filter
// and one) in the narrower scopes, whose lists are short.
func filtersFor[F any](actor string, fs []F) []F {
	if actor == "county" {
		return fs
	}
	return fs[:2]
}

// pagingActors are the scopes the lists are paged in.
func pagingActors(fx pagingFixture) []struct {
	name string
	a    auth.Actor
} {
	return []struct {
		name string
		a    auth.Actor
	}{
		{"county", auth.Actor{UserID: 1, Grants: []auth.Grant{{Role: auth.SectionBasic, ScopeType: auth.ScopeCounty}}}},
		{"group", auth.Actor{UserID: 2, Grants: []auth.Grant{{Role: auth.GroupAdmin, ScopeType: auth.ScopeGroup, ScopeID: fx.groups[1]}}}},
		{"school", auth.Actor{UserID: 3, Grants: []auth.Grant{{Role: auth.SchoolAdmin, ScopeType: auth.ScopeSchool, ScopeID: fx.grouped}}}},
		{"self", auth.Actor{UserID: 4, StaffID: fx.staff[3], Grants: []auth.Grant{{Role: auth.Teacher, ScopeType: auth.ScopeSelf}}}},
	}
}

func TestListPagesMatchPlainOffset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		fx := buildPagingFixture(t, st)
		svc := NewService(st, audit.New(st), nil)
		actors := pagingActors(fx)

		t.Run("schools", func(t *testing.T) {
			filters := []SchoolFilter{{}, {Stage: "primary"}, {Tier: "good", UrbanRural: "111"}, {Township: "白马乡"}, {GroupID: fx.groups[2]}, {Q: "1"}}
			var cases []pageCase
			for _, ac := range actors {
				for _, base := range filtersFor(ac.name, filters) {
					for _, sort := range append(sortKeys(schoolSorts), "", "nonsense") {
						for _, desc := range []bool{false, true} {
							for _, size := range []int{7} {
								f := base
								f.Sort, f.Desc, f.Size = sort, desc, size
								r, err := svc.reachOf(ctx, ac.a)
								if err != nil {
									t.Fatal(err)
								}
								c := schoolCond(r, f)
								q := "SELECT " + schoolCols + schoolFrom + c.SQL() + orderBy(schoolSorts, f.Sort, f.Desc, "s.code")
								cases = append(cases, pageCase{
									name: fmt.Sprintf("%s %+v", ac.name, f), size: size,
									list: func(page int) (any, int, error) {
										f := f
										f.Page = page
										return svc.ListSchools(ctx, ac.a, f)
									},
									plain: func(page int) (any, int) { return plainRows(t, st, q, c.Args, page, size, scanSchool) },
								})
							}
						}
					}
				}
			}
			runPageCases(t, cases)
		})

		t.Run("groups", func(t *testing.T) {
			filters := []GroupFilter{{}, {Mode: "紧密型"}, {Q: "城关"}}
			var cases []pageCase
			for _, ac := range actors {
				for _, base := range filtersFor(ac.name, filters) {
					for _, sort := range append(sortKeys(groupSorts), "") {
						for _, desc := range []bool{false, true} {
							f := base
							f.Sort, f.Desc, f.Size = sort, desc, 2
							r, err := svc.reachOf(ctx, ac.a)
							if err != nil {
								t.Fatal(err)
							}
							c := groupCond(r, f)
							q := groupSelect + c.SQL() + orderBy(groupSorts, f.Sort, f.Desc, "g.id")
							cases = append(cases, pageCase{
								name: fmt.Sprintf("%s %+v", ac.name, f), size: f.Size,
								list: func(page int) (any, int, error) {
									f := f
									f.Page = page
									return svc.ListGroups(ctx, ac.a, f)
								},
								plain: func(page int) (any, int) { return plainRows(t, st, q, c.Args, page, f.Size, scanGroup) },
							})
						}
					}
				}
			}
			runPageCases(t, cases)
		})

		t.Run("staff", func(t *testing.T) {
			filters := []StaffFilter{{}, {Title: "一级教师"}, {Post: "teacher", Status: "active"}, {SchoolID: fx.grouped}, {Q: "王"}}
			var cases []pageCase
			for _, ac := range actors {
				for _, base := range filtersFor(ac.name, filters) {
					for _, sort := range append(sortKeys(staffSorts), "") {
						for _, desc := range []bool{false, true} {
							f := base
							f.Sort, f.Desc, f.Size = sort, desc, 9
							r, err := svc.reachOf(ctx, ac.a)
							if err != nil {
								t.Fatal(err)
							}
							c := staffCond(r, f)
							q := "SELECT " + staffCols + staffFrom + c.SQL() + orderBy(staffSorts, f.Sort, f.Desc, "st.id")
							cases = append(cases, pageCase{
								name: fmt.Sprintf("%s %+v", ac.name, f), size: f.Size,
								list: func(page int) (any, int, error) {
									f := f
									f.Page = page
									return svc.ListStaff(ctx, ac.a, f)
								},
								plain: func(page int) (any, int) { return plainRows(t, st, q, c.Args, page, f.Size, scanStaff) },
							})
						}
					}
				}
			}
			runPageCases(t, cases)
		})
	})
}

func sortKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPageWindow(t *testing.T) {
	withReverseMin(0, func() {
		for _, c := range []struct {
			page, size, total int
			want              window
		}{
			{1, 20, 100, window{20, 0, false}},
			{2, 20, 100, window{20, 20, false}},
			{3, 20, 100, window{20, 40, false}},  // the middle page: as many rows either way
			{4, 20, 100, window{20, 20, true}},   // rows 60..79: skip the last 20
			{5, 20, 100, window{20, 0, true}},    // the last page
			{5, 20, 95, window{15, 0, true}},     // a short last page
			{4, 20, 95, window{20, 15, true}},    // rows 60..79 of 95: skip the last 15
			{6, 20, 100, window{20, 100, false}}, // past the end: plain OFFSET, no rows
			{1, 20, 0, window{20, 0, false}},
			{0, 0, 100, window{20, 0, false}},
		} {
			if got := pageWindow(c.page, c.size, c.total); got != c.want {
				t.Errorf("pageWindow(%d, %d, %d) = %+v, want %+v", c.page, c.size, c.total, got, c.want)
			}
		}
	})
	// By default a page is read backward only when that skips at least
	// reverseMin fewer rows.
	if w := pageWindow(40, 20, 1000); w.reverse {
		t.Errorf("page 40 of 50 read backward with reverseMin %d: %+v", reverseMin, w)
	}
	if w := pageWindow(14000, 20, 300000); !w.reverse || w.offset != 300000-14000*20 {
		t.Errorf("page 14000 of 15000: %+v", w)
	}
}

// On SQLite the county's whole staff list by id is read by id when the ids
// run without a gap, and by OFFSET as soon as one is missing; either way the
// pages are those of the plain OFFSET query.
func TestStaffByDenseID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		fx := buildPagingFixture(t, st)
		a := pagingActors(fx)[0].a
		check := func(wantDense bool) {
			t.Helper()
			svc := NewService(st, audit.New(st), nil)
			if st.Dialect == store.SQLite {
				_, _, ok, err := svc.staffByDenseID(ctx, StaffFilter{Page: 3, Size: 9})
				if err != nil || ok != wantDense {
					t.Fatalf("staffByDenseID ok = %v, %v; want %v", ok, err, wantDense)
				}
			}
			r, _ := svc.reachOf(ctx, a)
			f := StaffFilter{Size: 9}
			c := staffCond(r, f)
			q := "SELECT " + staffCols + staffFrom + c.SQL() + orderBy(staffSorts, "", false, "st.id")
			_, n := plainRows(t, st, q, c.Args, 0, f.Size, scanStaff)
			for page := 1; page <= n/f.Size+2; page++ {
				f.Page = page
				got, total, err := svc.ListStaff(ctx, a, f)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := plainRows(t, st, q, c.Args, page, f.Size, scanStaff)
				if total != n || !reflect.DeepEqual(got, want) {
					t.Fatalf("page %d: total %d (want %d)\n got %+v\nwant %+v", page, total, n, got, want)
				}
			}
		}
		check(true)
		if err := st.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM staff WHERE id = $1`, fx.staff[200])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check(false)
	})
}

// A backward page needs the list's total, which may be up to countTTL old.
// When rows left the list so that the backward window runs off the start, the
// page is read forward instead and is again exactly the plain OFFSET page.
func TestStaleTotalFallsBackToForward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		fx := buildPagingFixture(t, st)
		svc := NewService(st, audit.New(st), nil)
		a := pagingActors(fx)[0].a
		f := StaffFilter{Status: "retired", Size: 9}
		withReverseMin(0, func() {
			_, total, err := svc.ListStaff(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			// Most retired staff come back; the cached total still says
			// the old number.
			if err := st.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE staff SET status = 'active' WHERE status = 'retired' AND id > $1`, fx.staff[20])
				return err
			}); err != nil {
				t.Fatal(err)
			}
			f.Page = (total + f.Size - 1) / f.Size
			got, cached, err := svc.ListStaff(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			if cached != total {
				t.Fatalf("total %d, want the cached %d", cached, total)
			}
			r, _ := svc.reachOf(ctx, a)
			c := staffCond(r, f)
			want, _ := plainRows(t, st, "SELECT "+staffCols+staffFrom+c.SQL()+orderBy(staffSorts, "", false, "st.id"), c.Args, f.Page, f.Size, scanStaff)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("page %d after rows left:\n got %+v\nwant %+v", f.Page, got, want)
			}
		})
	})
}

// BenchmarkProvinceLists measures the registry lists on a province registry
// built by `edugroup demo --scale province --data DIR`:
//
//	EDUGROUP_PROVINCE_DATA=DIR go test ./internal/registry -run '^$' -bench Province
//
// Pages are drawn at random as tools/load does; the count is cached as in the
// server. Without the variable the benchmark is skipped. To see what each
// part buys, EDUGROUP_BENCH_BACKWARD=0 reads every page forward and
// EDUGROUP_BENCH_MMAP=0 turns the readers' memory map off.
func BenchmarkProvinceLists(b *testing.B) {
	dir := os.Getenv("EDUGROUP_PROVINCE_DATA")
	if dir == "" {
		b.Skip("EDUGROUP_PROVINCE_DATA names no province data directory")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "edugroup.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if os.Getenv("EDUGROUP_BENCH_BACKWARD") == "0" {
		old := reverseMin
		reverseMin = math.MaxInt
		defer func() { reverseMin = old }()
	}
	if os.Getenv("EDUGROUP_BENCH_MMAP") == "0" {
		// One reader connection, so the pragma holds for every query.
		st.R.SetMaxOpenConns(1)
		if _, err := st.R.Exec("PRAGMA mmap_size = 0"); err != nil {
			b.Fatal(err)
		}
	}
	svc := NewService(st, audit.New(st), nil)
	a := auth.Actor{UserID: 1, Grants: []auth.Grant{{Role: auth.BureauLeader, ScopeType: auth.ScopeCounty}}}
	var staffTotal, schools, groups int
	for q, n := range map[string]*int{"SELECT count(*) FROM staff": &staffTotal, "SELECT count(*) FROM schools": &schools, "SELECT count(*) FROM edu_groups": &groups} {
		if err := st.R.QueryRow(q).Scan(n); err != nil {
			b.Fatal(err)
		}
	}
	pages := func(n int) int { return max(1, (n+19)/20) }
	rng := rand.New(rand.NewPCG(1, 2))
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("staff-random-page", func() error {
		_, _, err := svc.ListStaff(ctx, a, StaffFilter{Page: 1 + rng.IntN(pages(staffTotal)), Size: 20})
		return err
	})
	// Descending, the same list is paged by OFFSET (backward from the end for
	// the back half), not by id.
	run("staff-random-page-desc", func() error {
		_, _, err := svc.ListStaff(ctx, a, StaffFilter{Desc: true, Page: 1 + rng.IntN(pages(staffTotal)), Size: 20})
		return err
	})
	for _, sort := range []string{"name", "title", "school_name"} {
		run("staff-random-page-by-"+sort, func() error {
			_, _, err := svc.ListStaff(ctx, a, StaffFilter{Sort: sort, Desc: rng.IntN(2) == 0, Page: 1 + rng.IntN(pages(staffTotal)), Size: 20})
			return err
		})
	}
	run("staff-title-filter-random-page", func() error {
		_, _, err := svc.ListStaff(ctx, a, StaffFilter{Title: "一级教师", Page: 1 + rng.IntN(pages(staffTotal/3)), Size: 20})
		return err
	})
	run("schools-random-page", func() error {
		_, _, err := svc.ListSchools(ctx, a, SchoolFilter{Sort: []string{"name", "code", "students"}[rng.IntN(3)], Page: 1 + rng.IntN(pages(schools)), Size: 20})
		return err
	})
	for _, sort := range []string{"township", "group_name", "classes"} {
		run("schools-random-page-by-"+sort, func() error {
			_, _, err := svc.ListSchools(ctx, a, SchoolFilter{Sort: sort, Page: 1 + rng.IntN(pages(schools)), Size: 20})
			return err
		})
	}
	run("groups-random-page", func() error {
		_, _, err := svc.ListGroups(ctx, a, GroupFilter{Page: 1 + rng.IntN(pages(groups)), Size: 20})
		return err
	})
}
