package examfile

import (
	"fmt"
	"math"
	"strconv"

	"edugroup/internal/exams/analysis"
)

// StandardFull is the usual full marks of a subject: 语文, 数学 and 英语
// 150 in 初中 and 高中 and 100 in 小学; 理综 and 文综 300; everything else
// 100. ok is false for an unknown stage's 语数英 (then 150 when scores pass
// 100, else 100).
func StandardFull(subject, stage string) (float64, bool) {
	switch subject {
	case "语文", "数学", "英语":
		switch stage {
		case "小学":
			return 100, true
		case "初中", "高中":
			return 150, true
		}
		return 0, false
	case "理综", "文综":
		return 300, true
	}
	return 100, true
}

// InferExam writes the exam definition of a file that came without one:
// full marks from the header (语文(120)), else the standard full marks of
// the stage when no score passes them, else the best score rounded up to
// ten. The notes say, in Chinese, what was assumed.
func InferExam(name string, subjects []string, headerFull, maxSeen []float64, stage string) (*analysis.Exam, []string) {
	e := &analysis.Exam{Name: name, Stage: stage, Settings: analysis.DefaultSettings()}
	var notes []string
	stageNote := stage
	if stageNote == "" {
		stageNote = "学段未知"
	}
	for i, s := range subjects {
		seen := maxSeen[i]
		full := headerFull[i]
		var why string
		std, ok := StandardFull(s, stage)
		if !ok {
			std = 100
			if seen > 100 {
				std = 150
			}
		}
		switch {
		case full > 0:
			why = "表头注明"
		case seen <= std && !ok:
			full, why = std, fmt.Sprintf("学段未知，最高分 %s，按 %s 分卷", fmtFloat(seen), fmtFloat(std))
		case seen <= std:
			full, why = std, stageNote+"常见满分"
		default:
			full = math.Ceil(seen/10) * 10
			why = fmt.Sprintf("最高分 %s 超过常见满分 %s，按最高分向上取整", fmtFloat(seen), fmtFloat(std))
		}
		e.Subjects = append(e.Subjects, analysis.Subject{Name: s, Full: full})
		notes = append(notes, fmt.Sprintf("%s满分按 %s 分计（%s）", s, fmtFloat(full), why))
	}
	return e, notes
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// stageOf guesses the stage from class names (most classes decide), else
// returns "".
func stageOf(d *analysis.Data) string {
	count := map[string]int{}
	for _, c := range d.Classes {
		if s := stageOfClass(c.Name); s != "" {
			count[s]++
		}
	}
	best, n := "", 0
	for _, s := range []string{"小学", "初中", "高中"} {
		if count[s] > n {
			best, n = s, count[s]
		}
	}
	return best
}

// exam sets Result.Exam: the caller's (with the papers read), or inferred.
func (p *parser) exam(res *Result) {
	res.Assumptions = append(res.Assumptions, p.m.Notes...)
	var papers []analysis.Paper
	for _, pc := range p.papers {
		papers = append(papers, analysis.Paper{Subject: p.subjects[pc.subject], Items: pc.items})
	}
	if e := p.opts.Exam; e != nil {
		cp := *e
		cp.Subjects = append([]analysis.Subject(nil), e.Subjects...)
		cp.Papers = papers
		res.Exam = &cp
		for s, name := range p.subjects {
			if !p.hasColumn(s) {
				res.Assumptions = append(res.Assumptions, fmt.Sprintf("文件中没有“%s”的成绩", name))
			}
		}
		res.Assumptions = append(res.Assumptions, p.notes...)
		return
	}
	stage := p.opts.Stage
	if stage == "" {
		stage = stageOf(res.Data)
	}
	maxSeen := make([]float64, len(p.subjects))
	for s, col := range res.Data.Scores {
		best := int32(0)
		for _, v := range col {
			best = max(best, v)
		}
		maxSeen[s] = float64(best) / 2
	}
	name := p.f.Sheets[0].Name
	if p.f.Format == "xlsx" {
		name = p.f.Name
	}
	e, notes := InferExam(name, p.subjects, p.fullHint, maxSeen, stage)
	e.Papers = papers
	res.Exam = e
	if stage != "" && p.opts.Stage == "" {
		res.Assumptions = append(res.Assumptions, "按班级名称判断学段为"+stage)
	}
	res.Assumptions = append(res.Assumptions, notes...)
	res.Assumptions = append(res.Assumptions, p.notes...)
}

// hasColumn: the mapping reads subject s from some column.
func (p *parser) hasColumn(s int) bool {
	for _, c := range p.m.Columns {
		if (c.Field == FieldScore || c.Field == FieldItem) && p.subject(c.Subject) == s {
			return true
		}
	}
	return p.m.Shape == ShapeLong
}
