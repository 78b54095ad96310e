// Package xlsxreport writes an exam's analysis as the workbook a school
// prints: one sheet per section, Chinese headers. The analyze command and
// the report pages' export share it.
package xlsxreport

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/xlsx"
)

// About is what the report says about reading the file (the 说明 sheet).
type About struct {
	File         string             `json:"file"`
	Mapping      *examfile.Mapping  `json:"mapping"`
	Students     int                `json:"students"`
	LeftOut      int                `json:"left_out"`
	ProblemCount int                `json:"problem_count"`
	Problems     []examfile.Problem `json:"problems"`
	Assumptions  []string           `json:"assumptions"`
	ExamInferred bool               `json:"exam_inferred"`
}

// ---- the printable report ----

// pct shows a rate as a percentage with two decimals; NaN stays empty.
func pct(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return math.Round(v*10000) / 100
}

// num rounds a figure to two decimals for the sheet; NaN stays empty.
func num(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return math.Round(v*100) / 100
}

func rank(r int) any {
	if r <= 0 {
		return nil
	}
	return r
}

var statHeaders = []string{"科目", "应考", "实考", "缺考", "作弊/违纪", "参考率(%)", "平均分", "得分率(%)", "标准差", "差异系数",
	"最高分", "最低分", "中位数", "下四分位", "上四分位", "众数", "优秀人数", "优秀率(%)", "良好人数", "良好率(%)",
	"及格人数", "及格率(%)", "低分人数", "低分率(%)", "全科及格率(%)", "全科优秀率(%)", "两率一分"}

func statCells(st *analysis.Stat) []any {
	return []any{st.Subject, st.Enrolled, st.N, st.Absent, st.Void, pct(st.TakeRate), num(st.Mean), pct(st.ScoreRate), num(st.SD), num(st.CV),
		num(st.Max), num(st.Min), num(st.Median), num(st.Q1), num(st.Q3), num(st.Mode), st.ExcellentCount, pct(st.ExcellentRate),
		st.GoodCount, pct(st.GoodRate), st.PassCount, pct(st.PassRate), st.LowCount, pct(st.LowRate),
		pct(st.AllPassRate), pct(st.AllExcellentRate), num(st.Composite)}
}

var compareHeaders = []string{"对比均分", "离均差", "均分比", "超均率(%)", "T值", "学科贡献率(%)", "名次"}

func compareCells(st *analysis.Stat) []any {
	return []any{num(st.RefMean), num(st.Diff), num(st.Ratio), pct(st.AboveMeanRate), num(st.TScore), pct(st.Contribution), rank(st.Rank)}
}

