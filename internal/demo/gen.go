// Package demo builds a realistic, made-up county for EduGroup: townships,
// schools and kindergartens, education groups and their staff. Demos, UI
// screenshots and load tests need data that looks like a Chinese county's
// (valid ID numbers, plausible names and titles, sensible class sizes) without
// ever touching real personal data, so everything here is invented but obeys
// the national codes. Generate is pure (no database, no files, no clock), so
// the same seed always yields the same county; writing it into a store is a
// separate step.
//
// Load writes the county through the services, never around them: the
// registry's bulk path (each school, group, membership and staff member
// validated as the one-at-a-time paths validate it, in one transaction),
// the account service for the users and grants, the exchange workflow
// replayed step by step on the days of each exchange's history, and the
// exam imports. The data is therefore valid by construction, a schema change
// needs no edit here, and every write is in the audit log: the demo's own
// under the system actor 演示数据, the replayed steps under the demo account
// that takes each one, with 演示数据 as the request id. LoadProvince, which
// fills a store with a province for load tests, still writes its registry
// with multi-row INSERTs; only its accounts go through the service.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// County is the whole demo data set of one county education bureau. Indices
// (School.Township, School.Group, Group.LeadSchool, Staff.School) point into
// the slices of the same County, so a loader can insert in slice order and map
// index to database id.
type County struct {
	Code, Name string // GB/T 2260 code and name: "340321", "怀远县"
	BureauName string // the bureau that runs the groups, e.g. "怀远县教育体育局"
	Townships  []Township
	Groups     []Group
	Schools    []School
	Staff      []Staff
}

// Township is a town (镇) or township (乡) of the county; schools are placed
// in one so that the dashboard can show coverage town by town.
type Township struct {
	Code string // 9-digit 乡级 code, county code + 3 digits (1xx 镇, 2xx 乡), stable across seeds
	Name string
}

// Group is an education group (教育集团): a lead school and its members.
type Group struct {
	Name       string // e.g. "怀远县城关实验小学教育集团"
	Mode       string // multi_school regional direct same_stage paired cross_stage entrusted multi_legal nine_year
	Governance string // "unified" (一个法人一体化管理) or "federated" (多个法人联合管理)
	LeadSchool int    // index into County.Schools
	FoundedOn  string // YYYY-MM-DD
	Goal       string // 办学目标
	Philosophy string // 办学理念
	Motto      string // 校训
}

// School is a school or kindergarten with its registry data and, when it is
// in a group, its place in the group.
type School struct {
	Code       string // 学校标识码: category (11/21/31/34) + "34" + 6-digit sequence; unique
	Name       string
	ShortName  string
	Township   int    // index into County.Townships
	UrbanRural string // 统计用城乡划分代码: 111 112 121 122 210 220
	Stage      string // preschool primary junior nine_year senior
	TypeCode   string // GB/T 33782 办学类型: 111 211 311 312 342
	Students   int
	Classes    int
	StaffCount int    // equals the number of County.Staff entries of this school
	Tier       string // quality ordinary weak
	IsNew      bool   // 新建学校, opened in the last few years
	Principal  string // the name of the school's principal (the Staff entry with Post "principal")
	Phone      string // the principal's mobile, which is how a bureau reaches a school
	Group      int    // index into County.Groups, -1 when not in any group
	GroupRole  string // "lead", "core", "member", or "" when Group == -1
	JoinedOn   string // YYYY-MM-DD, "" when not in a group
}

// Staff is one member of a school's staff (教职工), cadre or teacher.
type Staff struct {
	StaffNo   string // unique: the school code's 6-digit sequence + 4-digit number
	Name      string
	Gender    string // "M" or "F", agrees with the ID number's sequence digit (odd = male)
	IDCard    string // GB 11643 number, region 340321; unique
	Phone     string // mobile; unique
	School    int    // index into County.Schools
	Post      string // principal vice_principal director vice_director teacher
	Subject   string // subject taught, suited to the school's stage
	Title     string // 正高级教师 高级教师 一级教师 二级教师 三级教师 未评
	Honours   []string
	Education string // GB/T 4658 code: 10 20 30 40 …
	BirthDate string // YYYY-MM-DD, the same date as in IDCard
	HireDate  string // YYYY-MM-DD, after the 20th birthday
	Status    string // "active", "retired" or "transferred"
}

const (
	countyCode = "340321"
	countyName = "怀远县"
	bureauName = "怀远县教育体育局"
	dateLayout = "2006-01-02"

	// pcgStream is the second PCG word; fixing it means the seed alone picks
	// the county, as Generate promises.
	pcgStream = 0x45647547726f7570 // "EduGroup"
)

// asOf is the day the demo county is described at: the start of the autumn
// term 2026. Ages, titles and dates are computed against it instead of the
// clock, so the output never changes with the day the generator runs.
var asOf = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

