package examfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"edugroup/internal/exams/analysis"
)

// paperField names a column of a paper sheet (试卷结构).
func paperField(h string) string {
	switch normHeader(h) {
	case "题号", "题目", "小题", "题次", "小题号", "序号", "题目编号":
		return "no"
	case "题型", "类型", "题目类型":
		return "type"
	case "分值", "满分", "分数", "小题分值", "小题满分":
		return "full"
	case "知识点", "考点", "考查内容", "知识模块":
		return "knowledge"
	case "答案", "标准答案", "正确答案", "参考答案", "正确选项":
		return "key"
	case "科目", "学科":
		return "subject"
	case "部分得分", "少选得分", "半对得分":
		return "partial"
	}
	return ""
}

// itemNo writes an item label the way item columns are matched: 第1题,
// 题1, T1 and 1 are all "1".
func itemNo(s string) string {
	h := normHeader(s)
	if m := itemRE.FindStringSubmatch(h); m != nil && m[1] == "" {
		return m[2]
	}
	return h
}

// setPapers builds the item list of every subject with item columns: from
// the exam's paper, else the file's paper sheet, else the columns.
func (p *parser) setPapers() error {
	if p.m.Shape != ShapeItems {
		return nil
	}
	var sheetItems map[string][]analysis.Item
	if p.m.PaperSheet != "" && p.f.wb != nil {
		var err error
		if sheetItems, err = p.readPaperSheet(); err != nil {
			return err
		}
	}
	for _, c := range p.m.Columns {
		if c.Field != FieldItem {
			continue
		}
		s := p.subject(c.Subject)
		if s < 0 {
			p.note(fmt.Sprintf("“%s”不是本次考试的科目，小题未读取", c.Subject))
			continue
		}
		pi := p.paperOf(s)
		if pi < 0 {
			pc := &paperCols{subject: s, byNo: map[string]int{}}
			if e := p.opts.Exam; e != nil {
				for _, paper := range e.Papers {
					if paper.Subject == p.subjects[s] {
						pc.fromExam = true
						pc.items = append(pc.items, paper.Items...)
					}
				}
			}
			if !pc.fromExam {
				items := sheetItems[p.subjects[s]]
				if items == nil {
					items = sheetItems[""]
				}
				pc.items = append(pc.items, items...)
				pc.fromExam = len(items) > 0
			}
			for i, it := range pc.items {
				pc.byNo[itemNo(it.No)] = i
			}
			p.papers = append(p.papers, pc)
			pi = len(p.papers) - 1
		}
		pc := p.papers[pi]
		if _, ok := pc.byNo[c.Item]; !ok && !pc.fromExam {
			pc.byNo[c.Item] = len(pc.items)
			pc.items = append(pc.items, analysis.Item{No: c.Item, Full: c.Full})
		}
	}
	return nil
}

// readPaperSheet reads 题号, 题型, 分值, 知识点, 答案 (and 科目) rows.
func (p *parser) readPaperSheet() (map[string][]analysis.Item, error) {
	idx := -1
	for i, s := range p.f.Sheets {
		if s.Name == p.m.PaperSheet {
			idx = i
		}
	}
	if idx < 0 {
		return nil, nil
	}
	out := map[string][]analysis.Item{}
	var cols map[string]int
	err := p.f.wb.Scan(idx, func(line int, cells []string, _ []int) error {
		if cols == nil {
			m := map[string]int{}
			for i, c := range cells {
				if f := paperField(c); f != "" {
					if _, dup := m[f]; !dup {
						m[f] = i
					}
				}
			}
			if _, ok := m["no"]; ok {
				if _, ok := m["full"]; ok {
					cols = m
				}
			}
			return nil
		}
		get := func(f string) string {
			if i, ok := cols[f]; ok && i < len(cells) {
				return strings.TrimSpace(Norm(cells[i]))
			}
			return ""
		}
		no := itemNo(get("no"))
		if no == "" {
			return nil
		}
		full, err := strconv.ParseFloat(get("full"), 64)
		if err != nil || full <= 0 {
			p.note(fmt.Sprintf("试卷结构第%d行的分值“%s”无法识别，未读取该题", line, get("full")))
			return nil
		}
		it := analysis.Item{No: no, Type: get("type"), Full: full, Knowledge: get("knowledge")}
		if k, ok := answer(get("key")); ok {
			it.Key = k
		}
		if v, err := strconv.ParseFloat(get("partial"), 64); err == nil && v > 0 {
			it.Partial = v
		}
		subject := ""
		if s := get("subject"); s != "" {
			if c, ok := CanonicalSubject(s); ok {
				subject = c
			} else {
				subject = s
			}
		}
		out[subject] = append(out[subject], it)
		return nil
	})
	return out, err
}

