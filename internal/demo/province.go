package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/store"
)

// ProvinceSize is how big a registry LoadProvince builds.
type ProvinceSize struct{ Townships, Groups, Schools, Staff int }

// Province is the size of a provincial registry: the size the registry's
// latency target is stated for.
var Province = ProvinceSize{Townships: 1500, Groups: 2000, Schools: 10000, Staff: 300000}

// ProvinceSeed is the fixed seed of the province registry, so every load of
// one size is the same registry.
const ProvinceSeed = 20261201

const (
	provinceCode   = "340000"
	provinceName   = "安徽省"
	provinceBureau = "安徽省教育厅"

	// provinceUngrouped is the share of schools the generator aims to leave
	// out of every group. Every group has a lead and at least three members,
	// so the share cannot be larger than 1 - 4·groups/schools; at the
	// Province size that bound is exactly 20%, and aiming at 15% leaves room
	// for groups of four to eight members.
	provinceUngrouped = 0.15

	// minProvinceStaff is the smallest roster a school gets: a principal, a
	// vice principal, two directors and a teacher (see cadreCounts).
	minProvinceStaff = 5

	// provinceStream is mixed into the PCG stream so that the province never
	// shares a random sequence with the county of the same seed.
	provinceStream = 0x50726f76696e6365 // "Province"
)

// ErrNotEmpty is returned by LoadProvince when the store already has schools.
var ErrNotEmpty = errors.New("demo: the store already has schools; the province registry loads only into an empty store")

// countyDef is a county-level division of Anhui (GB/T 2260).
type countyDef struct{ code, name string }

// anhuiCounties are Anhui's 104 county-level divisions, 3401xx to 3418xx, in
// code order. Schools are spread over them and staff ID numbers carry their
// region codes, so a province registry exercises many regions, not 340321.
var anhuiCounties = []countyDef{
	{"340102", "瑶海区"}, {"340103", "庐阳区"}, {"340104", "蜀山区"}, {"340111", "包河区"}, {"340121", "长丰县"},
	{"340122", "肥东县"}, {"340123", "肥西县"}, {"340124", "庐江县"}, {"340181", "巢湖市"},
	{"340202", "镜湖区"}, {"340207", "鸠江区"}, {"340209", "弋江区"}, {"340210", "湾沚区"}, {"340212", "繁昌区"},
	{"340223", "南陵县"}, {"340281", "无为市"},
	{"340302", "龙子湖区"}, {"340303", "蚌山区"}, {"340304", "禹会区"}, {"340311", "淮上区"}, {"340321", "怀远县"},
	{"340322", "五河县"}, {"340323", "固镇县"},
	{"340402", "大通区"}, {"340403", "田家庵区"}, {"340404", "谢家集区"}, {"340405", "八公山区"}, {"340406", "潘集区"},
	{"340421", "凤台县"}, {"340422", "寿县"},
	{"340503", "花山区"}, {"340504", "雨山区"}, {"340506", "博望区"}, {"340521", "当涂县"}, {"340522", "含山县"},
	{"340523", "和县"},
	{"340602", "杜集区"}, {"340603", "相山区"}, {"340604", "烈山区"}, {"340621", "濉溪县"},
	{"340705", "铜官区"}, {"340706", "义安区"}, {"340711", "郊区"}, {"340722", "枞阳县"},
	{"340802", "迎江区"}, {"340803", "大观区"}, {"340811", "宜秀区"}, {"340822", "怀宁县"}, {"340825", "太湖县"},
	{"340826", "宿松县"}, {"340827", "望江县"}, {"340828", "岳西县"}, {"340881", "桐城市"}, {"340882", "潜山市"},
	{"341002", "屯溪区"}, {"341003", "黄山区"}, {"341004", "徽州区"}, {"341021", "歙县"}, {"341022", "休宁县"},
	{"341023", "黟县"}, {"341024", "祁门县"},
	{"341102", "琅琊区"}, {"341103", "南谯区"}, {"341122", "来安县"}, {"341124", "全椒县"}, {"341125", "定远县"},
	{"341126", "凤阳县"}, {"341181", "天长市"}, {"341182", "明光市"},
	{"341202", "颍州区"}, {"341203", "颍东区"}, {"341204", "颍泉区"}, {"341221", "临泉县"}, {"341222", "太和县"},
	{"341225", "阜南县"}, {"341226", "颍上县"}, {"341282", "界首市"},
	{"341302", "埇桥区"}, {"341321", "砀山县"}, {"341322", "萧县"}, {"341323", "灵璧县"}, {"341324", "泗县"},
	{"341502", "金安区"}, {"341503", "裕安区"}, {"341504", "叶集区"}, {"341522", "霍邱县"}, {"341523", "舒城县"},
	{"341524", "金寨县"}, {"341525", "霍山县"},
	{"341602", "谯城区"}, {"341621", "涡阳县"}, {"341622", "蒙城县"}, {"341623", "利辛县"},
	{"341702", "贵池区"}, {"341721", "东至县"}, {"341722", "石台县"}, {"341723", "青阳县"},
	{"341802", "宣州区"}, {"341821", "郎溪县"}, {"341823", "泾县"}, {"341824", "绩溪县"}, {"341825", "旌德县"},
	{"341881", "宁国市"}, {"341882", "广德市"},
}