// earliestGroupDate is the lower bound for group founding and joining dates;
// county group schooling in Anhui started around then.
var earliestGroupDate = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// Stage values and their national codes. Keeping the mapping in one table
// keeps the school code category, the 办学类型 and the subject list in step.
const (
	stagePreschool = "preschool"
	stagePrimary   = "primary"
	stageJunior    = "junior"
	stageNineYear  = "nine_year"
	stageSenior    = "senior"
)

type stageInfo struct {
	category   string  // 学校标识码 category
	typeCode   string  // GB/T 33782 办学类型
	ratio      float64 // students per staff member the county is staffed at
	minClasses int     // one class per grade at least
	femaleP    float64 // share of women among the stage's teachers
}

var stages = map[string]stageInfo{
	stagePreschool: {"11", "111", 15, 3, 0.97},
	stagePrimary:   {"21", "211", 19, 6, 0.72},
	stageJunior:    {"31", "311", 13.5, 3, 0.55},
	stageNineYear:  {"31", "312", 16, 9, 0.63},
	stageSenior:    {"34", "342", 12.5, 3, 0.45},
}

// schoolPlan is one line of the county blueprint. The blueprint is fixed so
// that every seed yields the same recognisable county (the same strong urban
// schools, the same groups); the seed varies villages, sizes, dates and people.
type schoolPlan struct {
	name     string // "*" is replaced by a generated village name
	short    string // explicit short name; derived from name when empty
	township string
	stage    string
	ur       string
	tier     string
	minStu   int
	maxStu   int
	group    int // index into groupPlans, -1 for none
	role     string
	late     bool // joined after the group was founded (new intake)
	opened   int  // year a new school opened; 0 for established schools
}

type groupPlan struct {
	name, mode, governance string
	year                   int  // founding year
	kindergarten           bool // the group's charter speaks of early childhood
}

var groupPlans = []groupPlan{
	{"怀远县实验小学教育集团", "multi_school", "federated", 2019, false},
	{"怀远县城关实验小学教育集团", "direct", "unified", 2021, false},
	{"榴城镇荆山幼儿园教育集团", "same_stage", "federated", 2020, true},
	{"怀远县第一实验学校教育集团", "nine_year", "federated", 2018, false},
	{"怀远县实验中学教育集团", "regional", "federated", 2020, false},
	{"龙亢镇中心小学教育集团", "paired", "federated", 2022, false},
	{"怀远县榴城中学教育集团", "cross_stage", "federated", 2023, false},
	{"怀远县第二实验小学教育集团", "entrusted", "federated", 2023, false},
}

const (
	roleLead   = "lead"
	roleCore   = "core"
	roleMember = "member"

	tierQuality  = "quality"
	tierOrdinary = "ordinary"
	tierWeak     = "weak"
)

