package curriculum_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/curriculum"
	"edugroup/internal/store"
	"edugroup/internal/xlsx"
)

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// timetableFile is a one-class timetable of the principal's school: 语文
// by a 语文 teacher, 英语 by the same 语文 teacher (unqualified), one 音乐
// lesson where the plan has two; extra rows are appended as given.
func timetableFile(t *testing.T, chinese, music string, extra ...[]any) []byte {
	t.Helper()
	tb, err := xlsx.NewTable("课表", []string{"班级", "年级", "星期", "节次", "学科", "任课教师"})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{}
	for i := 0; i < 7; i++ {
		rows = append(rows, []any{"三年级(1)班", 3, i%5 + 1, i/5 + 1, "语文", chinese})
	}
	rows = append(rows, []any{"三年级(1)班", 3, 3, 2, "英语", chinese}, []any{"三年级(1)班", 3, 4, 2, "英语", chinese},
		[]any{"三年级(1)班", 3, "周五", 3, "音乐", music})
	rows = append(rows, extra...)
	for _, r := range rows {
		if err := tb.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := tb.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A principal imports a timetable with errors (refused, every cell named),
// fixes it, and the register shows −1 for 音乐 and the unqualified 英语;
// each import is a version and the one in force on an earlier day is the
// demo's.
func TestImportAndRegister(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		school := e.IDs.School
		term := curriculum.TermOf(store.Today())
		chinese := e.Str(`SELECT name FROM staff WHERE school_id = $1 AND subject = '语文' AND status = 'active' AND post = 'teacher' ORDER BY id LIMIT 1`, school)
		music := e.Str(`SELECT name FROM staff WHERE school_id = $1 AND subject <> '语文' AND status = 'active' AND post = 'teacher' ORDER BY id LIMIT 1`, school)
		p := e.Login("principal")
		if s, b := p.Do("GET", "/api/v1/curriculum/timetable/template", nil); s != 200 || len(b) < 100 {
			t.Fatalf("template: %d", s)
		}
		path := fmt.Sprintf("/api/v1/curriculum/schools/%d/timetable/import?term=%s", school, term)
		bad := timetableFile(t, chinese, music,
			[]any{"三年级(2)班", 3, 1, 1, "语文", chinese}, // row 12: the 语文 teacher is in 三年级(1)班 then (row 2)
			[]any{"三年级(1)班", 3, 1, 9, "数学", chinese}, // row 13: period 9
			[]any{"三年级(1)班", 3, 2, 3, "书法", chinese}, // row 14: not in the plan
			[]any{"三年级(1)班", 3, 2, 4, "数学", "查无此人"})  // row 15: unknown
		s, b := p.Upload(path, bad, nil)
		if s != 422 {
			t.Fatalf("bad file: %d %s", s, b)
		}
		for _, want := range []string{"第12行", "第13行", "第14行", "第15行", "查无此人", "书法", "同一时间不能上两个班"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("refusal lacks %q: %s", want, b)
			}
		}
		before := e.One(`SELECT count(*) FROM timetables WHERE school_id = $1`, school)
		s, b = p.Upload(path, timetableFile(t, chinese, music), nil)
		if s != 200 {
			t.Fatalf("good file: %d %s", s, b)
		}
		v := decode[curriculum.Version](t, b)
		if v.Seq != 2 || v.Lessons != 10 || e.One(`SELECT count(*) FROM timetables WHERE school_id = $1`, school) != before+1 {
			t.Fatalf("version %+v", v)
		}
		if e.AuditCount("timetable.publish", "") == 0 {
			t.Error("publish not audited")
		}
		s, b = p.Do("GET", fmt.Sprintf("/api/v1/curriculum/schools/%d/register?term=%s", school, term), nil)
		if s != 200 {
			t.Fatalf("register: %d %s", s, b)
		}
		r := decode[curriculum.Register](t, b)
		if r.Version == nil || r.Version.Seq != 2 || len(r.Classes) != 1 {
			t.Fatalf("register version %+v classes %+v", r.Version, r.Classes)
		}
		marks := map[string]curriculum.Cell{}
		for _, row := range r.Rows {
			marks[row.Subject] = row.Cells[0]
		}
		if marks["音乐"].Mark != "−1" || marks["语文"].Mark != "√" || marks["数学"].Mark != "0" || marks["英语"].Unqualified != 2 {
			t.Errorf("marks %+v", marks)
		}
		var short, unq bool
		for _, f := range r.Findings {
			short = short || (f.Rule == curriculum.RuleShort && f.Subject == "音乐" && f.Planned == 2 && f.Actual == 1)
			unq = unq || (f.Rule == curriculum.RuleUnqualified && f.Subject == "英语" && f.Lessons == 2)
		}
		if !short || !unq {
			t.Errorf("findings %+v", r.Findings)
		}
		// The version in force on the day the demo published is the demo's.
		first := e.Str(`SELECT published_on FROM timetables WHERE school_id = $1 AND seq = 1`, school)[:10]
		s, b = p.Do("GET", fmt.Sprintf("/api/v1/curriculum/schools/%d/timetable?term=%s&on=%s", school, term, first), nil)
		if tt := decode[curriculum.Timetable](t, b); s != 200 || tt.Version == nil || tt.Version.Seq != 1 || len(tt.Versions) != 2 {
			t.Fatalf("in force on %s: %d %+v", first, s, tt.Version)
		}
		// Excel export of the register.
		if s, b := p.Do("GET", fmt.Sprintf("/api/v1/curriculum/schools/%d/register/export?term=%s", school, term), nil); s != 200 || len(b) < 100 {
			t.Errorf("export: %d", s)
		}
		// Scope: another group's school is not found for the principal;
		// 督导办 records the responsibility, with the version check.
		if s, _ := p.Do("GET", fmt.Sprintf("/api/v1/curriculum/schools/%d/register", e.IDs.OtherSchool), nil); s != 404 {
			t.Errorf("other school's register: %d", s)
		}
		d := e.Login("dudao")
		rec := map[string]any{"term": term, "responsibility": "principal", "note": "音乐课时不足", "inspector": "陈卫东", "version": 0}
		if s, b := d.Do("POST", fmt.Sprintf("/api/v1/curriculum/schools/%d/register", school), rec); s != 200 {
			t.Fatalf("record: %d %s", s, b)
		}
		if s, _ := d.Do("POST", fmt.Sprintf("/api/v1/curriculum/schools/%d/register", school), rec); s != 409 {
			t.Errorf("stale record: %d", s)
		}
		// A spot check compares with the version in force that day.
		day := e.Str(`SELECT MAX(published_on) FROM timetables WHERE school_id = $1`, school)[:10]
		s, b = d.Do("POST", "/api/v1/curriculum/spot-checks", map[string]any{"school_id": school, "visited_on": day, "class": "三年级(1)班", "period": 1, "observed_subject": "数学"})
		if s != 201 {
			t.Fatalf("spot check: %d %s", s, b)
		}
		sc := decode[curriculum.SpotCheck](t, b)
		if sc.TimetableSeq != 2 || (sc.Outcome != curriculum.SpotOtherSubject && sc.Outcome != curriculum.SpotNotOnTimetable) {
			t.Errorf("spot check %+v", sc)
		}
		// The same timetable saved as CSV (with a BOM) is read alike.
		csvFile := "\ufeff班级,年级,星期,节次,学科,任课教师\n三年级(1)班,3,1,1,语文," + chinese + "\n三年级(1)班,3,周二,1,数学,查无此人\n"
		if s, b := p.UploadAs(path, "课表.csv", []byte(csvFile), nil); s != 422 || !strings.Contains(string(b), "第3行") {
			t.Errorf("csv with an unknown teacher: %d %s", s, b)
		}
		csvFile = "\ufeff班级,年级,星期,节次,学科,任课教师\n三年级(1)班,3,1,1,语文," + chinese + "\n"
		if s, b := p.UploadAs(path, "课表.csv", []byte(csvFile), nil); s != 200 || decode[curriculum.Version](t, b).Seq != 3 {
			t.Errorf("csv: %d %s", s, b)
		}
		// The county summary counts the school.
		s, b = e.Login("jijiao").Do("GET", "/api/v1/curriculum/summary?by=group&term="+term, nil)
		if sum := decode[curriculum.Summary](t, b); s != 200 || sum.All.Published < 10 || sum.All.Counts.Short == 0 {
			t.Errorf("summary: %d %+v", s, sum.All)
		}
	})
}

