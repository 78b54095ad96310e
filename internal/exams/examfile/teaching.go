package examfile

import (
	"fmt"
	"maps"
	"slices"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// teacherHeaders name the teacher column of a 任课表.
var teacherHeaders = map[string]bool{"教师": true, "任课教师": true, "教师姓名": true, "老师": true, "任课老师": true, "TEACHER": true}

// ParseTeaching reads a 任课表 (CSV or .xlsx, every sheet): either one row
// per class and subject (学校, 班级, 科目, 教师), or one row per class with a
// column per subject holding the teacher's name (学校, 班级, 语文, 数学 …).
// Class names are made canonical like the score files'; with one sheet per
// school and no 学校 column, the sheet name is the school.
func ParseTeaching(name string, data []byte) ([]analysis.Assignment, []Problem, error) {
	f, err := Open(name, data)
	if err != nil {
		return nil, nil, err
	}
	var out []analysis.Assignment
	var problems []Problem
	for i, sh := range f.Sheets {
		var header []string
		var cols map[string]int
		subjects := map[int]string{}
		fn := func(line int, cells []string) error {
			if header == nil {
				cols = map[string]int{}
				for k, c := range cells {
					h := normHeader(c)
					switch {
					case teacherHeaders[h]:
						cols["teacher"] = k
					case headerAliases[h] == FieldSchool || headerAliases[h] == FieldSchoolCode:
						cols["school"] = k
					case headerAliases[h] == FieldClass:
						cols["class"] = k
					case headerAliases[h] == FieldSubject:
						cols["subject"] = k
					default:
						if s, ok := CanonicalSubject(h); ok {
							subjects[k] = s
						}
					}
				}
				_, hasClass := cols["class"]
				_, hasTeacher := cols["teacher"]
				_, hasSubject := cols["subject"]
				if hasClass && (hasTeacher && hasSubject || len(subjects) > 0) {
					header = cells
				}
				return nil
			}
			get := func(k string) string {
				if c, ok := cols[k]; ok && c < len(cells) {
					return clean(cells[c])
				}
				return ""
			}
			school := get("school")
			if school == "" {
				school = clean(sh.Name)
			}
			class := CanonicalClass(get("class"))
			if class == "" {
				return nil
			}
			if _, long := cols["subject"]; long {
				subject, ok := CanonicalSubject(get("subject"))
				if !ok {
					problems = append(problems, Problem{Sheet: sh.Name, Line: line, Field: "科目", Code: ProblemUnknownSubject,
						Value: get("subject"), Message: fmt.Sprintf("科目“%s”无法识别", get("subject"))})
					return nil
				}
				if t := get("teacher"); t != "" {
					out = append(out, analysis.Assignment{School: school, Class: class, Subject: subject, Teacher: t})
				}
				return nil
			}
			for _, k := range slices.Sorted(maps.Keys(subjects)) {
				subject := subjects[k]
				if k < len(cells) {
					if t := clean(cells[k]); t != "" {
						out = append(out, analysis.Assignment{School: school, Class: class, Subject: subject, Teacher: t})
					}
				}
			}
			return nil
		}
		if f.Format == "csv" {
			err = f.scanText(0, len(f.text), 1, fn)
		} else {
			err = f.wb.Scan(i, func(line int, cells []string, _ []int) error { return fn(line, cells) })
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if len(out) == 0 && len(problems) == 0 {
		return nil, nil, errs.New(errs.Invalid, keyNoTeaching, nil)
	}
	return out, problems, nil
}