var schoolPlans = []schoolPlan{
	// 0 怀远县实验小学教育集团 (多校协同): the county's flagship primary school
	// pulls town and village primaries of the east.
	{"怀远县实验小学", "", "城关镇", stagePrimary, "111", tierQuality, 2600, 3200, 0, roleLead, false, 0},
	{"怀远县城关第二小学", "城关二小", "城关镇", stagePrimary, "111", tierQuality, 1500, 2000, 0, roleCore, false, 0},
	{"常坟镇中心小学", "", "常坟镇", stagePrimary, "121", tierOrdinary, 700, 1000, 0, roleMember, false, 0},
	{"常坟镇*小学", "", "常坟镇", stagePrimary, "220", tierWeak, 180, 320, 0, roleMember, false, 0},
	{"魏庄镇中心小学", "", "魏庄镇", stagePrimary, "121", tierOrdinary, 600, 900, 0, roleMember, false, 0},
	{"魏庄镇*小学", "", "魏庄镇", stagePrimary, "220", tierWeak, 180, 300, 0, roleMember, true, 0},
	{"找郢乡中心小学", "", "找郢乡", stagePrimary, "210", tierOrdinary, 400, 650, 0, roleMember, true, 0},

	// 1 怀远县城关实验小学教育集团 (统一直管, one legal person): the lead runs
	// its new campuses directly.
	{"怀远县城关实验小学", "城关实小", "城关镇", stagePrimary, "111", tierQuality, 2200, 2800, 1, roleLead, false, 0},
	{"怀远县城关实验小学涂山路校区", "城关实小涂山路校区", "城关镇", stagePrimary, "111", tierOrdinary, 540, 900, 1, roleMember, false, 2023},
	{"怀远县城关实验小学禹王校区", "城关实小禹王校区", "榴城镇", stagePrimary, "112", tierWeak, 400, 700, 1, roleMember, false, 2024},
	{"城关镇*小学", "", "城关镇", stagePrimary, "112", tierOrdinary, 300, 500, 1, roleMember, false, 0},

	// 2 榴城镇荆山幼儿园教育集团 (同学段联盟): kindergartens only.
	{"榴城镇荆山幼儿园", "荆山幼儿园", "榴城镇", stagePreschool, "111", tierQuality, 450, 600, 2, roleLead, false, 0},
	{"龙亢镇中心幼儿园", "", "龙亢镇", stagePreschool, "121", tierOrdinary, 200, 320, 2, roleMember, false, 0},
	{"河溜镇中心幼儿园", "", "河溜镇", stagePreschool, "121", tierOrdinary, 200, 300, 2, roleMember, false, 0},
	{"万福镇中心幼儿园", "", "万福镇", stagePreschool, "121", tierWeak, 150, 260, 2, roleMember, false, 0},
	{"榴城镇*幼儿园", "", "榴城镇", stagePreschool, "220", tierWeak, 80, 150, 2, roleMember, true, 0},
	{"怀远县禹都幼儿园", "禹都幼儿园", "城关镇", stagePreschool, "111", tierOrdinary, 180, 300, 2, roleMember, false, 2022},

	// 3 怀远县第一实验学校教育集团 (九年一贯制): a nine-year school leads
	// nine-year and primary/junior schools so that the stages join up.
	{"怀远县第一实验学校", "一实验", "城关镇", stageNineYear, "111", tierQuality, 3000, 3800, 3, roleLead, false, 0},
	{"河溜镇中心学校", "", "河溜镇", stageNineYear, "121", tierOrdinary, 1200, 1600, 3, roleCore, false, 0},
	{"河溜镇*小学", "", "河溜镇", stagePrimary, "220", tierWeak, 180, 320, 3, roleMember, false, 0},
	{"古城镇中心学校", "", "古城镇", stageNineYear, "121", tierOrdinary, 800, 1100, 3, roleMember, false, 0},
	{"古城镇*小学", "", "古城镇", stagePrimary, "220", tierWeak, 180, 280, 3, roleMember, true, 0},
	{"荆山镇初级中学", "", "荆山镇", stageJunior, "121", tierOrdinary, 500, 800, 3, roleMember, false, 0},

	// 4 怀远县实验中学教育集团 (区域组团): the western junior schools.
	{"怀远县实验中学", "", "城关镇", stageJunior, "111", tierQuality, 2400, 3000, 4, roleLead, false, 0},
	{"龙亢镇初级中学", "", "龙亢镇", stageJunior, "121", tierOrdinary, 600, 900, 4, roleCore, false, 0},
	{"淝河镇初级中学", "", "淝河镇", stageJunior, "121", tierOrdinary, 450, 700, 4, roleMember, false, 0},
	{"兰桥镇初级中学", "", "兰桥镇", stageJunior, "121", tierWeak, 300, 500, 4, roleMember, false, 0},
	{"褚集镇初级中学", "", "褚集镇", stageJunior, "121", tierWeak, 300, 500, 4, roleMember, false, 0},
	{"包集镇初级中学", "", "包集镇", stageJunior, "121", tierWeak, 280, 450, 4, roleMember, true, 0},

	// 5 龙亢镇中心小学教育集团 (结对帮扶): a strong town school paired with
	// village schools; the lead is not urban, which real counties also do.
	{"龙亢镇中心小学", "", "龙亢镇", stagePrimary, "121", tierQuality, 1300, 1700, 5, roleLead, false, 0},
	{"龙亢镇*小学", "", "龙亢镇", stagePrimary, "220", tierWeak, 180, 300, 5, roleMember, false, 0},
	{"龙亢镇*小学", "", "龙亢镇", stagePrimary, "220", tierWeak, 180, 280, 5, roleMember, false, 0},
	{"包集镇中心小学", "", "包集镇", stagePrimary, "121", tierOrdinary, 600, 900, 5, roleMember, false, 0},
	{"包集镇*小学", "", "包集镇", stagePrimary, "220", tierWeak, 180, 260, 5, roleMember, true, 0},

	// 6 怀远县榴城中学教育集团 (跨学段联合): junior school with a primary, a
	// nine-year school and kindergartens.
	{"怀远县榴城中学", "榴城中学", "榴城镇", stageJunior, "111", tierQuality, 1800, 2400, 6, roleLead, false, 0},
	{"榴城镇中心小学", "", "榴城镇", stagePrimary, "111", tierOrdinary, 1300, 1700, 6, roleMember, false, 0},
	{"榴城镇第二幼儿园", "", "榴城镇", stagePreschool, "111", tierOrdinary, 250, 380, 6, roleMember, false, 0},
	{"马头镇中心学校", "", "马头镇", stageNineYear, "121", tierOrdinary, 900, 1300, 6, roleMember, false, 0},
	{"马头镇中心幼儿园", "", "马头镇", stagePreschool, "121", tierWeak, 150, 250, 6, roleMember, true, 0},

	// 7 怀远县第二实验小学教育集团 (委托管理): the lead manages weak schools on
	// the bureau's commission.
	{"怀远县第二实验小学", "二实小", "榴城镇", stagePrimary, "111", tierQuality, 2000, 2600, 7, roleLead, false, 0},
	{"白莲坡镇中心小学", "", "白莲坡镇", stagePrimary, "121", tierWeak, 500, 800, 7, roleMember, false, 0},
	{"徐圩乡中心学校", "", "徐圩乡", stageNineYear, "210", tierWeak, 500, 800, 7, roleMember, false, 0},
	{"唐集镇中心小学", "", "唐集镇", stagePrimary, "121", tierOrdinary, 600, 900, 7, roleMember, true, 0},

	// Not in any group: the senior high schools (groups are for 中小学幼儿园)
	// and schools the bureau has not yet brought in, which the dashboard's
	// coverage figures need.
	{"安徽省怀远第一中学", "怀远一中", "城关镇", stageSenior, "111", tierQuality, 4000, 5000, -1, "", false, 0},
	{"安徽省怀远第二中学", "怀远二中", "榴城镇", stageSenior, "111", tierOrdinary, 2500, 3200, -1, "", false, 0},
	{"陈集镇中心学校", "", "陈集镇", stageNineYear, "121", tierOrdinary, 800, 1200, -1, "", false, 0},
	{"陈集镇*小学", "", "陈集镇", stagePrimary, "220", tierWeak, 180, 280, -1, "", false, 0},
	{"孝仪镇中心小学", "", "孝仪镇", stagePrimary, "121", tierOrdinary, 500, 800, -1, "", false, 0},
	{"孝仪镇*小学", "", "孝仪镇", stagePrimary, "220", tierWeak, 180, 260, -1, "", false, 0},
	{"双桥集镇中心小学", "", "双桥集镇", stagePrimary, "121", tierOrdinary, 600, 900, -1, "", false, 0},
	{"双桥集镇中心幼儿园", "", "双桥集镇", stagePreschool, "121", tierOrdinary, 150, 260, -1, "", false, 0},
	{"唐集镇*幼儿园", "", "唐集镇", stagePreschool, "220", tierWeak, 70, 130, -1, "", false, 0},
	{"怀远县禹王小学", "禹王小学", "榴城镇", stagePrimary, "112", tierWeak, 400, 700, -1, "", false, 2025},
}