// Write writes the report a school prints: one sheet per section. about
// may be nil (a report from the store), va and gaps too.
func Write(w io.Writer, r *analysis.Report, imp *About, va *analysis.ValueAddedReport, gaps []analysis.GapSeries, students bool) error {
	b, err := xlsx.NewBook()
	if err != nil {
		return err
	}
	fail := func(err error) error { b.Close(); return err }
	rows := func(name string, headers []string, fill func(row func(...any) error) error) error {
		if _, err := b.Sheet(name, headers); err != nil {
			return err
		}
		return fill(b.Row)
	}
	sections := []func() error{
		func() error { return sheetAbout(rows, r, imp) },
		func() error {
			return rows("科目与分数线", []string{"科目", "满分", "计入总分", "划线方式", "优秀线", "良好线", "及格线", "低分线(低于)", "全体平均分", "全体标准差", "一分一段步长"},
				func(row func(...any) error) error {
					for _, s := range r.Subjects {
						in := "是"
						if !s.InTotal {
							in = "否"
						}
						mode := map[string]string{"percent": "按满分百分比", "absolute": "按分数线", "rank": "按名次比例"}[s.LineMode]
						if err := row(s.Name, s.Full, in, mode, num(s.Excellent), num(s.Good), num(s.Pass), num(s.Low), num(s.Mean), num(s.SD), s.Step); err != nil {
							return err
						}
					}
					return nil
				})
		},
		func() error { return sheetStats(rows, "总体", r, analysis.LevelExam, nil, nil) },
		func() error {
			if len(r.Groups) == 0 {
				return nil
			}
			return sheetStats(rows, "集团", r, analysis.LevelGroup, []string{"集团"}, func(st *analysis.Stat) []any { return []any{st.Group} })
		},
		func() error {
			return sheetStats(rows, "学校", r, analysis.LevelSchool, []string{"集团", "学校", "学校代码", "与核心校差距"},
				func(st *analysis.Stat) []any { return []any{st.Group, st.School, st.SchoolCode, num(st.GapToLead)} })
		},
		func() error {
			return sheetStats(rows, "班级", r, analysis.LevelClass, []string{"集团", "学校", "班级", "校内名次"},
				func(st *analysis.Stat) []any { return []any{st.Group, st.School, st.Class, rank(st.RankInSchool)} })
		},
		func() error {
			for i := range r.Stats {
				if r.Stats[i].Level == analysis.LevelTeacher {
					return sheetStats(rows, "教师", r, analysis.LevelTeacher, []string{"教师", "学校", "任教班级", "小样本"},
						func(st *analysis.Stat) []any {
							small := ""
							if st.SmallN {
								small = "人数少，慎用"
							}
							return []any{st.Teacher, st.School, st.Class, small}
						})
				}
			}
			return nil
		},
		func() error { return sheetTiers(rows, r) },
		func() error { return sheetCritical(rows, r) },
		func() error {
			return rows("一分一段", []string{"科目", "分数", "本段人数", "累计人数(位次)"}, func(row func(...any) error) error {
				for _, d := range r.Distributions {
					for _, x := range d.Rows {
						if err := row(d.Subject, x.Score, x.Count, x.Cumulative); err != nil {
							return err
						}
					}
				}
				return nil
			})
		},
		func() error {
			return rows("分数段", []string{"范围", "集团", "学校", "科目", "分数段", "人数", "累计人数", "占比(%)", "累计占比(%)"}, func(row func(...any) error) error {
				for _, bd := range r.Bands {
					scope := map[string]string{analysis.LevelExam: "全体", analysis.LevelGroup: "集团", analysis.LevelSchool: "学校"}[bd.Level]
					for k, x := range bd.Rows {
						label := fmt.Sprintf("[%s, %s)", fmtNum(x.From), fmtNum(x.To))
						if k == 0 {
							label = fmt.Sprintf("[%s, %s]", fmtNum(x.From), fmtNum(x.To))
						}
						if err := row(scope, bd.Group, bd.School, bd.Subject, label, x.Count, x.Cumulative, pct(x.Share), pct(x.CumShare)); err != nil {
							return err
						}
					}
				}
				return nil
			})
		},
		func() error {
			return rows("均衡度", []string{"范围", "科目", "学校数", "加权平均分", "校际差异系数"}, func(row func(...any) error) error {
				for _, bl := range r.Balance {
					scope := bl.Group
					if scope == "" {
						scope = "全体"
					}
					if err := row(scope, bl.Subject, bl.Schools, num(bl.Mean), num(bl.CV)); err != nil {
						return err
					}
				}
				return nil
			})
		},
		func() error { return sheetPapers(rows, r) },
		func() error { return sheetValueAdded(rows, va) },
		func() error { return sheetGaps(rows, gaps) },
		func() error {
			if !students {
				return nil
			}
			return sheetStudents(rows, r)
		},
	}
	for _, s := range sections {
		if err := s(); err != nil {
			return fail(err)
		}
	}
	_, err = b.WriteTo(w)
	return err
}