// maxTownshipsPerCounty: township codes are the county code + 1xx (镇) or
// 2xx (乡), so a county has room for 100 of each.
const maxTownshipsPerCounty = 120

// check says why a size cannot be built, or nil.
func (z ProvinceSize) check() error {
	switch {
	case z.Townships < 1 || z.Townships > maxTownshipsPerCounty*len(anhuiCounties):
		return fmt.Errorf("demo: townships must be between 1 and %d", maxTownshipsPerCounty*len(anhuiCounties))
	case z.Schools < z.Townships:
		return fmt.Errorf("demo: %d schools cannot give each of %d townships a school", z.Schools, z.Townships)
	case z.Schools > 300*z.Townships:
		return fmt.Errorf("demo: more than 300 schools a township (%d schools, %d townships)", z.Schools, z.Townships)
	case z.Groups < 2:
		return fmt.Errorf("demo: at least 2 groups (the demo accounts need two)")
	case 4*z.Groups > z.Schools*9/10:
		return fmt.Errorf("demo: %d groups of a lead and three members need more than %d schools", z.Groups, z.Schools)
	case z.Staff < minProvinceStaff*z.Schools:
		return fmt.Errorf("demo: %d staff cannot give each of %d schools its %d cadres and a teacher", z.Staff, z.Schools, minProvinceStaff)
	case z.Staff > 200*z.Schools:
		return fmt.Errorf("demo: too many staff for %d schools", z.Schools)
	}
	return nil
}

// province carries what the generator knows beyond the County it returns:
// which county each township lies in and which townships are county seats.
type province struct {
	g        *gen
	size     ProvinceSize
	c        *County
	counties []countyDef // the counties in use
	twCounty []int       // township index -> index into counties
	twSeat   []bool      // the county seat's township
	twXiang  []bool      // a 乡 rather than a 镇
	twBase   []string    // the township's own name without the county
	scCounty []int       // school index -> index into counties
}

// GenerateProvince builds a province-sized registry: townships spread over
// Anhui's counties, schools in every township, groups of a lead school and
// three to eight members inside one county where it can, and staff spread
// over the schools by size. Like Generate it is pure: the same seed and size
// always give the same registry. Group 0 and 1 and their schools are what the
// demo accounts are attached to, as in the county demo.
func GenerateProvince(seed int64, size ProvinceSize) (*County, error) {
	if err := size.check(); err != nil {
		return nil, err
	}
	g := &gen{
		r:        rand.New(rand.NewPCG(uint64(seed), pcgStream^provinceStream)),
		ids:      make(map[string]bool, 2*size.Staff),
		phones:   make(map[string]bool, size.Staff),
		seqs:     make(map[int]bool, size.Schools),
		villages: make(map[string]bool),
	}
	for _, s := range surnames {
		g.surnameT += s.weight
	}
	p := &province{g: g, size: size, c: &County{Code: provinceCode, Name: provinceName, BureauName: provinceBureau}}
	p.townships()
	p.schools()
	if err := p.groups(); err != nil {
		return nil, err
	}
	p.tiers()
	p.staff()
	return p.c, nil
}

// apportion splits total into len(weights) parts of at least floor each,
// the rest in proportion to the weights by largest remainder (ties to the
// lower index, so the split is deterministic).
func apportion(total int, weights []float64, floor int) []int {
	out := make([]int, len(weights))
	rest := total - floor*len(weights)
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	type frac struct {
		i int
		f float64
	}
	fr := make([]frac, len(weights))
	given := 0
	for i, w := range weights {
		share := 0.0
		if sum > 0 {
			share = w / sum * float64(rest)
		}
		n := int(math.Floor(share))
		out[i] = floor + n
		given += n
		fr[i] = frac{i, share - float64(n)}
	}
	sort.SliceStable(fr, func(a, b int) bool { return fr[a].f > fr[b].f })
	for k := 0; given < rest; k++ {
		out[fr[k%len(fr)].i]++
		given++
	}
	return out
}