// gen carries the random source and the uniqueness sets while one county is
// built. The maps are used for membership only, never iterated, so map order
// cannot leak into the output.
type gen struct {
	r        *rand.Rand
	ids      map[string]bool
	phones   map[string]bool
	seqs     map[int]bool
	villages map[string]bool
	surnameT int // total surname weight, computed once per county
}

// Generate returns the same county for the same seed.
func Generate(seed int64) *County {
	g := &gen{
		r:        rand.New(rand.NewPCG(uint64(seed), pcgStream)),
		ids:      make(map[string]bool, 4096),
		phones:   make(map[string]bool, 4096),
		seqs:     make(map[int]bool, len(schoolPlans)),
		villages: make(map[string]bool, len(schoolPlans)),
	}
	for _, s := range surnames {
		g.surnameT += s.weight
	}
	c := &County{Code: countyCode, Name: countyName, BureauName: bureauName}
	c.Townships = makeTownships()
	c.Groups = g.groups()
	c.Schools = g.schools(c)
	for i := range c.Schools {
		staff := g.staff(i, &c.Schools[i])
		c.Schools[i].Principal = staff[0].Name
		c.Schools[i].Phone = staff[0].Phone
		c.Staff = append(c.Staff, staff...)
	}
	return c
}

// makeTownships numbers towns 1xx and townships (乡) 2xx after the county
// code, the way 统计用区划代码 does, so codes stay stable when the list grows.
func makeTownships() []Township {
	ts := make([]Township, 0, len(townshipNames))
	town, xiang := 100, 200
	for _, n := range townshipNames {
		var code int
		if strings.HasSuffix(n, "乡") {
			code, xiang = xiang, xiang+1
		} else {
			code, town = town, town+1
		}
		ts = append(ts, Township{Code: fmt.Sprintf("%s%03d", countyCode, code), Name: n})
	}
	return ts
}

func townshipIndex(name string) int {
	for i, n := range townshipNames {
		if n == name {
			return i
		}
	}
	panic("demo: unknown township " + name) // a blueprint typo; caught by the tests
}

func (g *gen) groups() []Group {
	goals := g.r.Perm(len(groupGoals))
	phils := g.r.Perm(len(groupPhilosophies))
	mottos := g.r.Perm(len(groupMottos))
	out := make([]Group, len(groupPlans))
	for i, p := range groupPlans {
		founded := g.dateInYear(p.year)
		phil := groupPhilosophies[phils[i%len(phils)]]
		if p.kindergarten {
			phil = kindergartenPhilosophies[g.r.IntN(len(kindergartenPhilosophies))]
		}
		out[i] = Group{
			Name:       p.name,
			Mode:       p.mode,
			Governance: p.governance,
			LeadSchool: -1, // set when the lead school is placed
			FoundedOn:  founded.Format(dateLayout),
			Goal:       groupGoals[goals[i%len(goals)]],
			Philosophy: phil,
			Motto:      groupMottos[mottos[i%len(mottos)]],
		}
	}
	return out
}

