package analysis

import (
	"fmt"
	"strings"

	"edugroup/internal/errs"
)

// Message keys of the errors this package returns. The server's catalogs
// (internal/i18n/locales) carry the same keys; Messages holds the Chinese
// text so a caller without the catalog (the CLI) can still show them.
const (
	keyNoSubjects      = "exam.no_subjects"
	keySubjectName     = "exam.subject_name"
	keySubjectTwice    = "exam.subject_twice"
	keyFullMarks       = "exam.full_marks"
	keyLinesRequired   = "exam.lines_required"
	keyLinesOrder      = "exam.lines_order"
	keyTotalTooLarge   = "exam.total_too_large"
	keyPaperSubject    = "exam.paper_subject"
	keyPaperItems      = "exam.paper_items"
	keyItemPartial     = "exam.item_partial"
	keySettingValue    = "exam.setting_value"
	keySettingPercent  = "exam.setting_percent"
	keySettingPositive = "exam.setting_positive"
	keySettingShare    = "exam.setting_share"
	keySettingTiers    = "exam.setting_tiers"
	keyDataShape       = "exam.data_shape"
	keyDataScore       = "exam.data_score"
	keyDataClass       = "exam.data_class"
	keyDataTooMany     = "exam.data_too_many"

	// Warnings of a report (Report.Warnings, Report.WarningKeys).
	keyWarnSubjectEmptyTotals = "exam.warn.subject_empty_totals"
	keyWarnSubjectEmptyRest   = "exam.warn.subject_empty_rest"
	keyWarnSubjectEmpty       = "exam.warn.subject_empty"
	keyWarnTeacherTwice       = "exam.warn.teacher_twice"
	keyWarnTeachingUnknown    = "exam.warn.teaching_unknown"
	keyWarnLeadAbsent         = "exam.warn.lead_absent"
)

// Warning is a report's warning as a message key and its arguments.
type Warning struct {
	Key  string    `json:"key"`
	Args errs.Args `json:"args,omitempty"`
}

// Messages maps each key this package uses to its zh-CN text ({name} marks
// an argument).
var Messages = map[string]string{
	keyNoSubjects:      "考试至少需要一个科目",
	keySubjectName:     "科目名称“{name}”无效（不能为空，也不能叫“总分”）",
	keySubjectTwice:    "科目“{name}”重复",
	keyFullMarks:       "“{name}”的满分 {full} 无效（须为 0.5 的整数倍，且不超过 5000）",
	keyLinesRequired:   "按分数线划线时，“{name}”须填写优秀、及格、低分线",
	keyLinesOrder:      "分数线顺序有误：须 低分线、及格线 ≤ 良好线 ≤ 优秀线，且不超过满分",
	keyTotalTooLarge:   "总分满分 {total} 超过上限 5000",
	keyPaperSubject:    "小题结构的科目“{name}”不在本次考试中",
	keyPaperItems:      "小题结构没有题目",
	keyItemPartial:     "第{name}题的部分得分无效",
	keySettingValue:    "设置值“{value}”无效，可选：{allowed}",
	keySettingPercent:  "百分比 {value} 须在 0 到 100 之间",
	keySettingPositive: "设置须为正数",
	keySettingShare:    "区分度分组比例须在 0 到 0.5 之间",
	keySettingTiers:    "分档比例须递增，且在 0 到 100 之间",
	keyDataShape:       "成绩数据的列数与考试科目不一致",
	keyDataScore:       "第{row}名学生“{name}”的成绩 {score} 超出满分",
	keyDataClass:       "第{row}名学生的班级编号无效",
	keyDataTooMany:     "学校、集团或教师过多（{schools} 所学校），无法分析：请检查学校列",

	keyWarnSubjectEmptyTotals: "科目“{subject}”没有一名学生有成绩，按缺科计，所有总分统计为空（请核对该科成绩列，或设为不计入总分）",
	keyWarnSubjectEmptyRest:   "科目“{subject}”没有一名学生有成绩，总分只含其余科目",
	keyWarnSubjectEmpty:       "科目“{subject}”没有一名学生有成绩",
	keyWarnTeacherTwice:       "任课表中{school} {class} {subject}有两位教师（{first}、{second}），按后者计",
	keyWarnTeachingUnknown:    "任课表中有本次考试没有的{list}（共 {n} 处），已忽略",
	keyWarnLeadAbsent:         "集团“{group}”的核心校“{lead}”不在本次考试中，按总分T值最高的学校计",
}

// Describe renders a domain error of this package in Chinese, one line per
// detail; other errors come back as their Error text.
func Describe(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(fill(e.Key, e.Args))
	for _, d := range e.Details {
		fmt.Fprintf(&b, "\n  %s%s: %s", d.Field, d.Rule, fill(d.Key, d.Args))
	}
	return b.String()
}

func fill(key string, args errs.Args) string {
	msg, ok := Messages[key]
	if !ok {
		switch key {
		case "error.invalid":
			msg = "输入有误"
		default:
			msg = key
		}
	}
	for k, v := range args {
		msg = strings.ReplaceAll(msg, "{"+k+"}", fmt.Sprint(v))
	}
	return msg
}