// townships spreads the townships over as many counties as there are
// townships (all 104 at the province size, evenly spaced for a small test
// province). Each county's first township is its seat.
func (p *province) townships() {
	nc := min(p.size.Townships, len(anhuiCounties))
	for k := range nc {
		p.counties = append(p.counties, anhuiCounties[k*len(anhuiCounties)/nc])
	}
	weights := make([]float64, nc)
	for i := range weights {
		weights[i] = 0.7 + 0.6*p.g.r.Float64()
	}
	per := apportion(p.size.Townships, weights, 1)
	for ci, cd := range p.counties {
		used := map[string]bool{}
		town, xiang := 100, 200
		for k := range per[ci] {
			isXiang := k > 0 && p.g.r.IntN(100) < 20
			if (isXiang && xiang > 299) || (!isXiang && town > 199) {
				isXiang = !isXiang
			}
			var base string
			switch {
			case k == 0 && strings.HasSuffix(cd.name, "县"):
				base = "城关镇"
			default:
				suffix := "镇"
				if isXiang {
					suffix = "乡"
				}
				for {
					base = villageHeads[p.g.r.IntN(len(villageHeads))] + villageTails[p.g.r.IntN(len(villageTails))] + suffix
					if !used[base] {
						break
					}
				}
			}
			used[base] = true
			code := town
			if isXiang {
				code, xiang = xiang, xiang+1
			} else {
				town++
			}
			p.c.Townships = append(p.c.Townships, Township{Code: fmt.Sprintf("%s%03d", cd.code, code), Name: cd.name + base})
			p.twCounty = append(p.twCounty, ci)
			p.twSeat = append(p.twSeat, k == 0)
			p.twXiang = append(p.twXiang, isXiang)
			p.twBase = append(p.twBase, base)
		}
	}
}

// stageWeights draws the stage of a township's fifth and later schools:
// kindergartens and village primaries are most of a province's schools.
var (
	seatStages  = []subjectWeight{{stagePreschool, 35}, {stagePrimary, 38}, {stageJunior, 10}, {stageNineYear, 9}, {stageSenior, 8}}
	townStages  = []subjectWeight{{stagePreschool, 40}, {stagePrimary, 45}, {stageJunior, 8}, {stageNineYear, 7}}
	seatOpening = []string{stagePrimary, stagePreschool, stageJunior, stageSenior, stageNineYear}
	townOpening = []string{stagePrimary, stagePreschool, stageJunior, stageNineYear}
)

// studentRange is the enrolment band of a school by stage and place: big
// urban schools, town centre schools of several hundred, small village ones.
func studentRange(stage, ur string) (lo, hi int) {
	urban, centre := ur == "111" || ur == "112", ur == "121" || ur == "210"
	switch stage {
	case stagePreschool:
		switch {
		case urban:
			return 220, 520
		case centre:
			return 150, 330
		}
		return 50, 150
	case stagePrimary:
		switch {
		case ur == "111":
			return 1500, 2900
		case urban:
			return 800, 1700
		case centre:
			return 500, 1100
		}
		return 90, 360
	case stageJunior:
		switch {
		case ur == "111":
			return 1500, 2800
		case urban:
			return 900, 1700
		case centre:
			return 450, 1100
		}
		return 250, 600
	case stageNineYear:
		switch {
		case urban:
			return 1400, 3200
		case centre:
			return 700, 1500
		}
		return 280, 650
	default: // senior
		if ur == "111" {
			return 2500, 4800
		}
		return 1500, 3200
	}
}

var chineseDigits = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// ordinal writes 1–99 the way school names do: 一, 十, 十二, 二十三.
func ordinal(n int) string {
	switch {
	case n < 10:
		return chineseDigits[n]
	case n < 20:
		return "十" + chineseDigits[n%10]
	default:
		return chineseDigits[n/10] + "十" + chineseDigits[n%10]
	}
}