func (g *gen) schools(c *County) []School {
	out := make([]School, len(schoolPlans))
	for i, p := range schoolPlans {
		info := stages[p.stage]
		name := p.name
		//lint:ignore S1017 g.village draws from the seeded source: only names that take a village may draw one
		if strings.Contains(name, "*") {
			name = strings.Replace(name, "*", g.village(), 1)
		}
		short := p.short
		if short == "" {
			short = shortName(name, p.township)
		}
		students, classes := g.size(p, info)
		s := School{
			Code:       info.category + "34" + fmt.Sprintf("%06d", g.sequence()),
			Name:       name,
			ShortName:  short,
			Township:   townshipIndex(p.township),
			UrbanRural: p.ur,
			Stage:      p.stage,
			TypeCode:   info.typeCode,
			Students:   students,
			Classes:    classes,
			Tier:       p.tier,
			IsNew:      p.opened > 0,
			Group:      p.group,
			GroupRole:  p.role,
		}
		s.StaffCount = g.staffCount(s, info)
		if p.group >= 0 {
			grp := &c.Groups[p.group]
			founded, _ := time.Parse(dateLayout, grp.FoundedOn)
			joined := founded
			switch {
			case p.opened > 0:
				// A new school joins just before its first term starts.
				joined = laterOf(founded, time.Date(p.opened, 8, 15+g.r.IntN(15), 0, 0, 0, 0, time.UTC))
			case p.late:
				// New intake: the group takes the school in later terms.
				joined = founded.AddDate(0, 6+g.r.IntN(30), g.r.IntN(28))
			}
			if joined.After(asOf) {
				joined = asOf
			}
			s.JoinedOn = joined.Format(dateLayout)
			if p.role == roleLead {
				grp.LeadSchool = i
			}
		}
		out[i] = s
	}
	return out
}

// shortName drops the county prefix or the 镇/乡 suffix the way staff say a
// school's name aloud ("龙亢中心小学", "实验小学").
func shortName(name, township string) string {
	if rest, ok := strings.CutPrefix(name, countyName); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(name, township); ok {
		town := strings.TrimSuffix(strings.TrimSuffix(township, "镇"), "乡")
		return town + rest
	}
	return name
}

// village returns a village name not used before in this county, so that two
// village schools never share a name.
func (g *gen) village() string {
	for {
		v := villageHeads[g.r.IntN(len(villageHeads))] + villageTails[g.r.IntN(len(villageTails))]
		if !g.villages[v] {
			g.villages[v] = true
			return v
		}
	}
}

// sequence draws the 6-digit part of a 学校标识码. Codes are allocated in a
// block per county in practice, hence the narrow range; the sequence is unique
// across categories too because StaffNo is built from it.
func (g *gen) sequence() int {
	for {
		n := 30000 + 1 + g.r.IntN(9999)
		if !g.seqs[n] {
			g.seqs[n] = true
			return n
		}
	}
}

// size picks students and classes so that the average class size fits the
// school: crowded town classes, small village classes, smaller kindergarten
// classes, and always at least one class per grade.
func (g *gen) size(p schoolPlan, info stageInfo) (students, classes int) {
	students = p.minStu + g.r.IntN(p.maxStu-p.minStu+1)
	lo, hi := 30, 50
	switch {
	case p.stage == stagePreschool && (p.ur == "111" || p.ur == "112"):
		lo, hi = 26, 33
	case p.stage == stagePreschool:
		lo, hi = 20, 30
	case p.ur == "111":
		lo, hi = 42, 50
	case p.ur == "112":
		lo, hi = 38, 46
	case p.ur == "121" || p.ur == "122":
		lo, hi = 36, 46
	case p.ur == "210":
		lo, hi = 32, 42
	default:
		lo, hi = 30, 38
	}
	size := lo + g.r.IntN(hi-lo+1)
	classes = max(1, (students+size/2)/size)
	minClasses := info.minClasses
	if p.opened > 0 {
		// A new school opens with its lower grades only.
		minClasses = 3
	}
	if classes < minClasses {
		classes = minClasses
		if students < classes*lo {
			students = classes * (lo + g.r.IntN(5))
		}
	}
	// Rounding can push the average just outside the band; move students,
	// not classes, so the grade count stays right.
	if students > classes*hi {
		students = classes * hi
	}
	if students < classes*lo {
		students = classes * lo
	}
	return students, classes
}