// Demand = Σ weekly lessons × classes ÷ load against the registry's
// teachers; a match proposed by the group, accepted by the school that is
// short and then by the school that gives the teacher, becomes a 兼课指导
// entry (走教) or a 支教 application of the exchange workflow.
func TestStaffingAndMatches(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		term := curriculum.TermOf(store.Today())
		g := e.Login("groupadmin")
		s, b := g.Do("GET", fmt.Sprintf("/api/v1/curriculum/staffing?group_id=%d&term=%s", e.IDs.Group, term), nil)
		if s != 200 {
			t.Fatalf("staffing: %d %s", s, b)
		}
		sf := decode[curriculum.Staffing](t, b)
		if len(sf.Schools) < 3 || !sf.CanMatch {
			t.Fatalf("schools %d", len(sf.Schools))
		}
		// The arithmetic for the principal's school, recomputed from the
		// stored timetable and registry.
		var own curriculum.SchoolBalance
		for _, sb := range sf.Schools {
			if sb.SchoolID == e.IDs.School {
				own = sb
			}
		}
		for _, b := range own.Subjects {
			if b.Subject != "英语" {
				continue
			}
			tid := e.One(`SELECT id FROM timetables WHERE school_id = $1 ORDER BY seq DESC LIMIT 1`, e.IDs.School)
			classes := e.One(`SELECT count(DISTINCT class_name) FROM timetable_lessons WHERE timetable_id = $1 AND grade >= 3`, tid)
			teachers := e.One(`SELECT count(*) FROM staff WHERE school_id = $1 AND subject = '英语' AND status = 'active' AND post = 'teacher'`, e.IDs.School)
			if int64(b.Demand) != classes*2 || int64(b.Teachers) != teachers || b.Load != 14 || b.Capacity != b.Teachers*14 {
				t.Errorf("英语 balance %+v (classes %d teachers %d)", b, classes, teachers)
			}
			if b.Shortage != max(0, b.Demand-b.Capacity) || b.Surplus != max(0, b.Capacity-b.Demand) {
				t.Errorf("英语 shortage/surplus %+v", b)
			}
		}
		// The demo's two accepted matches show before and after.
		accepted, matchedIn := 0, 0
		for _, m := range sf.Matches {
			if m.Status == curriculum.MatchAccepted && m.ServiceEntry {
				accepted++
			}
		}
		for _, b := range own.Subjects {
			matchedIn += b.MatchedIn
			if b.ShortAfter != max(0, b.Shortage-b.MatchedIn) {
				t.Errorf("after %+v", b)
			}
		}
		if accepted != 2 || matchedIn == 0 {
			t.Fatalf("demo matches: %d accepted, %d lessons in", accepted, matchedIn)
		}
		// A new match from a candidate of a shortage between the
		// principal's school and the lead school.
		var need, staff int64
		var subject string
		var lessons int
		for _, sh := range sf.Shortages {
			for _, c := range sh.Candidates {
				pair := (sh.SchoolID == e.IDs.School && c.SchoolID == e.IDs.LeadSchool) || (sh.SchoolID == e.IDs.LeadSchool && c.SchoolID == e.IDs.School)
				if pair && staff == 0 {
					need, staff, subject, lessons = sh.SchoolID, c.StaffID, sh.Subject, c.Lessons
				}
			}
		}
		if staff == 0 {
			t.Skip("no shortage between the two demo schools with accounts")
		}
		needUser, providerUser := "principal", "leadadmin"
		if need == e.IDs.LeadSchool {
			needUser, providerUser = "leadadmin", "principal"
		}
		for _, mode := range []string{curriculum.ModeWalk, curriculum.ModeSupport} {
			s, b := g.Do("POST", "/api/v1/curriculum/matches", map[string]any{"term": term, "need_school_id": need, "staff_id": staff, "subject": subject,
				"lessons": lessons, "mode": mode})
			if s != 201 {
				t.Fatalf("propose %s: %d %s", mode, s, b)
			}
			m := decode[curriculum.Match](t, b)
			if !m.GroupOK || m.NeedOK || m.Status != curriculum.MatchProposed {
				t.Fatalf("proposed %+v", m)
			}
			// The provider cannot go first.
			if s, _ := e.Login(providerUser).Do("POST", fmt.Sprintf("/api/v1/curriculum/matches/%d/accept", m.ID), map[string]any{"version": m.Version}); s != 409 {
				t.Errorf("provider first: %d", s)
			}
			s, b = e.Login(needUser).Do("POST", fmt.Sprintf("/api/v1/curriculum/matches/%d/accept", m.ID), map[string]any{"version": m.Version})
			if s != 200 {
				t.Fatalf("need accepts: %d %s", s, b)
			}
			m = decode[curriculum.Match](t, b)
			// The provider's acceptance, sent several times at once (a
			// double tap, two tabs): one is taken, the rest are refused
			// before they write, so one link is made.
			provider := e.Login(providerUser)
			links := func() int64 {
				return e.One(`SELECT count(*) FROM cross_school_service WHERE staff_id = $1 AND school_id = $2 AND kind = 'teaching'`, staff, need) +
					e.One(`SELECT count(*) FROM exchanges WHERE staff_id = $1 AND host_school_id = $2 AND kind = 'support'`, staff, need)
			}
			before := links()
			var wg sync.WaitGroup
			codes := make([]int, 4)
			bodies := make([][]byte, 4)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i], bodies[i] = provider.Do("POST", fmt.Sprintf("/api/v1/curriculum/matches/%d/accept", m.ID), map[string]any{"version": m.Version})
				}()
			}
			wg.Wait()
			won := -1
			for i, c := range codes {
				switch {
				case c == 200 && won < 0:
					won = i
				case c != 409:
					t.Fatalf("concurrent provider acceptances: %v", codes)
				}
			}
			if won < 0 {
				t.Fatalf("no provider acceptance was taken: %v", codes)
			}
			b = bodies[won]
			m = decode[curriculum.Match](t, b)
			if n := links() - before; n != 1 {
				t.Fatalf("%d links made for one match (%v)", n, codes)
			}
			if m.Status != curriculum.MatchAccepted {
				t.Fatalf("accepted %+v", m)
			}
			switch mode {
			case curriculum.ModeWalk:
				if !m.ServiceEntry || e.One(`SELECT count(*) FROM cross_school_service WHERE staff_id = $1 AND school_id = $2 AND kind = 'teaching'`, staff, need) == 0 {
					t.Errorf("no 兼课指导 entry: %+v", m)
				}
			case curriculum.ModeSupport:
				if m.ExchangeID == 0 || e.Str(`SELECT kind FROM exchanges WHERE id = $1`, m.ExchangeID) != "support" {
					t.Errorf("no 支教 application: %+v", m)
				}
			}
		}
		if e.AuditCount("staffing.accept", "") < 4 {
			t.Error("acceptances not audited")
		}
	})
}