// schools places the schools township by township: more in county seats;
// the first ones of a township are its centre schools (中心小学, 中心幼儿园,
// 初级中学, 中心学校), the rest village schools named after their village.
func (p *province) schools() {
	g := p.g
	weights := make([]float64, len(p.c.Townships))
	for i := range weights {
		if p.twSeat[i] {
			weights[i] = 3
		} else {
			weights[i] = 0.7 + 0.6*g.r.Float64()
		}
	}
	per := apportion(p.size.Schools, weights, 1)
	names := make(map[string]bool, p.size.Schools)
	seniors := make([]int, len(p.counties))
	for ti, n := range per {
		ci := p.twCounty[ti]
		cd := p.counties[ci]
		seat := p.twSeat[ti]
		base := p.twBase[ti]
		prefix := cd.name + base
		centres := map[string]bool{}
		villages := map[string]bool{}
		numbered := map[string]int{stagePrimary: 1, stagePreschool: 1, stageJunior: 1, stageNineYear: 1}
		for k := range n {
			var stage string
			switch {
			case seat && k < len(seatOpening):
				stage = seatOpening[k]
			case seat:
				stage = pickSubject(g.r, seatStages)
			case k < len(townOpening):
				stage = townOpening[k]
			default:
				stage = pickSubject(g.r, townStages)
			}
			centre := !centres[stage] || stage == stageSenior
			centres[stage] = true
			var ur string
			switch {
			case seat && (centre || g.r.IntN(100) < 40):
				ur = "111"
			case seat:
				ur = "112"
			case centre && p.twXiang[ti]:
				ur = "210"
			case centre:
				ur = "121"
			case g.r.IntN(100) < 15:
				ur = "122"
			default:
				ur = "220"
			}
			village := func() string {
				for {
					v := villageHeads[g.r.IntN(len(villageHeads))] + villageTails[g.r.IntN(len(villageTails))]
					if !villages[v] && v+"镇" != base && v+"乡" != base {
						villages[v] = true
						return v
					}
				}
			}
			var name string
			for try := 0; name == "" || names[name]; try++ {
				switch {
				case stage == stageSenior && try < 3:
					seniors[ci]++
					name = cd.name + "第" + ordinal(1+(seniors[ci]-1)%99) + "中学"
				case centre && seat && try == 0:
					name = cd.name + map[string]string{stagePrimary: "实验小学", stagePreschool: "实验幼儿园", stageJunior: "实验中学", stageNineYear: "第一实验学校"}[stage]
				case seat && try == 0 && numbered[stage] < 99:
					// The county town numbers its other schools: 第二小学, 第三幼儿园.
					numbered[stage]++
					name = cd.name + "第" + ordinal(numbered[stage]) + map[string]string{stagePrimary: "小学", stagePreschool: "幼儿园", stageJunior: "初级中学", stageNineYear: "实验学校"}[stage]
				case centre && try == 0:
					name = prefix + map[string]string{stagePrimary: "中心小学", stagePreschool: "中心幼儿园", stageJunior: "初级中学", stageNineYear: "中心学校"}[stage]
				default:
					// Village schools, and the fallback should a name clash.
					name = prefix + village() + map[string]string{stagePrimary: "小学", stagePreschool: "幼儿园", stageJunior: "初级中学", stageNineYear: "学校", stageSenior: "中学"}[stage]
				}
			}
			names[name] = true
			info := stages[stage]
			lo, hi := studentRange(stage, ur)
			opened := 0
			if !centre && stage != stageSenior && g.r.IntN(100) < 3 {
				opened = 2022 + g.r.IntN(4)
			}
			students, classes := g.size(schoolPlan{stage: stage, ur: ur, minStu: lo, maxStu: hi, opened: opened}, info)
			short := strings.TrimPrefix(name, cd.name)
			if rest, ok := strings.CutPrefix(short, base); ok {
				short = strings.TrimSuffix(strings.TrimSuffix(base, "镇"), "乡") + rest
			}
			p.c.Schools = append(p.c.Schools, School{
				Code:       info.category + "34" + fmt.Sprintf("%06d", p.sequence(ci)),
				Name:       name,
				ShortName:  short,
				Township:   ti,
				UrbanRural: ur,
				Stage:      stage,
				TypeCode:   info.typeCode,
				Students:   students,
				Classes:    classes,
				IsNew:      opened > 0,
				Group:      -1,
			})
			p.scCounty = append(p.scCounty, ci)
		}
	}
}

// sequence draws a school code's 6-digit sequence from the county's block
// of 8,000, unique in the province (staff numbers are built from it).
func (p *province) sequence(county int) int {
	n := 0
	for try := 0; try < 64; try++ {
		n = 100000 + county*8000 + 1 + p.g.r.IntN(7999)
		if !p.g.seqs[n] {
			p.g.seqs[n] = true
			return n
		}
	}
	// A crowded block: the next free number after the last draw.
	for p.g.seqs[n] {
		n = 100000 + (n-100000+1)%900000
	}
	p.g.seqs[n] = true
	return n
}