// cadreCounts says how many vice principals and middle-level leaders a
// school of n staff has: one vice principal in a village school, three in a
// big town school, and a 教导处/总务处/德育处… of matching size.
func cadreCounts(n int) (vices, directors, viceDirectors int) {
	switch {
	case n < 25:
		vices = 1
	case n < 70:
		vices = 2
	default:
		vices = 3
	}
	switch {
	case n < 15:
		directors, viceDirectors = 2, 0
	case n < 40:
		directors, viceDirectors = 2, 1
	case n < 100:
		directors, viceDirectors = 3, 2
	default:
		directors, viceDirectors = 4, 4
	}
	return
}

// staffCount staffs a school at its stage's student-staff ratio with some
// noise, but never below one principal, the cadres and a teacher per class
// (plus a care worker shared by two classes in a kindergarten), which is what
// small village schools are staffed by in practice.
func (g *gen) staffCount(s School, info stageInfo) int {
	n := int(float64(s.Students)/info.ratio*(0.92+0.18*g.r.Float64()) + 0.5)
	floor := s.Classes
	if s.Stage == stagePreschool {
		floor += (s.Classes + 1) / 2
	}
	v, d, vd := cadreCounts(n)
	return max(n, 1+v+d+vd+floor)
}

// staff builds the roster of one school: the principal first (so that the
// School can name him or her), then vice principals, directors, teachers.
func (g *gen) staff(si int, s *School) []Staff {
	info := stages[s.Stage]
	vices, dirs, viceDirs := cadreCounts(s.StaffCount)
	// cadreCounts is applied to the final count; recheck the floor so a
	// school never has more cadres than staff.
	if 1+vices+dirs+viceDirs > s.StaffCount {
		s.StaffCount = 1 + vices + dirs + viceDirs
	}
	out := make([]Staff, 0, s.StaffCount)
	for k := 0; k < s.StaffCount; k++ {
		post := "teacher"
		switch {
		case k == 0:
			post = "principal"
		case k <= vices:
			post = "vice_principal"
		case k <= vices+dirs:
			post = "director"
		case k <= vices+dirs+viceDirs:
			post = "vice_director"
		}
		out = append(out, g.person(si, s, info, post, k+1))
	}
	return out
}

func (g *gen) person(si int, s *School, info stageInfo, post string, n int) Staff {
	subject := g.subject(s.Stage)
	female := g.female(post, s.Stage, subject, info)
	status := "active"
	var age int
	if post == "teacher" {
		switch x := g.r.IntN(1000); {
		case x < 15:
			status = "retired"
		case x < 30:
			status = "transferred"
		}
	}
	if status == "retired" {
		// Retired teachers stay on the roster for pension and honours
		// paperwork; they left at 55 (women) or 60 (men) not long ago.
		if female {
			age = 55 + g.r.IntN(6)
		} else {
			age = 60 + g.r.IntN(4)
		}
	} else {
		age = g.age(post, s, female)
	}
	birth := g.birth(age)
	edu := g.education(age, s.Stage, post)
	title := g.title(age, s.Stage, post, edu)
	return Staff{
		StaffNo:   s.Code[4:] + fmt.Sprintf("%04d", n),
		Name:      g.name(female),
		Gender:    genderCode(female),
		IDCard:    g.idCard(birth, female),
		Phone:     g.phone(),
		School:    si,
		Post:      post,
		Subject:   subject,
		Title:     title,
		Honours:   g.honours(age, title, post, s.Stage),
		Education: edu,
		BirthDate: birth.Format(dateLayout),
		HireDate:  g.hire(birth, edu).Format(dateLayout),
		Status:    status,
	}
}

// genderCode gives the platform's gender value; GB 11643 encodes the same
// fact in the ID number's sequence digit.
func genderCode(female bool) string {
	if female {
		return "F"
	}
	return "M"
}

func (g *gen) subject(stage string) string {
	switch stage {
	case stagePreschool:
		return preschoolSubject
	case stagePrimary:
		return pickSubject(g.r, primarySubjects)
	case stageJunior:
		return pickSubject(g.r, juniorSubjects)
	case stageSenior:
		return pickSubject(g.r, seniorSubjects)
	default: // nine-year schools have six primary grades and three junior ones
		if g.r.IntN(3) < 2 {
			return pickSubject(g.r, primarySubjects)
		}
		return pickSubject(g.r, juniorSubjects)
	}
}

func pickSubject(r *rand.Rand, ws []subjectWeight) string {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	x := r.IntN(total)
	for _, w := range ws {
		if x < w.weight {
			return w.name
		}
		x -= w.weight
	}
	return ws[len(ws)-1].name
}

// female decides gender from the stage's teacher mix: Chinese kindergartens
// and primaries are staffed mostly by women, principals are more often men,
// and so are P.E. teachers.
func (g *gen) female(post, stage, subject string, info stageInfo) bool {
	p := info.femaleP
	switch {
	case post == "principal" && stage != stagePreschool:
		p = 0.3
	case post == "vice_principal" && stage != stagePreschool:
		p = 0.4
	case subject == "体育与健康":
		p *= 0.45
	case subject == "物理":
		p *= 0.7
	}
	return g.r.Float64() < p
}

