package examfile

import (
	"fmt"
	"strings"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// Message keys of the file-level errors (the server's catalogs carry the
// same keys; Messages holds their Chinese text for callers without it).
const (
	keyTooLarge   = "examfile.too_large"
	keyEmpty      = "examfile.empty"
	keyNotTable   = "examfile.not_table"
	keyEncoding   = "examfile.encoding"
	keyNoHeader   = "examfile.no_header"
	keyNoScores   = "examfile.no_scores"
	keyNoID       = "examfile.no_id"
	keyMapping    = "examfile.mapping"
	keyNoSheet    = "examfile.no_sheet"
	keyNoStudent  = "examfile.no_students"
	keyNoTeaching = "examfile.no_teaching"

	// What the reader recognized and how it read it (notes), and the
	// questions it stops with when the file does not say.
	keyNoteTwoRowHeader    = "examfile.note.two_row_header"
	keyNoteDerivedUnder    = "examfile.note.derived_under"
	keyNoteOtherLayout     = "examfile.note.other_layout"
	keyNoteSheetPerSubject = "examfile.note.sheet_per_subject"
	keyNoteSummaryRows     = "examfile.note.summary_rows"
	keyNoteNoIdentity      = "examfile.note.no_identity"
	keyNoteHeaderAgain     = "examfile.note.header_again"
	keyNoteExcluded        = "examfile.note.excluded"
	keyNoteRemark          = "examfile.note.remark"
	keyNoteSheetNotSchool  = "examfile.note.sheet_not_school"
	keyNoteSchoolFromTitle = "examfile.note.school_from_title"
	keyNoteRepeated        = "examfile.note.repeated_sheets"
	keyNoteSwapped         = "examfile.note.swapped_columns"
	keyNoteGeneratedIDs    = "examfile.note.generated_ids"
	keyNoteStage           = "examfile.note.stage"
	keyNoteClassStage      = "examfile.note.class_stage"
	keyAskSwapped          = "examfile.ask.swapped_columns"
	keyAskStage            = "examfile.ask.stage"
)

// Messages maps each key to its zh-CN text.
var Messages = map[string]string{
	keyTooLarge:   "文件过大（上限 {mb} MB）",
	keyEmpty:      "文件是空的",
	keyNotTable:   "无法识别的文件：请上传 Excel .xlsx 或 CSV 文件（.xls 请先另存为 .xlsx）",
	keyEncoding:   "文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV",
	keyNoHeader:   "前 {rows} 行中找不到表头（需要“考号”或“姓名”以及科目列）",
	keyNoScores:   "没有找到成绩列（科目列，或长表的“科目”“成绩”列）",
	keyNoID:       "需要“考号/学号”列，或至少“姓名”列",
	keyMapping:    "列对应关系有误：{reason}",
	keyNoSheet:    "工作表“{name}”不存在",
	keyNoStudent:  "文件中没有学生成绩",
	keyNoTeaching: "任课表中没有找到“班级”和“教师”（或各科教师）列",

	keyNoteTwoRowHeader:    "工作表“{sheet}”的表头占两行（第{row}行起，科目下分得分、排名等列）：读取各科的得分列",
	keyNoteDerivedUnder:    "未读取各科下的排名、等级等 {n} 列（“{examples}”等）：派生列，由系统重新计算",
	keyNoteOtherLayout:     "工作表{sheets}的列与“{first}”不同，未读取",
	keyNoteSheetPerSubject: "每个工作表是一个科目（以工作表名为科目），读取其成绩列",
	keyNoteSummaryRows:     "“{sheet}”表第{rows}行是统计行（平均分、最高分、排名等），共 {n} 行，未作为学生读取",
	keyNoteNoIdentity:      "“{sheet}”表第{rows}行既没有考号也没有姓名，共 {n} 行，不是学生，未读取",
	keyNoteHeaderAgain:     "“{sheet}”表第{rows}行重复了表头，共 {n} 行，未作为学生读取",
	keyNoteExcluded:        "“{sheet}”表有 {n} 名学生的“{header}”为“{value}”（第{rows}行），按文件的标记不计入统计",
	keyNoteRemark:          "“{sheet}”表有 {n} 名学生的“{header}”写明“{value}”（第{rows}行），其空白成绩按此计",
	keyNoteSheetNotSchool:  "没有学校列，工作表名“{sheet}”是科目或报表名，不作校名：全部学生记为“{school}”，请指定学校",
	keyNoteSchoolFromTitle: "没有学校列，工作表名“{sheet}”不是校名：按标题行记为“{school}”，请核对",
	keyNoteRepeated:        "工作表{sheets}重复了其他工作表中的 {n} 名学生（考号、姓名和成绩都相同），每名学生只读一次",
	keyNoteSwapped:         "{schools}的“{name}”列是班级、“{class}”列是姓名（共 {n} 行）：已按内容对调读取，请核对",
	keyNoteGeneratedIDs:    "{schools}没有考号（{n} 名学生）：以“学校+班级+姓名”识别这些学生，无法与其他考试匹配",
	keyNoteStage:           "学段判断为{stage}（{evidence}），满分据此确定，请确认",
	keyNoteClassStage:      "班级代码（如“{raw}”）按{stage}读作“{class}”",
	keyAskSwapped:          "{schools}的“姓名”“班级”两列内容有的行对调、有的行没有，无法确定哪些行对调：请逐校指定读法（对调姓名列是班级的行，或全部按表头读取），或改正这些学校的行后重新导入",
	keyAskStage:            "无法确定学段：{evidence}。请指定学段（小学、初中或高中）后重新读取",
}

// Note is one thing the reader recognized, as a key of the message
// catalogs and its arguments (Result.Notes); Result.Assumptions holds the
// same in Chinese.
type Note struct {
	Key  string    `json:"key"`
	Args errs.Args `json:"args,omitempty"`
}

// msg renders a key of Messages in Chinese.
func msg(key string, args errs.Args) string {
	out, ok := Messages[key]
	if !ok {
		return key
	}
	for k, v := range args {
		out = strings.ReplaceAll(out, "{"+k+"}", fmt.Sprint(v))
	}
	return out
}

// noteKey adds a note by key (and its Chinese text to the notes).
func (p *parser) noteKey(key string, args errs.Args) {
	p.keyed = append(p.keyed, Note{Key: key, Args: args})
	p.note(msg(key, args))
}

// Describe renders an error of this package (or of analysis) in Chinese.
func Describe(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	if _, ok := Messages[e.Key]; !ok {
		return analysis.Describe(err)
	}
	return msg(e.Key, e.Args)
}