// itemTotals settles the papers after the rows: item full marks not given
// anywhere come from the best score seen; objective answers are scored
// against the key; a subject with items but no score column gets the sum
// of its items as its score.
func (p *parser) itemTotals(res *Result) {
	hasScoreCol := map[int]bool{}
	for _, c := range p.m.Columns {
		if c.Field == FieldScore {
			if s := p.subject(c.Subject); s >= 0 {
				hasScoreCol[s] = true
			}
		}
	}
	d := res.Data
	for pi, pc := range p.papers {
		ps := &d.Papers[pi]
		for k := range pc.items {
			it := &pc.items[k]
			if it.Full > 0 {
				continue
			}
			best := int32(0)
			for _, v := range ps.Scores[k] {
				best = max(best, v)
			}
			it.Full = math.Max(1, math.Ceil(float64(best)/2))
			p.note(fmt.Sprintf("“%s”第%s题的分值未给出，按最高得分 %s 计", p.subjects[pc.subject], it.No, strconv.FormatFloat(it.Full, 'f', -1, 64)))
		}
		for k, it := range pc.items {
			if ps.Answers[k] == nil {
				continue
			}
			if it.Key == "" {
				p.note(fmt.Sprintf("“%s”第%s题是客观题但没有标准答案，只统计选项分布", p.subjects[pc.subject], it.No))
				continue
			}
			// An answered objective item is scored from its answer.
			for i, a := range ps.Answers[k] {
				if a != "" && ps.Scores[k][i] < 0 {
					ps.Scores[k][i] = analysis.ScoreAnswer(it, a)
				}
			}
		}
		s := pc.subject
		p.unanswered(ps, d.Scores[s], hasScoreCol[s])
		if hasScoreCol[s] {
			continue
		}
		// The subject's score is the sum of its items.
		full := 0.0
		for _, it := range pc.items {
			full += it.Full
		}
		if p.full[s] < 0 {
			if h, ok := analysis.HalfPoints(full); ok {
				p.full[s] = h
				p.fullHint[s] = full
			}
		}
		// After unanswered, a student who sat the paper has every item
		// scored; one who did not is 缺考 if an item says so.
		col := d.Scores[s]
		for i := range col {
			sum, scored, code := int32(0), false, analysis.NoScore
			for k := range pc.items {
				v := ps.Scores[k][i]
				switch {
				case v >= 0:
					sum += v
					scored = true
				case v == analysis.Void:
					code = v
				case v == analysis.Absent && code == analysis.NoScore:
					code = v
				}
			}
			switch {
			case code == analysis.Void || code != analysis.NoScore && !scored:
				col[i] = code
			case scored:
				col[i] = sum
			default:
				col[i] = analysis.NoScore
			}
		}
	}
}

// unanswered scores the items a student left blank as 0 (未作答): a blank
// cell, a placeholder (-, /) or an absent mark (缺) in one item of a paper
// the student sat — the subject has a score, or another item has a score or
// an answer. The answer stays "" so the option shares count it as 未作答.
// A paper with a 作弊/违纪 item is void and left alone; a student with no
// item scored did not sit it (缺考 when an item says 缺).
func (p *parser) unanswered(ps *analysis.PaperScores, subject []int32, hasScore bool) {
	for i := range subject {
		sat, void := hasScore && subject[i] >= 0, false
		for k, col := range ps.Scores {
			if col == nil {
				continue
			}
			switch v := col[i]; {
			case v >= 0:
				sat = true
			case v == analysis.Void:
				void = true
			}
			if ps.Answers != nil && ps.Answers[k] != nil && ps.Answers[k][i] != "" {
				sat = true
			}
		}
		if !sat || void {
			continue
		}
		for _, col := range ps.Scores {
			if col != nil && (col[i] == analysis.NoScore || col[i] == analysis.Absent) {
				col[i] = 0
			}
		}
	}
}