// groups forms the education groups county by county: as many groups in a
// county as its share of the groupable schools (senior high schools are not
// grouped), the biggest schools lead, and members come from the same county
// and the same kind (kindergartens with kindergartens) while there are any.
func (p *province) groups() error {
	g, c := p.g, p.c
	nc := len(p.counties)
	G := p.size.Groups
	// pools[county][0] holds kindergartens, [1] the other groupable schools.
	pools := make([][2][]int, nc)
	groupable := 0
	perCounty := make([]float64, nc)
	for i, s := range c.Schools {
		if s.Stage == stageSenior {
			continue
		}
		fam := 1
		if s.Stage == stagePreschool {
			fam = 0
		}
		ci := p.scCounty[i]
		pools[ci][fam] = append(pools[ci][fam], i)
		perCounty[ci]++
		groupable++
	}
	if 4*G > groupable {
		return fmt.Errorf("demo: %d groups of four need more than the %d schools that can be grouped", G, groupable)
	}
	target := p.size.Schools - int(math.Round(provinceUngrouped*float64(p.size.Schools)))
	target = max(4*G, min(target, groupable, 9*G))
	// Members beyond the lead and three: a geometric draw per group (most
	// groups have three, a few up to eight), then nudged to the exact total.
	extra := make([]int, G)
	want := target - 4*G
	mean := float64(want) / float64(G)
	q := mean / (1 + mean)
	sum := 0
	for i := range extra {
		for extra[i] < 5 && g.r.Float64() < q {
			extra[i]++
		}
		sum += extra[i]
	}
	for sum != want {
		i := g.r.IntN(G)
		switch {
		case sum < want && extra[i] < 5:
			extra[i]++
			sum++
		case sum > want && extra[i] > 0:
			extra[i]--
			sum--
		}
	}
	for ci := range pools {
		for f := range 2 {
			pl := pools[ci][f]
			g.r.Shuffle(len(pl), func(a, b int) { pl[a], pl[b] = pl[b], pl[a] })
		}
	}
	// take draws a member: from the county, of the lead's kind if it can,
	// else of the other kind, else from the next counties.
	take := func(ci, fam int) int {
		for d := range nc {
			k := (ci + d) % nc
			for _, f := range []int{fam, 1 - fam} {
				if pl := pools[k][f]; len(pl) > 0 {
					pools[k][f] = pl[:len(pl)-1]
					return pl[len(pl)-1]
				}
			}
		}
		return -1 // cannot happen: target <= groupable
	}
	remove := func(i int) {
		ci, f := p.scCounty[i], 1
		if c.Schools[i].Stage == stagePreschool {
			f = 0
		}
		pl := pools[ci][f]
		for k, x := range pl {
			if x == i {
				pools[ci][f] = append(pl[:k], pl[k+1:]...)
				return
			}
		}
	}
	// All leads are chosen before any member, so that a county short of
	// members never takes a school another county needs as its lead.
	perGroup := apportion(G, perCounty, 0)
	leads := make([][]int, nc)
	for ci := range nc {
		// The county's leads: its biggest groupable schools; a kindergarten
		// counts three times its enrolment so that some lead a group too.
		var cand []int
		for f := range 2 {
			cand = append(cand, pools[ci][f]...)
		}
		score := func(i int) float64 {
			s := c.Schools[i]
			w := float64(s.Students)
			switch s.Stage {
			case stagePreschool:
				w *= 3
			case stageNineYear:
				w *= 0.7 // nine-year schools are big for their many grades
			}
			if s.IsNew {
				w /= 4
			}
			return w
		}
		sort.SliceStable(cand, func(a, b int) bool {
			if sa, sb := score(cand[a]), score(cand[b]); sa != sb {
				return sa > sb
			}
			return cand[a] < cand[b]
		})
		leads[ci] = cand[:perGroup[ci]]
		for _, l := range leads[ci] {
			remove(l)
		}
	}
	gi := 0
	for ci := range nc {
		for _, l := range leads[ci] {
			fam := 1
			if c.Schools[l].Stage == stagePreschool {
				fam = 0
			}
			members := []int{}
			for range 3 + extra[gi] {
				m := take(ci, fam)
				if m < 0 {
					return errors.New("demo: ran out of schools to group")
				}
				members = append(members, m)
			}
			sort.SliceStable(members, func(a, b int) bool { return c.Schools[members[a]].Students > c.Schools[members[b]].Students })
			p.formGroup(gi, l, members)
			gi++
		}
	}
	return nil
}

// formGroup records group gi: its mode from the stages it joins, its
// founding, and each member's role and joining date.
func (p *province) formGroup(gi, lead int, members []int) {
	g, c := p.g, p.c
	ls := c.Schools[lead]
	allPre, mixed := ls.Stage == stagePreschool, false
	for _, m := range members {
		st := c.Schools[m].Stage
		allPre = allPre && st == stagePreschool
		mixed = mixed || st != ls.Stage
	}
	var mode string
	switch {
	case allPre:
		mode = "same_stage"
	case ls.Stage == stageNineYear && g.r.IntN(100) < 50:
		mode = "nine_year"
	case mixed && g.r.IntN(100) < 60:
		mode = "cross_stage"
	case mixed:
		mode = "multi_school"
	default:
		mode = pickSubject(g.r, []subjectWeight{{"multi_school", 30}, {"regional", 20}, {"paired", 20}, {"entrusted", 10}, {"direct", 10}, {"multi_legal", 10}})
	}
	governance := "federated"
	if mode == "direct" {
		governance = "unified"
	}
	founded := g.dateInYear(2016 + g.r.IntN(10))
	phil := groupPhilosophies[g.r.IntN(len(groupPhilosophies))]
	if allPre {
		phil = kindergartenPhilosophies[g.r.IntN(len(kindergartenPhilosophies))]
	}
	c.Groups = append(c.Groups, Group{
		Name:       ls.Name + "教育集团",
		Mode:       mode,
		Governance: governance,
		LeadSchool: lead,
		FoundedOn:  founded.Format(dateLayout),
		Goal:       groupGoals[g.r.IntN(len(groupGoals))],
		Philosophy: phil,
		Motto:      groupMottos[g.r.IntN(len(groupMottos))],
	})
	join := func(i int, role string) {
		s := &c.Schools[i]
		joined := founded
		switch {
		case s.IsNew:
			opened := time.Date(asOf.Year()-1-g.r.IntN(4), 8, 15+g.r.IntN(15), 0, 0, 0, 0, time.UTC)
			joined = laterOf(founded, opened)
		case role != roleLead && g.r.IntN(100) < 30:
			joined = founded.AddDate(0, 6+g.r.IntN(30), g.r.IntN(28))
		}
		if joined.After(asOf) {
			joined = asOf
		}
		s.Group, s.GroupRole, s.JoinedOn = gi, role, joined.Format(dateLayout)
	}
	join(lead, roleLead)
	for k, m := range members {
		role := roleMember
		if k == 0 && len(members) >= 4 && g.r.IntN(100) < 40 {
			role = roleCore
		}
		join(m, role)
	}
}

