package examfile

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// StandardFull is the usual full marks of a subject: 语文, 数学 and 英语
// (or the 日语, 俄语 taken instead) 150 in 初中 and 高中 and 100 in 小学; 理综 and 文综 300; everything else
// 100. ok is false for an unknown stage's 语数英 (InferExam then gives the
// three one full mark: 150 when scores pass 100 in any of them, else 100).
func StandardFull(subject, stage string) (float64, bool) {
	switch subject {
	case "语文", "数学", "英语", "日语", "俄语":
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

// outlierCount is how many students above a standard full mark are a
// typo rather than a paper with more marks: fewer than 2, or than 0.5 % of
// the students with a score.
func outlierCount(scored int) int { return max(2, (scored+199)/200) }

// InferExam writes the exam definition of a file that came without one,
// from the score columns (half-points or codes): full marks from the header
// (语文(120)), else the standard full marks of the stage; a score above the
// standard is adopted (the best score rounded up to ten) only when enough
// students pass it (outlierCount), else those few scores are returned in
// outliers ([subject] → students) to be reported, and the standard stays.
// The notes say, in Chinese, what was assumed.
func InferExam(name string, subjects []string, headerFull []float64, cols [][]int32, stage string) (e *analysis.Exam, notes []string, outliers [][]int) {
	e = &analysis.Exam{Name: name, Stage: stage, Settings: analysis.DefaultSettings()}
	stageNote := stage
	if stageNote == "" {
		stageNote = "学段未知"
	}
	above := func(col []int32, line int32) (n, scored int) {
		for _, v := range col {
			if v >= 0 {
				scored++
				if v > line {
					n++
				}
			}
		}
		return n, scored
	}
	// An unknown stage: 语数英 together are 150-mark papers when scores
	// pass 100 in any of them (by more than a typo), else 100-mark ones.
	unknownStd := 100.0
	for i, s := range subjects {
		if _, ok := StandardFull(s, stage); !ok && headerFull[i] <= 0 {
			if n, scored := above(cols[i], 200); n >= outlierCount(scored) {
				unknownStd = 150
			}
		}
	}
	outliers = make([][]int, len(subjects))
	for i, s := range subjects {
		full := headerFull[i]
		var why string
		std, ok := StandardFull(s, stage)
		if !ok {
			std = unknownStd
		}
		line := int32(std * 2)
		n, scored := above(cols[i], line)
		best := int32(0)
		for _, v := range cols[i] {
			if v <= line || n >= outlierCount(scored) {
				best = max(best, v)
			}
		}
		seen := float64(best) / 2
		switch {
		case full > 0:
			why = "表头注明"
		case n > 0 && n < outlierCount(scored):
			for k, v := range cols[i] {
				if v > line {
					outliers[i] = append(outliers[i], k)
				}
			}
			full = std
			why = fmt.Sprintf("只有 %d 人超过常见满分 %s，视为录入错误，未采用", n, fmtFloat(std))
		case n == 0 && !ok:
			full, why = std, fmt.Sprintf("学段未知，语数英最高分 %s，按 %s 分卷", fmtFloat(seen), fmtFloat(std))
		case n == 0:
			full, why = std, stageNote+"常见满分"
		default:
			full = math.Ceil(seen/10) * 10
			why = fmt.Sprintf("%d 人超过常见满分 %s，按最高分 %s 向上取整", n, fmtFloat(std), fmtFloat(seen))
		}
		e.Subjects = append(e.Subjects, analysis.Subject{Name: s, Full: full})
		notes = append(notes, fmt.Sprintf("%s满分按 %s 分计（%s）", s, fmtFloat(full), why))
	}
	return e, notes, outliers
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// exam sets Result.Exam: the caller's (with the papers read), or inferred;
// it asks when the evidence of the stage conflicts.
func (p *parser) exam(res *Result) error {
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
		if err := p.settleStage(res); err != nil {
			return err
		}
		p.stageClasses(res.Data, res.Stage)
		res.Assumptions = append(res.Assumptions, p.notes...)
		return nil
	}
	if err := p.settleStage(res); err != nil {
		return err
	}
	stage := res.Stage
	if res.StageSource == StageFromFile {
		p.noteKey(keyNoteStage, errs.Args{"stage": stage, "evidence": res.StageEvidence})
	}
	p.stageClasses(res.Data, stage)
	name := p.f.Sheets[0].Name
	if p.f.Format == "xlsx" {
		name = p.f.Name
	}
	e, notes, outliers := InferExam(name, p.subjects, p.fullHint, res.Data.Scores, stage)
	e.Papers = papers
	res.Exam = e
	p.outliers(res, outliers)
	res.Assumptions = append(res.Assumptions, notes...)
	res.Assumptions = append(res.Assumptions, p.notes...)
	return nil
}

// Where Result.Stage came from.
const (
	StageFromAnswer = "answer" // Mapping.Stage: a person said it
	StageFromExam   = "exam"   // Options.Stage, with Options.Exam: the exam's setup
	StageGiven      = "given"  // Options.Stage without an exam definition
	StageFromFile   = "file"   // decided from the file's evidence (and the registry's stages)
)

// examStages are the stages an exam's own stage allows its classes to be
// (a 九年一贯制 school has a 小学 and a 初中).
var examStages = map[string][]string{"小学": {"小学"}, "初中": {"初中"}, "高中": {"高中"},
	"九年一贯制": {"小学", "初中"}, "完全中学": {"初中", "高中"}}

// settleStage sets Result.Stage, the stage class codes are read with: a
// person's answer settles it; else a stage given without an exam
// definition; else the file's evidence — which, beside an exam's own stage,
// must agree with it (the exam's stage is kept and the evidence said), and
// asks when it does not, as it asks when the evidence conflicts.
func (p *parser) settleStage(res *Result) error {
	if p.m.Stage != "" {
		res.Stage, res.StageSource = p.m.Stage, StageFromAnswer
		return nil
	}
	given := p.opts.Stage
	if given != "" && p.opts.Exam == nil {
		res.Stage, res.StageSource = given, StageGiven
		return nil
	}
	stage, evidence, ask := p.decideStage(res.Data)
	if ask {
		return errs.New(errs.Invalid, keyAskStage, errs.Args{"evidence": evidence})
	}
	res.StageEvidence = evidence
	allowed, known := examStages[given]
	switch {
	case known && stage != "" && !slices.Contains(allowed, stage):
		return errs.New(errs.Invalid, keyAskStage, errs.Args{"evidence": "考试设置的学段是" + given + "，文件却像" + stage + "的（" + evidence + "）"})
	case known && len(allowed) == 1:
		res.Stage, res.StageSource = given, StageFromExam
	case stage != "":
		res.Stage, res.StageSource = stage, StageFromFile
	}
	return nil
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

// outliers reports the scores InferExam did not adopt as full marks: each
// is above_full, its student invalid, as if the full marks had been given.
func (p *parser) outliers(res *Result, outliers [][]int) {
	added := false
	for s, rows := range outliers {
		full := res.Exam.Subjects[s].Full
		for _, i := range rows {
			v := res.Data.Scores[s][i]
			res.Data.Scores[s][i] = analysis.NoScore
			res.Invalid[i] = true
			res.ProblemCount++
			added = true
			if len(res.Problems) >= p.opts.MaxProblems {
				continue
			}
			ref := res.Rows[i]
			score := fmtPoints(v)
			res.Problems = append(res.Problems, Problem{Sheet: p.sheets[ref.Sheet], Line: int(ref.Line), Field: p.subjects[s],
				Code: ProblemAboveFull, Value: score,
				Message: fmt.Sprintf("“%s”的分数 %s 超过满分 %s（只有个别学生超过，满分未据此提高，请核对）", p.subjects[s], score, fmtFloat(full))})
		}
	}
	if !added {
		return
	}
	res.InvalidCount = 0
	for _, bad := range res.Invalid {
		if bad {
			res.InvalidCount++
		}
	}
	p.sortProblems(res)
}
