package examfile

import (
	"regexp"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// The stage of a file without an exam definition decides the full marks of
// 语数英 (100 in 小学, 150 after), so it is taken only from evidence that
// is strong enough: class names that say it (高一(1)班, 初三, 七年级), then
// the subjects sat and the score ranges. A class code alone (101, 3.2)
// gives a grade but no stage: 101 is 一(1)班 in a 小学 and 高一(1)班 in a 高中.

// bareGrade matches a class read with a grade but no stage word: 一(1)班.
var bareGrade = regexp.MustCompile(`^([一二三四五六])\((\d+)\)班$`)

// secondarySubjects are not taught in 小学; highSubjects name a 高中 paper
// (思想政治, 技术), middleSubjects a 初中 one.
var (
	secondarySubjects = []string{"物理", "化学", "生物", "历史", "地理", "政治", "通用技术"}
	highSubjects      = []string{"政治", "通用技术"}
	middleSubjects    = []string{"道德与法治", "科学", "历史与社会"}
)

// decideStage weighs the evidence; ask is set when it conflicts.
func (p *parser) decideStage(d *analysis.Data) (stage, evidence string, ask bool) {
	high, middle, bare, worded := 0, 0, 0, 0
	for _, c := range d.Classes {
		switch {
		case bareGrade.MatchString(c.Name):
			bare++
			if p.wordedGrade[c.Name] {
				worded++
			}
		case stageOfClass(c.Name) == "高中":
			high++
		case stageOfClass(c.Name) == "初中":
			middle++
		}
	}
	sat := map[string]bool{}
	over100 := false
	for s, name := range p.subjects {
		n, scored := 0, 0
		for _, v := range d.Scores[s] {
			if v >= 0 {
				scored++
				if v > 200 {
					n++
				}
			}
		}
		if scored > 0 {
			sat[name] = true
		}
		if (name == "语文" || name == "数学" || name == "英语") && n >= outlierCount(scored) {
			over100 = true
		}
	}
	var secondary, highs, middles []string
	for _, s := range secondarySubjects {
		if sat[s] {
			secondary = append(secondary, s)
		}
	}
	for _, s := range highSubjects {
		if sat[s] {
			highs = append(highs, s)
		}
	}
	for _, s := range middleSubjects {
		if sat[s] {
			middles = append(middles, s)
		}
	}
	registry := p.registryStage(d)
	var why []string
	if registry != "" {
		why = append(why, "学校名录中的学段")
	}
	if over100 {
		why = append(why, "语数英有成绩超过 100 分")
	}
	if len(secondary) > 0 {
		why = append(why, "有"+strings.Join(secondary, "、")+"成绩")
	}
	notPrimary := over100 || len(secondary) > 0
	classStage := ""
	switch {
	case high > 0 && high >= middle:
		classStage = "高中"
	case middle > 0:
		classStage = "初中"
	}
	switch {
	case registry != "" && classStage != "" && registry != classStage:
		return "", "学校名录中的学段是" + registry + "，班级名称却是" + classStage + "的", true
	case registry == "小学" && notPrimary:
		return "", "学校名录中的学段是小学，" + join("", why[1:]), true
	case registry != "":
		return registry, join("", why), false
	}
	switch {
	case high > 0 && middle > 0 && min(high, middle)*10 >= max(high, middle):
		return "", "班级名称既有高中的也有初中的", true
	case high > 0 && high >= middle:
		return "高中", join("班级名称（如高一(1)班）", why), false
	case middle > 0:
		return "初中", join("班级名称（如初一、七年级）", why), false
	case worded > 0 && notPrimary:
		return "", "班级名称是小学的（如一年级1班），却" + join("", why), true
	case bare > 0 && !notPrimary:
		return "小学", "班级名称（如一(1)班）、语数英不超过 100 分、没有物理化学等科目", false
	case notPrimary && len(highs) > 0 && len(middles) == 0:
		return "高中", join("", append(why, "有"+strings.Join(highs, "、")+"（高中科目）")), false
	case notPrimary && len(middles) > 0 && len(highs) == 0:
		return "初中", join("", append(why, "有"+strings.Join(middles, "、")+"（初中科目）")), false
	case notPrimary && len(highs) > 0 && len(middles) > 0:
		return "", "既有" + strings.Join(highs, "、") + "又有" + strings.Join(middles, "、"), true
	}
	return "", "", false
}

func join(first string, rest []string) string {
	parts := rest
	if first != "" {
		parts = append([]string{first}, rest...)
	}
	return strings.Join(parts, "，")
}

// stageClasses writes the classes read from codes (101 → 一(1)班) with the
// stage once it is known to be 高中, which has no 一年级: 高一(1)班. Two
// spellings of one class become one class. (In a 初中, 三(2)班 stays as
// it is: schools write 初三 and 九年级 alike.)
func (p *parser) stageClasses(d *analysis.Data, stage string) {
	if stage != "高中" {
		return
	}
	prefix := "高"
	idx := map[classKey]int32{}
	remap := make([]int32, len(d.Classes))
	var out []analysis.Class
	example, renamed := "", ""
	for c, cl := range d.Classes {
		name := cl.Name
		if m := bareGrade.FindStringSubmatch(name); m != nil && strings.Contains("一二三", m[1]) {
			if example == "" {
				example, renamed = name, prefix+name
			}
			name = prefix + name
		}
		k := classKey{cl.School, name}
		i, ok := idx[k]
		if !ok {
			i = int32(len(out))
			idx[k] = i
			out = append(out, analysis.Class{School: cl.School, Name: name})
		}
		remap[c] = i
	}
	if example == "" {
		return
	}
	d.Classes = out
	for i, c := range d.Class {
		d.Class[i] = remap[c]
	}
	p.noteKey(keyNoteClassStage, errs.Args{"raw": example, "stage": stage, "class": renamed})
}

// registryStage is the stage the registry gives every matched school of the
// file, when they agree; "" otherwise.
func (p *parser) registryStage(d *analysis.Data) string {
	if p.opts.SchoolStage == nil {
		return ""
	}
	names := map[string]string{"小学": "小学", "primary": "小学", "初中": "初中", "junior": "初中", "高中": "高中", "senior": "高中"}
	stage := ""
	for _, sc := range d.Schools {
		if sc.Code == "" {
			continue
		}
		st, ok := names[p.opts.SchoolStage(sc.Code)]
		switch {
		case !ok:
			return ""
		case stage == "":
			stage = st
		case st != stage:
			return ""
		}
	}
	return stage
}

// codeOnly: a class written as a code (101, 3.2, 3-2, 302班), which gives a
// grade but no stage.
func codeOnly(raw string) bool {
	s := strings.TrimSuffix(squeeze(Norm(raw)), "班")
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || strings.ContainsRune(".-_/·", c)) {
			return false
		}
	}
	return true
}