// tiers grades the schools: group leads are the quality schools that pull
// the others, members are ordinary or weak, and ungrouped schools follow
// their place (urban quality schools, weak village ones).
func (p *province) tiers() {
	r := p.g.r
	for i := range p.c.Schools {
		s := &p.c.Schools[i]
		x := r.IntN(100)
		urban, village := s.UrbanRural == "111" || s.UrbanRural == "112", s.UrbanRural == "220" || s.UrbanRural == "122"
		switch {
		case s.GroupRole == roleLead:
			s.Tier = tierQuality
		case s.GroupRole == roleCore:
			s.Tier = either(x < 60, tierQuality, tierOrdinary)
		case s.GroupRole == roleMember && village:
			s.Tier = either(x < 60, tierWeak, tierOrdinary)
		case s.GroupRole == roleMember:
			s.Tier = either(x < 40, tierWeak, tierOrdinary)
		case urban && x < 50, s.Stage == stageSenior && x < 30:
			s.Tier = tierQuality
		case village && x < 55:
			s.Tier = tierWeak
		default:
			s.Tier = tierOrdinary
		}
	}
}

func either(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// staff spreads the province's staff over its schools in proportion to each
// school's need at its stage's student–staff ratio (at least a principal,
// the cadres and a teacher each), then draws every roster with the county
// generator's people. ID numbers are re-drawn with the region code of the
// school's county (a fifth of staff were born elsewhere in Anhui).
func (p *province) staff() {
	g, c := p.g, p.c
	weights := make([]float64, len(c.Schools))
	for i, s := range c.Schools {
		weights[i] = float64(s.Students) / stages[s.Stage].ratio * (0.92 + 0.18*g.r.Float64())
	}
	per := apportion(p.size.Staff, weights, minProvinceStaff)
	c.Staff = make([]Staff, 0, p.size.Staff)
	for i := range c.Schools {
		s := &c.Schools[i]
		s.StaffCount = per[i]
		roster := g.staff(i, s)
		region := p.counties[p.scCounty[i]].code
		for k := range roster {
			st := &roster[k]
			born := region
			if g.r.IntN(100) < 20 {
				born = anhuiCounties[g.r.IntN(len(anhuiCounties))].code
			}
			birth, _ := time.Parse(dateLayout, st.BirthDate)
			st.IDCard = g.idCardIn(born, birth, st.Gender == "F")
		}
		s.Principal, s.Phone = roster[0].Name, roster[0].Phone
		c.Staff = append(c.Staff, roster...)
	}
	// The teacher account needs an active teacher at the first member
	// school of group 0; a five-person village school may have none.
	if pk := pick(c); pk.teacher < 0 {
		for k := range c.Staff {
			if c.Staff[k].School == pk.member && c.Staff[k].Post == "teacher" {
				c.Staff[k].Status = "active"
				break
			}
		}
	}
}

// idCardIn is idCard with the region of birth given: GB 11643 region,
// birth date, sequence (odd for men) and MOD 11-2 check; unique.
func (g *gen) idCardIn(region string, birth time.Time, female bool) string {
	var buf [18]byte
	copy(buf[:6], region)
	copy(buf[6:14], birth.Format("20060102"))
	for {
		seq := g.r.IntN(500) * 2
		if !female {
			seq++
		}
		buf[14], buf[15], buf[16] = byte('0'+seq/100), byte('0'+seq/10%10), byte('0'+seq%10)
		buf[17] = idCheckChar(string(buf[:17]))
		id := string(buf[:])
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

// LoadProvince writes a province-sized registry of the given size into an
// empty store, with the same thirteen demo accounts as Load (attached to the
// province's first two groups) and one audit record. It refuses a store that
// already has schools. Rows go in with multi-row INSERTs inside one
// transaction, so a failure leaves the store as it was.
func LoadProvince(ctx context.Context, st *store.Store, log *audit.Log, password string, size ProvinceSize) (Result, error) {
	if err := auth.CheckPasswordPolicy(auth.DefaultSecurity(), "demo-password", "", password); err != nil {
		return Result{}, fmt.Errorf("the demo password does not meet the password policy (8+ characters, 3 of 4 character classes, not a common password)")
	}
	var n int
	if err := st.R.QueryRowContext(ctx, `SELECT count(*) FROM schools`).Scan(&n); err != nil {
		return Result{}, err
	}
	if n > 0 {
		return Result{}, ErrNotEmpty
	}
	c, err := GenerateProvince(ProvinceSeed, size)
	if err != nil {
		return Result{}, err
	}
	res := Result{Created: true}
	var ids ids
	err = st.Tx(ctx, func(tx *sql.Tx) error {
		// Checked again under the write lock: another loader may have won.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schools`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		if err := insertProvince(ctx, tx, c, &ids); err != nil {
			return err
		}
		return log.Append(ctx, tx, auth.SystemActor(Actor).Who(), audit.Entry{Action: "demo.seed_province", ObjectType: "province", ObjectID: provinceCode,
			Detail: map[string]any{"townships": len(c.Townships), "schools": len(c.Schools), "groups": len(c.Groups), "staff": len(c.Staff), "accounts": len(specs(c))}})
	})
	if err != nil {
		return Result{}, err
	}
	// The accounts go through the account service once the registry is in.
	sv, err := newServices(ctx, st, log)
	if err != nil {
		return Result{}, err
	}
	res.Accounts, err = ensureAccounts(ctx, sv, c, ids, password)
	return res, err
}

// maxParams bounds the parameters of one INSERT. Both engines would take far
// more (SQLite 32766, PostgreSQL 65535), but SQLite finds a "$n" parameter's
// slot by a linear scan of the statement's parameter names, so binding costs
// the square of the count: on a 2-core machine the 300,000-staff load took
// over 9 minutes at 30,000 parameters a statement and under 20 seconds at a
// few hundred. Smaller statements also keep each statement journal small.
const maxParams = 400

// bulk is a multi-row INSERT: cols are the columns, and vals says for each
// column either "" (a parameter of its own per row) or an expression every
// row shares, such as "$1" for a parameter passed once in shared.
type bulk struct {
	table  string
	cols   []string
	vals   []string
	shared []any
}

// insert writes n rows; row appends row i's own values to args in column
// order. Full batches reuse one prepared statement.
func (b bulk) insert(ctx context.Context, tx *sql.Tx, n int, row func(i int, args []any) []any) error {
	perRow := 0
	for _, v := range b.vals {
		if v == "" {
			perRow++
		}
	}
	batch := max(1, (maxParams-len(b.shared))/perRow)
	text := func(rows int) string {
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
		next := len(b.shared)
		for r := range rows {
			if r > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for j, v := range b.vals {
				if j > 0 {
					sb.WriteByte(',')
				}
				if v == "" {
					next++
					v = "$" + strconv.Itoa(next)
				}
				sb.WriteString(v)
			}
			sb.WriteByte(')')
		}
		return sb.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, len(b.shared)+batch*perRow)
	for start := 0; start < n; start += batch {
		rows := min(batch, n-start)
		args = append(args[:0], b.shared...)
		for i := start; i < start+rows; i++ {
			args = row(i, args)
		}
		var err error
		if rows == batch {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, text(batch)); err != nil {
					return fmt.Errorf("%s: %w", b.table, err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, text(rows), args...)
		}
		if err != nil {
			return fmt.Errorf("%s rows %d–%d: %w", b.table, start, start+rows-1, err)
		}
	}
	return nil
}

// idsBy reads key → id of a table after its rows went in.
func idsBy(ctx context.Context, tx *sql.Tx, q string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, err
		}
		m[k] = id
	}
	return m, rows.Err()
}