type rowsFunc func(name string, headers []string, fill func(row func(...any) error) error) error

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func sheetAbout(rows rowsFunc, r *analysis.Report, imp *About) error {
	return rows("说明", []string{"项目", "内容"}, func(row func(...any) error) error {
		s := r.Settings
		onOff := func(b bool) string {
			if b {
				return "是"
			}
			return "否"
		}
		tiers := make([]string, len(s.Tiers))
		for i, t := range s.Tiers {
			tiers[i] = fmt.Sprintf("%s %s%%", analysis.TierName(i), fmtNum(t))
		}
		lines := [][2]string{
			{"考试", r.Exam},
			{"学生数", strconv.Itoa(r.Data().Len())},
			{"统计口径：缺考", map[bool]string{false: "不计入（只统计实考）", true: "按 0 分计入"}[s.AbsentAsZero]},
			{"统计口径：作弊/违纪", map[bool]string{false: "不计入", true: "按 0 分计入"}[s.VoidAsZero]},
			{"统计口径：空白成绩", map[string]string{"not_sat": "空白、“-”等不计应考（未参加该科）", "absent": "空白、“-”等按缺考计"}[s.Blank]},
			{"统计口径：总分", map[string]string{"exclude": "缺任一总分科目者不计总分", "partial": "按已考科目合计"}[s.TotalMissing]},
			{"标准差", map[string]string{"sample": "样本标准差（n−1）", "population": "总体标准差（n）"}[s.SD]},
			{"四分位数", map[string]string{"inc": "QUARTILE.INC", "exc": "QUARTILE.EXC"}[s.Quartile]},
			{"划线方式", map[string]string{"percent": "按满分百分比", "absolute": "按分数线", "rank": "按名次比例"}[s.LineMode]},
			{"优秀/良好/及格/低分（满分%）", fmt.Sprintf("%s / %s / %s / %s", fmtNum(s.ExcellentPct), fmtNum(s.GoodPct), fmtNum(s.PassPct), fmtNum(s.LowPct))},
			{"统计良好率", onOff(s.GoodEnabled)},
			{"按名次：优秀前/良好前/及格前/低分后（%）", fmt.Sprintf("%s / %s / %s / %s", fmtNum(s.RankExcellentPct), fmtNum(s.RankGoodPct), fmtNum(s.RankPassPct), fmtNum(s.RankLowPct))},
			{"名次", map[string]string{"competition": "竞争排名（1,2,2,4）", "dense": "中国式排名（1,2,2,3）"}[s.Rank]},
			{"标准分", fmt.Sprintf("T = %s + %s·Z（Z 以全体为参照）", fmtNum(s.TMean), fmtNum(s.TSD))},
			{"分数段宽度（单科/总分）", fmtNum(s.BinWidth) + " / " + fmtNum(s.TotalBinWidth)},
			{"分档上线", strings.Join(tiers, "，")},
			{"临界生", map[string]string{"below": fmt.Sprintf("线下 %s 分以内", fmtNum(s.CriticalPoints)),
				"band": fmt.Sprintf("线上下 %s 分以内", fmtNum(s.CriticalPoints)), "rank": fmt.Sprintf("线下 %d 名以内", s.CriticalRanks)}[s.CriticalMode]},
			{"两率一分权重（得分率/优秀率/及格率）", fmt.Sprintf("%s / %s / %s", fmtNum(s.Composite.Mean), fmtNum(s.Composite.Excellent), fmtNum(s.Composite.Pass))},
			{"区分度分组比例", fmtNum(s.DiscriminationShare)},
			{"小样本提示（人数少于）", strconv.Itoa(s.MinN)},
			{"与核心校差距单位", s.GapUnit},
			{"增值模型", map[string]string{"residual": "残差模型（本次Z对上次Z回归）", "z_change": "Z值变化"}[s.ValueAdded]},
		}
		for _, g := range r.Groups {
			lead := g.Lead
			if g.LeadInferred {
				lead += "（未指定，按总分T值最高推定）"
			}
			lines = append(lines, [2]string{"集团“" + g.Name + "”核心校", lead})
		}
		if imp != nil {
			lines = append(lines, [2]string{"数据文件", imp.File},
				[2]string{"数据问题", fmt.Sprintf("%d 处，跳过 %d 名学生", imp.ProblemCount, imp.LeftOut)})
			for _, a := range imp.Assumptions {
				lines = append(lines, [2]string{"假定", a})
			}
			for _, p := range imp.Problems {
				lines = append(lines, [2]string{"问题", ProblemLine(p)})
			}
		}
		for _, w := range r.Warnings {
			lines = append(lines, [2]string{"注意", w})
		}
		for _, l := range lines {
			if err := row(l[0], l[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func sheetStats(rows rowsFunc, name string, r *analysis.Report, level string, lead []string, leadCells func(*analysis.Stat) []any) error {
	headers := append(append(append([]string{}, lead...), statHeaders...), compareHeaders...)
	if level == analysis.LevelExam {
		headers = statHeaders
	}
	return rows(name, headers, func(row func(...any) error) error {
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Level != level {
				continue
			}
			var cells []any
			if leadCells != nil {
				cells = leadCells(st)
			}
			cells = append(cells, statCells(st)...)
			if level != analysis.LevelExam {
				cells = append(cells, compareCells(st)...)
			}
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

func sheetTiers(rows rowsFunc, r *analysis.Report) error {
	if len(r.TierLines) == 0 {
		return nil
	}
	headers := []string{"范围", "集团", "学校", "班级", "总分实考"}
	for _, t := range r.TierLines {
		headers = append(headers, fmt.Sprintf("%s(前%s%%，%s分)上线", t.Name, fmtNum(t.Share), fmtNum(t.Score)))
	}
	return rows("分档上线", headers, func(row func(...any) error) error {
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Subject != analysis.TotalName || st.Level == analysis.LevelTeacher {
				continue
			}
			scope := map[string]string{analysis.LevelExam: "全体", analysis.LevelGroup: "集团", analysis.LevelSchool: "学校", analysis.LevelClass: "班级"}[st.Level]
			cells := []any{scope, st.Group, st.School, st.Class, st.N}
			for _, c := range st.Tiers {
				cells = append(cells, c)
			}
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

func sheetCritical(rows rowsFunc, r *analysis.Report) error {
	return rows("临界生", []string{"范围", "集团", "学校", "班级", "科目", "分数线", "线值", "临界区间", "临界人数"}, func(row func(...any) error) error {
		subj := map[string]analysis.SubjectInfo{}
		for _, s := range r.Subjects {
			subj[s.Name] = s
		}
		for i := range r.Stats {
			st := &r.Stats[i]
			if st.Level == analysis.LevelTeacher || st.Level == analysis.LevelGroup {
				continue
			}
			scope := map[string]string{analysis.LevelExam: "全体", analysis.LevelSchool: "学校", analysis.LevelClass: "班级"}[st.Level]
			for k, cl := range subj[st.Subject].Critical {
				span := ""
				if !math.IsNaN(cl.From) {
					span = fmt.Sprintf("[%s, %s)", fmtNum(cl.From), fmtNum(cl.To))
				}
				if err := row(scope, st.Group, st.School, st.Class, st.Subject, cl.Name, num(cl.Line), span, st.Critical[k]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func sheetPapers(rows rowsFunc, r *analysis.Report) error {
	if len(r.Papers) == 0 {
		return nil
	}
	return rows("小题分析", []string{"科目", "题号", "题型", "知识点", "分值", "答案", "平均分", "难度", "区分度", "评价", "题总相关", "选项分布", "信度α"},
		func(row func(...any) error) error {
			for _, p := range r.Papers {
				for k, it := range p.Items {
					var opts []string
					for _, o := range it.Options {
						opts = append(opts, fmt.Sprintf("%s %.1f%%", o.Option, o.Share*100))
					}
					alpha := any(nil)
					if k == 0 {
						alpha = num(p.Alpha)
					}
					if err := row(p.Subject, it.No, it.Type, it.Knowledge, it.Full, it.Key, num(it.Mean), num(it.Difficulty),
						num(it.Discrimination), it.Verdict, num(it.ItemRest), strings.Join(opts, "；"), alpha); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

func sheetValueAdded(rows rowsFunc, va *analysis.ValueAddedReport) error {
	if va == nil {
		return nil
	}
	return rows("增值评价", []string{"层级", "集团", "学校", "班级", "教师", "科目", "匹配人数", "增值(Z)", "增值(T)", "标准误", "平均Z变化", "平均名次变化", "提示"},
		func(row func(...any) error) error {
			level := map[string]string{analysis.LevelExam: "全体", analysis.LevelGroup: "集团", analysis.LevelSchool: "学校", analysis.LevelClass: "班级", analysis.LevelTeacher: "教师"}
			for _, u := range va.Units {
				note := ""
				if u.SmallN {
					note = "人数少于30，慎用"
				}
				if err := row(level[u.Level], u.Group, u.School, u.Class, u.Teacher, u.Subject, u.N, num(u.Value), num(u.ValueT),
					num(u.SE), num(u.MeanZChange), num(u.MeanRankChange), note); err != nil {
					return err
				}
			}
			return nil
		})
}

func sheetGaps(rows rowsFunc, gaps []analysis.GapSeries) error {
	if len(gaps) == 0 {
		return nil
	}
	headers := append([]string{"集团", "核心校", "学校", "科目"}, gaps[0].Exams...)
	headers = append(headers, "趋势(每次)", "变化", "判断")
	return rows("与核心校差距", headers, func(row func(...any) error) error {
		for _, g := range gaps {
			cells := []any{g.Group, g.Lead, g.School, g.Subject}
			for _, v := range g.Gaps {
				cells = append(cells, num(v))
			}
			verdict := ""
			switch {
			case math.IsNaN(g.Slope):
			case g.Closing:
				verdict = "差距缩小"
			case g.Slope > 0:
				verdict = "差距扩大"
			default:
				verdict = "持平"
			}
			cells = append(cells, num(g.Slope), num(g.Change), verdict)
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxSheetRows is Excel's row limit, less the header.
const maxSheetRows = 1048575

func sheetStudents(rows rowsFunc, r *analysis.Report) error {
	headers := []string{"考号", "姓名", "集团", "学校", "班级"}
	for _, s := range r.Subjects {
		headers = append(headers, s.Name, s.Name+"班次", s.Name+"校次", s.Name+"联考名次", s.Name+"T")
	}
	d := r.Data()
	return rows("学生", headers, func(row func(...any) error) error {
		for i := range min(d.Len(), maxSheetRows) {
			c := d.Classes[d.Class[i]]
			school := d.Schools[c.School]
			group := ""
			if school.Group >= 0 {
				group = d.Groups[school.Group]
			}
			cells := []any{d.ID[i], d.Name[i], group, school.Name, c.Name}
			for s := range r.Subjects {
				v := r.Score(s, i)
				var score any = analysis.StatusText(v)
				if c := r.Counted(s, i); c >= 0 {
					score = float64(c) / 2
				} else if s == len(r.Subjects)-1 && v == analysis.Absent {
					score = "缺科"
				}
				cells = append(cells, score, rank(r.ClassRank(s, i)), rank(r.SchoolRank(s, i)), rank(r.ExamRank(s, i)), num(r.T(s, i)))
			}
			if err := row(cells...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ProblemLine words an import problem with its row: “第5行：…”.
func ProblemLine(p examfile.Problem) string {
	where := fmt.Sprintf("第%d行", p.Line)
	if p.Sheet != "" {
		where = fmt.Sprintf("“%s”第%d行", p.Sheet, p.Line)
	}
	return where + "：" + p.Message
}