// SlotLessons: the lessons of the published timetables at a weekday and
// periods, and which schools have one.
func TestSlotLessons(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	term := curriculum.TermOf(store.Today())
	unpublished := e.One(`SELECT id FROM schools WHERE id NOT IN (SELECT school_id FROM timetables) AND stage = 'primary' ORDER BY id LIMIT 1`)
	lessons, have, err := e.App.Curriculum.SlotLessons(context.Background(), term, []int64{e.IDs.School, e.IDs.LeadSchool, unpublished}, 2, []int{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !have[e.IDs.School] || !have[e.IDs.LeadSchool] || have[unpublished] || len(have) != 2 {
		t.Fatalf("published %v", have)
	}
	want := e.One(`SELECT count(*) FROM timetable_lessons l JOIN timetables t ON t.id = l.timetable_id WHERE t.school_id IN ($1, $2) AND t.term = $3
		AND l.weekday = 2 AND l.period IN (1, 3)`, e.IDs.School, e.IDs.LeadSchool, term)
	if int64(len(lessons)) != want || want == 0 {
		t.Fatalf("%d lessons, want %d", len(lessons), want)
	}
	for _, l := range lessons {
		if l.Weekday != 2 || (l.Period != 1 && l.Period != 3) || l.StaffID == 0 || l.Subject == "" {
			t.Fatalf("lesson %+v", l)
		}
	}
	if _, have, _ := e.App.Curriculum.SlotLessons(context.Background(), "2030-2031-1", []int64{e.IDs.School}, 1, []int{1}); len(have) != 0 {
		t.Errorf("another term: %v", have)
	}
}

// The county overlay is versioned and checked: 基教股 saves a legal change,
// a stale save is refused, an overlay breaking a share is refused naming
// the rule; a school may read but not edit.
func TestPlanOverlay(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	j := e.Login("jijiao")
	s, b := j.Do("GET", "/api/v1/curriculum/plan", nil)
	pv := decode[curriculum.PlanView](t, b)
	if s != 200 || !pv.CanEdit || pv.Plan.Total != 9522 || len(pv.Plan.Layers) != 2 {
		t.Fatalf("plan: %d %+v", s, pv.Plan.Layers)
	}
	body := map[string]any{"seq": 0, "note": "二年级劳动每周2节", "overrides": []map[string]any{{"subject": "劳动", "grade": 2, "weekly": 2}, {"subject": "校本课程", "grade": 2, "weekly": 0}}}
	if s, b := j.Do("POST", "/api/v1/curriculum/plan/overlay", body); s != 200 {
		t.Fatalf("overlay: %d %s", s, b)
	}
	if s, _ := j.Do("POST", "/api/v1/curriculum/plan/overlay", body); s != 409 {
		t.Errorf("stale overlay: %d", s)
	}
	bad := map[string]any{"seq": 1, "overrides": []map[string]any{{"subject": "劳动", "grade": 2, "weekly": 5}}}
	if s, b := j.Do("POST", "/api/v1/curriculum/plan/overlay", bad); s != 422 || !strings.Contains(string(b), `"grades[1]"`) {
		t.Errorf("bad overlay: %d %s", s, b)
	}
	s, b = e.Login("principal").Do("GET", "/api/v1/curriculum/plan", nil)
	pv = decode[curriculum.PlanView](t, b)
	if s != 200 || pv.CanEdit || pv.Plan.OverlaySeq != 1 || len(pv.Versions) != 1 {
		t.Fatalf("principal's plan: %d %+v", s, pv.Versions)
	}
	if e.AuditCount("curriculum.overlay", "") != 1 {
		t.Error("overlay not audited once")
	}
}

// A kindergarten posts its day per age group (each a version); the county
// reads it checked. A primary school cannot post one.
func TestKindergartenDays(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		term := curriculum.TermOf(store.Today())
		kg := e.One(`SELECT id FROM schools WHERE stage = 'preschool' ORDER BY id LIMIT 1`)
		in := curriculum.DayInput{Term: term, Level: "large", Items: []curriculum.DayItem{
			{Start: "08:30", End: "09:10", Kind: "physical", Name: "早操与体育游戏"},
			{Start: "09:20", End: "09:50", Kind: "group", Name: "数学活动"},
			{Start: "10:00", End: "11:00", Kind: "outdoor", Name: "户外自主游戏"},
		}}
		sys := auth.SystemActor("test")
		if _, err := e.App.Curriculum.PostDay(context.Background(), sys, kg, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Curriculum.PostDay(context.Background(), sys, kg, in); err == nil {
			t.Fatal("a stale version was saved")
		}
		s, b := e.Login("dudao").Do("GET", fmt.Sprintf("/api/v1/curriculum/schools/%d/kindergarten?term=%s", kg, term), nil)
		if s != 200 {
			t.Fatalf("kindergarten: %d %s", s, b)
		}
		d := decode[curriculum.KindergartenDay](t, b)
		rules := map[string]bool{}
		for _, f := range d.Days[0].Findings {
			rules[f.Rule] = true
		}
		// 100 min outdoors (< 120), 40 of PE (< 60), a 30-min activity (> 25).
		if len(d.Days) != 1 || d.Days[0].Seq != 1 || !rules[curriculum.RuleKGOutdoor] || !rules[curriculum.RuleKGPhysical] || !rules[curriculum.RuleKGActivity] {
			t.Fatalf("day %+v", d.Days)
		}
		s, b = e.Login("jijiao").Do("GET", "/api/v1/curriculum/timetables?kindergartens=true&page_size=200&term="+term, nil)
		var found bool
		for _, r := range decode[struct{ Items []curriculum.TimetableRow }](t, b).Items {
			found = found || (r.SchoolID == kg && r.Versions == 1 && r.Stage == "preschool")
		}
		if s != 200 || !found {
			t.Errorf("kindergarten list: %d %s", s, b)
		}
		s, b = e.Login("principal").Do("POST", fmt.Sprintf("/api/v1/curriculum/schools/%d/kindergarten", e.IDs.School), in)
		if s != 422 {
			t.Errorf("a primary school's day: %d %s", s, b)
		}
	})
}

// The workbench: a school without this term's timetable has a to-do due
// publish_days after the term starts; a proposal waits on the school that
// is short (a to-do and a notice), and on the proposer (waiting).
func TestWorkbench(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	ctx := context.Background()
	today := store.Today()
	term := curriculum.TermOf(today)
	unpublished := e.One(`SELECT s.id FROM schools s JOIN group_members m ON m.school_id = s.id AND m.left_on IS NULL
		WHERE s.stage <> 'preschool' AND s.id NOT IN (SELECT school_id FROM timetables) AND m.group_id = (SELECT scope_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE u.username = 'multi' AND g.role = 'group_admin') ORDER BY s.id LIMIT 1`)
	head := auth.Actor{UserID: 0, Username: "head", Grants: []auth.Grant{{Role: auth.SchoolAdmin, ScopeType: auth.ScopeSchool, ScopeID: unpublished}}}
	p, err := e.App.Curriculum.Tasks().Workbench(ctx, head, today)
	if err != nil {
		t.Fatal(err)
	}
	var due store.Date
	for _, it := range p.Todo {
		if it.Kind == "curriculum.timetable" {
			due = it.DueOn
		}
	}
	v, _ := e.App.Policy.Today(ctx)
	if want := curriculum.TermStart(v.Settings.Curriculum, term).AddDate(0, 0, 14); !due.Equal(want) {
		t.Fatalf("timetable to-do due %s, want %s (%+v)", due, want, p.Todo)
	}
	// A proposal for the principal's school.
	g := e.Login("groupadmin")
	_, b := g.Do("GET", fmt.Sprintf("/api/v1/curriculum/staffing?group_id=%d", e.IDs.Group), nil)
	sf := decode[curriculum.Staffing](t, b)
	for _, sh := range sf.Shortages {
		if sh.SchoolID != e.IDs.School || len(sh.Candidates) == 0 {
			continue
		}
		c := sh.Candidates[0]
		if s, b := g.Do("POST", "/api/v1/curriculum/matches", map[string]any{"term": term, "need_school_id": sh.SchoolID, "staff_id": c.StaffID,
			"subject": sh.Subject, "lessons": c.Lessons, "mode": "online"}); s != 201 {
			t.Fatalf("propose: %d %s", s, b)
		}
		_, b = e.Login("principal").Do("GET", "/api/v1/workbench", nil)
		if !strings.Contains(string(b), `"kind":"staffing.accept"`) {
			t.Errorf("the principal's workbench lacks the acceptance: %s", b)
		}
		_, b = e.Login("principal").Do("GET", "/api/v1/notifications", nil)
		if !strings.Contains(string(b), "staffing.proposed") {
			t.Errorf("no notice of the proposal: %s", b)
		}
		_, b = g.Do("GET", "/api/v1/workbench", nil)
		if !strings.Contains(string(b), `"kind":"staffing.waiting"`) {
			t.Errorf("the group admin's workbench lacks the waiting item: %s", b)
		}
		return
	}
	t.Skip("no shortage with candidates at the principal's school")
}