// age draws an age at asOf. Principals are experienced; village schools have
// the familiar two humps (young 特岗 teachers and old local teachers);
// kindergartens are young. Women retire at 55, men at 60, so active staff are
// below that.
func (g *gen) age(post string, s *School, female bool) int {
	maxAge := 59
	if female {
		maxAge = 54
	}
	switch post {
	case "principal":
		return min(maxAge, 42+g.r.IntN(16))
	case "vice_principal":
		return min(maxAge, 36+g.r.IntN(20))
	case "director":
		return min(maxAge, 32+g.r.IntN(24))
	case "vice_director":
		return min(maxAge, 28+g.r.IntN(23))
	}
	buckets := [4]int{22, 28, 28, 22} // 22–29, 30–39, 40–49, 50–
	switch {
	case s.Stage == stagePreschool:
		buckets = [4]int{45, 30, 15, 10}
	case s.UrbanRural == "220":
		buckets = [4]int{30, 15, 20, 35}
	}
	x := g.r.IntN(100)
	b := 0
	for ; b < 3 && x >= buckets[b]; b++ {
		x -= buckets[b]
	}
	switch b {
	case 0:
		return 22 + g.r.IntN(8)
	case 1:
		return 30 + g.r.IntN(10)
	case 2:
		return 40 + g.r.IntN(10)
	default:
		return 50 + g.r.IntN(maxAge-50+1)
	}
}

// birth picks a birth date that makes the person exactly age years old on
// asOf.
func (g *gen) birth(age int) time.Time {
	latest := asOf.AddDate(-age, 0, 0)
	earliest := asOf.AddDate(-age-1, 0, 1)
	days := int(latest.Sub(earliest).Hours() / 24)
	return earliest.AddDate(0, 0, g.r.IntN(days+1))
}

// education follows the history of teacher training: older teachers came
// from 中师 and 专科 (many later upgraded to 本科), young ones are 本科 with a
// growing share of 研究生; kindergartens recruit more 专科 graduates.
func (g *gen) education(age int, stage, post string) string {
	x := g.r.IntN(100)
	pick := func(grad, bach, college int) string {
		switch {
		case x < grad:
			return "10"
		case x < grad+bach:
			return "20"
		case x < grad+bach+college:
			return "30"
		default:
			return "40"
		}
	}
	if post != "teacher" {
		return pick(10, 80, 10)
	}
	if stage == stagePreschool {
		if age < 30 {
			return pick(3, 50, 47)
		}
		return pick(0, 45, 45)
	}
	if stage == stageSenior {
		if age < 40 {
			return pick(25, 75, 0)
		}
		return pick(8, 90, 2)
	}
	switch {
	case age < 30:
		return pick(12, 78, 10)
	case age < 40:
		return pick(8, 80, 12)
	case age < 50:
		return pick(4, 70, 26)
	default:
		return pick(0, 45, 40)
	}
}

const (
	titleNone   = "未评"
	titleThird  = "三级教师"
	titleSecond = "二级教师"
	titleFirst  = "一级教师"
	titleSenior = "高级教师"
	titleTop    = "正高级教师"
)

// title follows the promotion ladder: 未评 in the probation year, 二级 soon
// after, 一级 after about five years, 高级 for part of the over-40s and 正高级
// for a very few. Kindergartens employ many untitled contract staff.
func (g *gen) title(age int, stage, post, edu string) string {
	x := g.r.IntN(100)
	if post == "principal" {
		switch {
		case x < 5 && age >= 45: // 正高级 takes decades of service
			return titleTop
		case x < 75:
			return titleSenior
		default:
			return titleFirst
		}
	}
	if stage == stagePreschool && post == "teacher" && g.r.IntN(100) < 35 {
		return titleNone
	}
	type step struct {
		upTo  int
		title string
	}
	var ladder []step
	switch {
	case age < 24:
		ladder = []step{{60, titleNone}, {70, titleThird}, {100, titleSecond}}
	case age < 30:
		ladder = []step{{8, titleNone}, {12, titleThird}, {80, titleSecond}, {100, titleFirst}}
	case age < 35:
		ladder = []step{{35, titleSecond}, {95, titleFirst}, {100, titleSenior}}
	case age < 45:
		ladder = []step{{12, titleSecond}, {78, titleFirst}, {100, titleSenior}}
	case age < 55:
		ladder = []step{{3, titleSecond}, {52, titleFirst}, {99, titleSenior}, {100, titleTop}}
	default:
		ladder = []step{{1, titleNone}, {45, titleFirst}, {98, titleSenior}, {100, titleTop}}
	}
	t := ladder[len(ladder)-1].title
	for _, s := range ladder {
		if x < s.upTo {
			t = s.title
			break
		}
	}
	if post != "teacher" && t == titleNone {
		t = titleSecond // cadres have passed probation
	}
	if t == titleSecond && (edu == "30" || edu == "40") && age < 28 {
		t = titleThird // 专科/中专 graduates start one step lower
	}
	return t
}

