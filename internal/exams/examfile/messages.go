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
}

// Describe renders an error of this package (or of analysis) in Chinese.
func Describe(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	msg, ok := Messages[e.Key]
	if !ok {
		return analysis.Describe(err)
	}
	for k, v := range e.Args {
		msg = strings.ReplaceAll(msg, "{"+k+"}", fmt.Sprint(v))
	}
	return msg
}