// insertProvince writes townships, schools, groups, memberships and staff,
// and fills ids with the rows' database ids (staff only for the accounts).
func insertProvince(ctx context.Context, tx *sql.Tx, c *County, ids *ids) error {
	now := store.Now()
	err := bulk{table: "townships", cols: []string{"code", "name"}, vals: []string{"", ""}}.insert(ctx, tx, len(c.Townships), func(i int, a []any) []any {
		return append(a, c.Townships[i].Code, c.Townships[i].Name)
	})
	if err != nil {
		return err
	}
	tw, err := idsBy(ctx, tx, `SELECT id, code FROM townships`)
	if err != nil {
		return err
	}
	for _, t := range c.Townships {
		ids.townships = append(ids.townships, tw[t.Code])
	}

	err = bulk{table: "schools",
		cols:   []string{"code", "name", "short_name", "township_id", "urban_rural", "stage", "type_code", "students", "classes", "staff_count", "tier", "is_new", "principal", "phone", "created_at", "updated_at"},
		vals:   []string{"", "", "", "", "", "", "", "", "", "", "", "", "", "", "$1", "$1"},
		shared: []any{now},
	}.insert(ctx, tx, len(c.Schools), func(i int, a []any) []any {
		s := &c.Schools[i]
		return append(a, s.Code, s.Name, s.ShortName, ids.townships[s.Township], s.UrbanRural, s.Stage, s.TypeCode, s.Students, s.Classes,
			s.StaffCount, s.Tier, s.IsNew, s.Principal, s.Phone)
	})
	if err != nil {
		return err
	}
	sc, err := idsBy(ctx, tx, `SELECT id, code FROM schools`)
	if err != nil {
		return err
	}
	for _, s := range c.Schools {
		ids.schools = append(ids.schools, sc[s.Code])
	}

	// As in the county demo: the lead school's principal is the party branch
	// secretary, the member schools' principals are the branch, and a group
	// of several legal persons has a task force of them led by the lead's.
	principals := make([][]string, len(c.Groups))
	for gi, g := range c.Groups {
		principals[gi] = []string{c.Schools[g.LeadSchool].Principal}
	}
	for si, sc := range c.Schools {
		if sc.Group >= 0 && si != c.Groups[sc.Group].LeadSchool {
			principals[sc.Group] = append(principals[sc.Group], sc.Principal)
		}
	}
	err = bulk{table: "edu_groups",
		cols: []string{"name", "mode", "governance", "lead_school_id", "founded_on", "goal", "philosophy", "motto",
			"party_secretary", "party_members", "task_force", "created_at", "updated_at"},
		vals:   []string{"", "", "", "", "", "", "", "", "", "", "", "$1", "$1"},
		shared: []any{now},
	}.insert(ctx, tx, len(c.Groups), func(i int, a []any) []any {
		g := &c.Groups[i]
		ps := principals[i]
		taskForce := ""
		if g.Governance == "federated" {
			taskForce = ps[0] + "（组长）、" + strings.Join(ps[1:], "、")
		}
		return append(a, g.Name, g.Mode, g.Governance, ids.schools[g.LeadSchool], store.MustDate(g.FoundedOn), g.Goal, g.Philosophy, g.Motto,
			ps[0], strings.Join(ps, "、"), taskForce)
	})
	if err != nil {
		return err
	}
	gr, err := idsBy(ctx, tx, `SELECT id, name FROM edu_groups`)
	if err != nil {
		return err
	}
	for _, g := range c.Groups {
		ids.groups = append(ids.groups, gr[g.Name])
	}

	var grouped []int
	for i, s := range c.Schools {
		if s.Group >= 0 {
			grouped = append(grouped, i)
		}
	}
	err = bulk{table: "group_members",
		cols:   []string{"group_id", "school_id", "role", "joined_on", "created_at"},
		vals:   []string{"", "", "", "", "$1"},
		shared: []any{now},
	}.insert(ctx, tx, len(grouped), func(k int, a []any) []any {
		i := grouped[k]
		s := &c.Schools[i]
		return append(a, ids.groups[s.Group], ids.schools[i], s.GroupRole, store.MustDate(s.JoinedOn))
	})
	if err != nil {
		return err
	}

	err = bulk{table: "staff",
		cols: []string{"staff_no", "name", "gender", "id_card", "phone", "school_id", "post", "is_cadre", "subject", "stage", "title", "honours",
			"education", "birth_date", "hire_date", "status", "created_at", "updated_at"},
		vals:   []string{"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "$1", "$1"},
		shared: []any{now},
	}.insert(ctx, tx, len(c.Staff), func(i int, a []any) []any {
		p := &c.Staff[i]
		return append(a, p.StaffNo, p.Name, p.Gender, p.IDCard, p.Phone, ids.schools[p.School], p.Post, p.Post != "teacher", p.Subject,
			c.Schools[p.School].Stage, p.Title, strings.Join(p.Honours, "、"), p.Education, store.MustDate(p.BirthDate), store.MustDate(p.HireDate), p.Status)
	})
	if err != nil {
		return err
	}
	ids.staff = make([]int64, len(c.Staff))
	for _, i := range accountStaff(c) {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM staff WHERE staff_no = $1`, c.Staff[i].StaffNo).Scan(&ids.staff[i]); err != nil {
			return fmt.Errorf("staff %s: %w", c.Staff[i].StaffNo, err)
		}
	}
	return nil
}