// honourNames is the canonical order; an honours list keeps it so equal sets
// compare equal.
var honourNames = []string{"学科带头人", "骨干教师", "名师", "名班主任", "特级教师"}

// honours are rare county and city titles; each needs seniority, and 名师
// and 特级教师 need a high professional title, as the award rules require.
func (g *gen) honours(age int, title, post, stage string) []string {
	if age < 30 {
		return nil
	}
	scale := 1.0
	if stage == stagePreschool {
		scale = 0.6
	}
	high := title == titleSenior || title == titleTop
	first := high || title == titleFirst
	odds := []float64{0, 0.07, 0, 0, 0}
	if age >= 35 && first {
		odds[0] = 0.03
	}
	if age >= 38 && first {
		odds[2] = 0.015
	}
	if post == "teacher" {
		odds[3] = 0.02
	}
	if age >= 45 && high {
		odds[4] = 0.003
	}
	var out []string
	for i, p := range odds {
		if g.r.Float64() < p*scale {
			out = append(out, honourNames[i])
		}
	}
	return out
}

// hire dates fall in late August, when Anhui's recruited teachers report for
// the autumn term: after graduation (about 21 for 专科, 22 for 本科, 25 for
// 研究生), and always after the 20th birthday and on or before asOf.
func (g *gen) hire(birth time.Time, edu string) time.Time {
	gradAge := map[string]int{"10": 25, "20": 22, "30": 21, "40": 20}[edu]
	y := birth.Year() + gradAge + g.r.IntN(2)
	twenty := birth.AddDate(20, 0, 0)
	d := func() time.Time { return time.Date(y, 8, 15+g.r.IntN(17), 0, 0, 0, 0, time.UTC) }
	h := d()
	for !h.After(twenty) {
		y++
		h = d()
	}
	for h.After(asOf) {
		y--
		h = d()
	}
	return h
}

// name joins a frequency-weighted surname with a one- or two-character given
// name; about a third of people born 1960–2004 have a one-character one.
func (g *gen) name(female bool) string {
	x := g.r.IntN(g.surnameT)
	sur := surnames[0].name
	for _, s := range surnames {
		if x < s.weight {
			sur = s.name
			break
		}
		x -= s.weight
	}
	chars := maleGivenChars
	if female {
		chars = femaleGivenChars
	}
	first := chars[g.r.IntN(len(chars))]
	for first == sur {
		// "龙龙" or "林林" as surname plus name reads as a joke; draw again.
		first = chars[g.r.IntN(len(chars))]
	}
	if g.r.IntN(100) < 33 {
		return sur + first
	}
	second := chars[g.r.IntN(len(chars))]
	if second == first && !(female && g.r.IntN(2) == 0) {
		// Doubled characters (婷婷, 丹丹) are a female-name pattern; for men
		// draw again.
		second = chars[(g.r.IntN(len(chars)-1)+1+indexOf(chars, first))%len(chars)]
	}
	return sur + first + second
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return 0
}

// idCard builds a GB 11643 number born in the county: region, birth date,
// a sequence whose last digit is odd for men and even for women, and the
// MOD 11-2 check character. Collisions are redrawn so every number is unique.
func (g *gen) idCard(birth time.Time, female bool) string {
	for {
		seq := g.r.IntN(500) * 2 // even
		if !female {
			seq++
		}
		body := countyCode + birth.Format("20060102") + fmt.Sprintf("%03d", seq)
		id := body + string(idCheckChar(body))
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

// phone draws a unique mobile number from real carrier prefixes.
func (g *gen) phone() string {
	for {
		p := mobilePrefixes[g.r.IntN(len(mobilePrefixes))] + fmt.Sprintf("%08d", g.r.IntN(100000000))
		if !g.phones[p] {
			g.phones[p] = true
			return p
		}
	}
}

// dateInYear returns a random day of year y, never after asOf.
func (g *gen) dateInYear(y int) time.Time {
	d := time.Date(y, time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
	if d.After(asOf) {
		d = asOf
	}
	if d.Before(earliestGroupDate) {
		d = earliestGroupDate
	}
	return d
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// idWeights and idCheckChars are the ISO 7064 MOD 11-2 weights and the
// remainder-to-character map of GB 11643-1999.
var (
	idWeights    = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheckChars = "10X98765432"
)

// idCheckChar computes the check character of the first 17 digits.
func idCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// schoolCategories are the 学校(机构)标识码 categories the platform knows (see
// codes.md); a code with another category is rejected rather than guessed.
var schoolCategories = []string{"11", "21", "31", "34", "51"}

// ValidSchoolCode reports whether s is a 学校标识码 of an Anhui school: ten
// digits, a known category, and province 34.
func ValidSchoolCode(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return contains(schoolCategories, s[:2]) && s[2:4] == "34"
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
