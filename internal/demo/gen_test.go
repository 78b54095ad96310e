package demo

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"edugroup/internal/registry"
)

// testSeeds are checked for every invariant: the guarantees must hold for any
// seed, not just the one a demo happens to use.
var testSeeds = []int64{1, 2, 42, -7, 20260901}

var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

func TestGenerateIsDeterministic(t *testing.T) {
	for _, seed := range testSeeds {
		a, b := Generate(seed), Generate(seed)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("seed %d: two calls differ", seed)
		}
	}
	if reflect.DeepEqual(Generate(1), Generate(2)) {
		t.Errorf("seeds 1 and 2 give the same county")
	}
}

func TestCountyHeader(t *testing.T) {
	c := Generate(1)
	tests := []struct{ name, got, want string }{
		{"Code", c.Code, "340321"},
		{"Name", c.Name, "怀远县"},
		{"BureauName", c.BureauName, "怀远县教育体育局"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	for _, tw := range c.Townships {
		if len(tw.Code) != 9 || !strings.HasPrefix(tw.Code, "340321") {
			t.Errorf("township %s code %q is not county code + 3 digits", tw.Name, tw.Code)
		}
	}
}

func TestMinimums(t *testing.T) {
	for _, seed := range testSeeds {
		c := Generate(seed)
		modes := map[string]bool{}
		unified := 0
		for _, g := range c.Groups {
			modes[g.Mode] = true
			if g.Governance == "unified" {
				unified++
			}
		}
		townships := map[int]bool{}
		ungrouped, isNew := 0, 0
		for _, s := range c.Schools {
			townships[s.Township] = true
			if s.Group == -1 {
				ungrouped++
			}
			if s.IsNew {
				isNew++
			}
		}
		tests := []struct {
			name     string
			got, min int
		}{
			{"groups", len(c.Groups), 6},
			{"distinct modes", len(modes), 6},
			{"unified groups", unified, 1},
			{"schools", len(c.Schools), 44},
			{"townships with schools", len(townships), 12},
			{"schools in no group", ungrouped, 6},
			{"new schools", isNew, 2},
			{"staff", len(c.Staff), 2000},
		}
		for _, tt := range tests {
			if tt.got < tt.min {
				t.Errorf("seed %d: %s = %d, want >= %d", seed, tt.name, tt.got, tt.min)
			}
		}
		if unified == len(c.Groups) {
			t.Errorf("seed %d: every group is unified, want a mix", seed)
		}
	}
}

func TestGroups(t *testing.T) {
	validModes := map[string]bool{"multi_school": true, "regional": true, "direct": true, "same_stage": true,
		"paired": true, "cross_stage": true, "entrusted": true, "multi_legal": true, "nine_year": true}
	lo := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	inRange := func(s string) bool {
		d, err := time.Parse("2006-01-02", s)
		return err == nil && !d.Before(lo) && !d.After(hi)
	}
	for _, seed := range testSeeds {
		c := Generate(seed)
		for gi, g := range c.Groups {
			if !validModes[g.Mode] {
				t.Errorf("seed %d: group %s mode %q", seed, g.Name, g.Mode)
			}
			if g.Governance != "unified" && g.Governance != "federated" {
				t.Errorf("seed %d: group %s governance %q", seed, g.Name, g.Governance)
			}
			if !inRange(g.FoundedOn) {
				t.Errorf("seed %d: group %s founded %q, want 2015-01-01..2026-09-01", seed, g.Name, g.FoundedOn)
			}
			if g.Goal == "" || g.Philosophy == "" || g.Motto == "" {
				t.Errorf("seed %d: group %s lacks goal, philosophy or motto", seed, g.Name)
			}
			if g.LeadSchool < 0 || g.LeadSchool >= len(c.Schools) {
				t.Fatalf("seed %d: group %s lead index %d out of range", seed, g.Name, g.LeadSchool)
			}
			lead := c.Schools[g.LeadSchool]
			if lead.Group != gi || lead.GroupRole != "lead" || lead.Tier != "quality" {
				t.Errorf("seed %d: group %s lead %s has group %d role %q tier %q, want %d lead quality",
					seed, g.Name, lead.Name, lead.Group, lead.GroupRole, lead.Tier, gi)
			}
			leads, members := 0, 0
			for _, s := range c.Schools {
				if s.Group != gi {
					continue
				}
				switch s.GroupRole {
				case "lead":
					leads++
				case "core", "member":
					members++
				default:
					t.Errorf("seed %d: %s in group %s has role %q", seed, s.Name, g.Name, s.GroupRole)
				}
				if !inRange(s.JoinedOn) || s.JoinedOn < g.FoundedOn {
					t.Errorf("seed %d: %s joined %q, group %s founded %q", seed, s.Name, s.JoinedOn, g.Name, g.FoundedOn)
				}
			}
			if leads != 1 {
				t.Errorf("seed %d: group %s has %d lead schools, want 1", seed, g.Name, leads)
			}
			if members < 3 || members > 7 {
				t.Errorf("seed %d: group %s has %d members besides the lead, want 3..7", seed, g.Name, members)
			}
		}
	}
}

func TestSchools(t *testing.T) {
	category := map[string]string{"preschool": "11", "primary": "21", "junior": "31", "nine_year": "31", "senior": "34"}
	typeCode := map[string]string{"preschool": "111", "primary": "211", "junior": "311", "nine_year": "312", "senior": "342"}
	urbanRural := map[string]bool{"111": true, "112": true, "121": true, "122": true, "210": true, "220": true}
	// Students per staff member: loose bounds around the stage's ratio, wide
	// enough for small schools that are staffed by classes, not by pupils.
	ratio := map[string][2]float64{"preschool": {7, 18}, "primary": {10, 22}, "junior": {8, 16},
		"nine_year": {9, 19}, "senior": {9, 15}}
	for _, seed := range testSeeds {
		c := Generate(seed)
		codes := map[string]bool{}
		names := map[string]bool{}
		staffOf := make([]int, len(c.Schools))
		principals := make([]int, len(c.Schools))
		for _, p := range c.Staff {
			staffOf[p.School]++
			if p.Post == "principal" {
				principals[p.School]++
			}
		}
		for i, s := range c.Schools {
			if !ValidSchoolCode(s.Code) {
				t.Errorf("seed %d: %s code %q invalid", seed, s.Name, s.Code)
			}
			if codes[s.Code] {
				t.Errorf("seed %d: duplicate school code %q", seed, s.Code)
			}
			codes[s.Code] = true
			if names[s.Name] {
				t.Errorf("seed %d: duplicate school name %q", seed, s.Name)
			}
			names[s.Name] = true
			if got, want := s.Code[:2], category[s.Stage]; got != want {
				t.Errorf("seed %d: %s (%s) code category %q, want %q", seed, s.Name, s.Stage, got, want)
			}
			if got, want := s.TypeCode, typeCode[s.Stage]; got != want {
				t.Errorf("seed %d: %s type code %q, want %q", seed, s.Name, got, want)
			}
			if !urbanRural[s.UrbanRural] {
				t.Errorf("seed %d: %s urban/rural %q", seed, s.Name, s.UrbanRural)
			}
			if s.Township < 0 || s.Township >= len(c.Townships) {
				t.Errorf("seed %d: %s township index %d", seed, s.Name, s.Township)
			}
			if s.IsNew && s.Tier == "quality" {
				t.Errorf("seed %d: new school %s has tier quality", seed, s.Name)
			}
			if got, want := s.StaffCount, staffOf[i]; got != want {
				t.Errorf("seed %d: %s StaffCount %d, staff entries %d", seed, s.Name, got, want)
			}
			if principals[i] != 1 {
				t.Errorf("seed %d: %s has %d principals, want 1", seed, s.Name, principals[i])
			}
			if !mobileRE.MatchString(s.Phone) || s.Principal == "" {
				t.Errorf("seed %d: %s principal %q phone %q", seed, s.Name, s.Principal, s.Phone)
			}
			if (s.Group == -1) != (s.GroupRole == "") || (s.Group == -1) != (s.JoinedOn == "") {
				t.Errorf("seed %d: %s group %d role %q joined %q disagree", seed, s.Name, s.Group, s.GroupRole, s.JoinedOn)
			}
			size := float64(s.Students) / float64(s.Classes)
			lo, hi := 30.0, 50.0
			if s.Stage == "preschool" {
				lo, hi = 15, 35
			}
			if size < lo || size > hi {
				t.Errorf("seed %d: %s class size %.1f, want %v..%v", seed, s.Name, size, lo, hi)
			}
			r := float64(s.Students) / float64(s.StaffCount)
			if b := ratio[s.Stage]; r < b[0] || r > b[1] {
				t.Errorf("seed %d: %s %s students per staff %.1f, want %v..%v", seed, s.Name, s.Stage, r, b[0], b[1])
			}
		}
	}
}

func TestCadres(t *testing.T) {
	c := Generate(1)
	type counts struct{ vice, dir int }
	per := make([]counts, len(c.Schools))
	for _, p := range c.Staff {
		switch p.Post {
		case "vice_principal":
			per[p.School].vice++
		case "director", "vice_director":
			per[p.School].dir++
		case "principal", "teacher":
		default:
			t.Errorf("staff %s post %q", p.StaffNo, p.Post)
		}
	}
	for i, s := range c.Schools {
		if per[i].vice < 1 || per[i].vice > 3 {
			t.Errorf("%s has %d vice principals, want 1..3", s.Name, per[i].vice)
		}
		if per[i].dir < 2 {
			t.Errorf("%s has %d directors, want several", s.Name, per[i].dir)
		}
	}
}

func TestStaff(t *testing.T) {
	subjectsOf := map[string][]string{
		"preschool": {"学前教育"},
		"primary":   {"语文", "数学", "英语", "道德与法治", "科学", "信息科技", "体育与健康", "音乐", "美术", "劳动", "综合实践活动"},
		"junior": {"语文", "数学", "英语", "道德与法治", "历史", "地理", "物理", "化学", "生物", "信息科技",
			"体育与健康", "音乐", "美术", "劳动", "综合实践活动"},
	}
	subjectsOf["senior"] = subjectsOf["junior"]
	subjectsOf["nine_year"] = append(append([]string{}, subjectsOf["junior"]...), "科学")
	titles := map[string]bool{"正高级教师": true, "高级教师": true, "一级教师": true, "二级教师": true, "三级教师": true, "未评": true}
	honours := map[string]bool{"学科带头人": true, "骨干教师": true, "名师": true, "名班主任": true, "特级教师": true}
	education := map[string]bool{"10": true, "20": true, "30": true, "40": true}
	status := map[string]bool{"active": true, "retired": true, "transferred": true}
	surname := map[string]bool{}
	for _, s := range surnames {
		surname[s.name] = true
	}
	asOf := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

	for _, seed := range testSeeds {
		c := Generate(seed)
		ids, phones, nos := map[string]bool{}, map[string]bool{}, map[string]bool{}
		honoured, active := 0, 0
		for _, p := range c.Staff {
			if !registry.ValidIDCard(p.IDCard) || !strings.HasPrefix(p.IDCard, "340321") {
				t.Errorf("seed %d: %s ID %q invalid", seed, p.StaffNo, p.IDCard)
			}
			if ids[p.IDCard] {
				t.Errorf("seed %d: duplicate ID %q", seed, p.IDCard)
			}
			ids[p.IDCard] = true
			if !mobileRE.MatchString(p.Phone) {
				t.Errorf("seed %d: %s phone %q invalid", seed, p.StaffNo, p.Phone)
			}
			if phones[p.Phone] {
				t.Errorf("seed %d: duplicate phone %q", seed, p.Phone)
			}
			phones[p.Phone] = true
			if nos[p.StaffNo] || p.StaffNo == "" {
				t.Errorf("seed %d: duplicate or empty staff number %q", seed, p.StaffNo)
			}
			nos[p.StaffNo] = true

			wantGender := "F"
			if (p.IDCard[16]-'0')%2 == 1 {
				wantGender = "M"
			}
			if p.Gender != wantGender {
				t.Errorf("seed %d: %s gender %q, ID %s says %q", seed, p.StaffNo, p.Gender, p.IDCard, wantGender)
			}
			birth, err := time.Parse("2006-01-02", p.BirthDate)
			if err != nil || strings.ReplaceAll(p.BirthDate, "-", "") != p.IDCard[6:14] {
				t.Errorf("seed %d: %s birth date %q disagrees with ID %q", seed, p.StaffNo, p.BirthDate, p.IDCard)
			}
			hire, err := time.Parse("2006-01-02", p.HireDate)
			if err != nil || !hire.After(birth.AddDate(20, 0, 0)) || hire.After(asOf) {
				t.Errorf("seed %d: %s hired %q, born %q", seed, p.StaffNo, p.HireDate, p.BirthDate)
			}
			age := asOf.Year() - birth.Year()
			if asOf.Before(birth.AddDate(age, 0, 0)) {
				age--
			}
			if age < 21 || age > 65 {
				t.Errorf("seed %d: %s is %d years old", seed, p.StaffNo, age)
			}
			if p.Status == "active" {
				active++
				if (p.Gender == "F" && age > 55) || age > 60 {
					t.Errorf("seed %d: active %s %s is %d, past retirement", seed, p.StaffNo, p.Gender, age)
				}
			}

			runes := []rune(p.Name)
			if len(runes) < 2 || len(runes) > 3 || !surname[string(runes[0])] {
				t.Errorf("seed %d: %s implausible name %q", seed, p.StaffNo, p.Name)
			}
			if p.School < 0 || p.School >= len(c.Schools) {
				t.Fatalf("seed %d: %s school index %d", seed, p.StaffNo, p.School)
			}
			stage := c.Schools[p.School].Stage
			if !contains(subjectsOf[stage], p.Subject) {
				t.Errorf("seed %d: %s subject %q not taught at %s stage", seed, p.StaffNo, p.Subject, stage)
			}
			if !titles[p.Title] || !education[p.Education] || !status[p.Status] {
				t.Errorf("seed %d: %s title %q education %q status %q", seed, p.StaffNo, p.Title, p.Education, p.Status)
			}
			if p.Title == "正高级教师" && age < 45 {
				t.Errorf("seed %d: %s is 正高级 at %d", seed, p.StaffNo, age)
			}
			if p.Post != "teacher" && p.Status != "active" {
				t.Errorf("seed %d: cadre %s status %q", seed, p.StaffNo, p.Status)
			}
			for _, h := range p.Honours {
				if !honours[h] {
					t.Errorf("seed %d: %s honour %q", seed, p.StaffNo, h)
				}
			}
			if len(p.Honours) > 0 {
				honoured++
			}
		}
		if honoured*5 > len(c.Staff) || honoured == 0 {
			t.Errorf("seed %d: %d of %d staff hold honours, want a few", seed, honoured, len(c.Staff))
		}
		if active*100 < len(c.Staff)*95 {
			t.Errorf("seed %d: only %d of %d staff active", seed, active, len(c.Staff))
		}
	}
}

func TestValidSchoolCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"2134012345", true},
		{"1134000001", true},
		{"3434999999", true},
		{"2135012345", false}, // another province
		{"9934012345", false}, // unknown category
		{"213401234", false},
		{"21340123456", false},
		{"21340A2345", false},
	}
	for _, tt := range tests {
		if got := ValidSchoolCode(tt.code); got != tt.want {
			t.Errorf("ValidSchoolCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// TestGenerateIsFast keeps generation cheap enough to run on every demo
// start; the budget is generous so a loaded CI machine does not flake.
func TestGenerateIsFast(t *testing.T) {
	start := time.Now()
	Generate(1)
	if d := time.Since(start); d > time.Second {
		t.Errorf("Generate took %v, want well under 100ms", d)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Generate(int64(i))
	}
}
