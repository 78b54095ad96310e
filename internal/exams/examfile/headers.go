package examfile

import (
	"regexp"
	"strconv"
	"strings"
)

// Field is what a column holds.
type Field string

// The fields a column can be mapped to.
const (
	FieldIgnore     Field = "ignore"
	FieldID         Field = "student_id"  // 考号/学号/准考证号
	FieldName       Field = "name"        // 姓名
	FieldSchool     Field = "school"      // 学校 (name or code)
	FieldSchoolCode Field = "school_code" // 学校代码
	FieldGroup      Field = "group"       // 集团
	FieldClass      Field = "class"       // 班级
	FieldScore      Field = "score"       // wide: one subject's score (Column.Subject)
	FieldItem       Field = "item"        // one question (Column.Subject, Column.Item)
	FieldSubject    Field = "subject"     // long: the subject name
	FieldValue      Field = "value"       // long: the score
	FieldAbsent     Field = "absent"      // long: a 缺考 flag
	FieldVoid       Field = "void"        // long: a 作弊/违纪 flag
	FieldInclude    Field = "include"     // 是否参与统计: 不参与 leaves the student out
	FieldRemark     Field = "remark"      // 备注: 缺考 or 作弊 there marks the blank scores
)

// EnumValues lists the fields, for the API document.
func (Field) EnumValues() []string {
	return []string{string(FieldIgnore), string(FieldID), string(FieldName), string(FieldSchool), string(FieldSchoolCode), string(FieldGroup),
		string(FieldClass), string(FieldScore), string(FieldItem), string(FieldSubject), string(FieldValue), string(FieldAbsent), string(FieldVoid),
		string(FieldInclude), string(FieldRemark)}
}

// headerAliases: normalized header text → field.
var headerAliases = map[string]Field{
	"考号": FieldID, "学号": FieldID, "准考证号": FieldID, "准考证": FieldID, "考生号": FieldID, "学籍号": FieldID,
	"考试号": FieldID, "考生编号": FieldID, "学生编号": FieldID, "学生号": FieldID, "考籍号": FieldID, "编号": FieldID,
	"STUDENTID": FieldID, "ID": FieldID, "EXAMNO": FieldID,
	"姓名": FieldName, "学生姓名": FieldName, "考生姓名": FieldName, "名字": FieldName, "学生": FieldName, "NAME": FieldName,
	"学校": FieldSchool, "学校名称": FieldSchool, "校名": FieldSchool, "学校名": FieldSchool, "所在学校": FieldSchool,
	"单位": FieldSchool, "单位名称": FieldSchool, "SCHOOL": FieldSchool, "就读学校": FieldSchool,
	"学校代码": FieldSchoolCode, "学校编号": FieldSchoolCode, "学校标识码": FieldSchoolCode, "学校编码": FieldSchoolCode,
	"校代码": FieldSchoolCode, "学校代号": FieldSchoolCode, "单位代码": FieldSchoolCode, "SCHOOLCODE": FieldSchoolCode,
	"集团": FieldGroup, "教育集团": FieldGroup, "集团名称": FieldGroup, "所属集团": FieldGroup, "联盟": FieldGroup,
	"共同体": FieldGroup, "教育共同体": FieldGroup, "学区": FieldGroup,
	"班级": FieldClass, "班": FieldClass, "班别": FieldClass, "行政班": FieldClass, "班级名称": FieldClass, "所在班级": FieldClass,
	"班号": FieldClass, "班次号": FieldClass, "CLASS": FieldClass,
	"科目": FieldSubject, "学科": FieldSubject, "课程": FieldSubject, "考试科目": FieldSubject, "SUBJECT": FieldSubject,
	"成绩": FieldValue, "分数": FieldValue, "得分": FieldValue, "卷面分": FieldValue, "卷面成绩": FieldValue, "原始分": FieldValue,
	"SCORE": FieldValue,
	"缺考":    FieldAbsent, "是否缺考": FieldAbsent, "缺考标记": FieldAbsent,
	"作弊": FieldVoid, "违纪": FieldVoid, "是否作弊": FieldVoid, "是否违纪": FieldVoid, "作弊/违纪": FieldVoid,
	"是否参与统计": FieldInclude, "是否统计": FieldInclude, "参与统计": FieldInclude, "是否参加统计": FieldInclude,
	"是否计入统计": FieldInclude, "计入统计": FieldInclude, "统计标记": FieldInclude, "是否参评": FieldInclude,
	"备注": FieldRemark, "说明": FieldRemark, "考试状态": FieldRemark, "状态": FieldRemark,
}

// ignoredHeaders are columns recognized and deliberately left out.
var ignoredHeaders = map[string]string{
	"序号": "序号", "性别": "性别", "座号": "座号", "座位号": "座位号", "考场": "考场", "考场号": "考场", "考点": "考点",
	"身份证号": "身份证号", "身份证": "身份证号", "年级": "年级", "文理": "选科", "选科": "选科", "选科组合": "选科",
	"NO": "序号", "NO.": "序号",
}

// derivedMarks are parts of header text that say the column is computed
// from the scores (ranks, grades, scaled scores): left out, the engine
// computes its own.
var derivedMarks = []string{"排名", "名次", "排序", "位次", "等级", "等第", "赋分", "标准分", "T分", "Z分", "百分位",
	"进步", "进退", "得分率", "平均", "均分", "离均", "超均", "校次", "班次", "级次", "联考次", "县次", "区次"}

var totalHeaders = map[string]bool{"总分": true, "总成绩": true, "合计": true, "总计": true, "总分数": true,
	"TOTAL": true, "总分(含加分)": true, "原始总分": true, "卷面总分": true, "三科总分": true, "主科总分": true}

// subjectSynonyms: a header (or a 科目 value) → the canonical subject.
var subjectSynonyms = map[string]string{
	"语文": "语文", "语": "语文", "YW": "语文", "CHINESE": "语文",
	"数学": "数学", "数": "数学", "SX": "数学", "MATH": "数学", "MATHS": "数学",
	"英语": "英语", "英": "英语", "外语": "英语", "EN": "英语", "ENGLISH": "英语", "YY": "英语",
	"物理": "物理", "物": "物理", "WL": "物理", "PHYSICS": "物理",
	"化学": "化学", "化": "化学", "HX": "化学", "CHEMISTRY": "化学",
	"生物": "生物", "生物学": "生物", "生": "生物", "SW": "生物", "BIOLOGY": "生物",
	"道德与法治": "道德与法治", "道法": "道德与法治", "思品": "道德与法治", "思想品德": "道德与法治", "品德": "道德与法治",
	"品德与社会": "道德与法治", "品德与生活": "道德与法治", "品社": "道德与法治", "德法": "道德与法治",
	"政治": "政治", "思想政治": "政治", "政": "政治", "ZZ": "政治", "POLITICS": "政治",
	"历史": "历史", "史": "历史", "历": "历史", "LS": "历史", "HISTORY": "历史",
	"地理": "地理", "地": "地理", "DL": "地理", "GEOGRAPHY": "地理",
	"科学": "科学", "信息技术": "信息技术", "信息": "信息技术", "信息科技": "信息技术", "通用技术": "通用技术",
	"体育": "体育", "体育与健康": "体育", "音乐": "音乐", "美术": "美术", "日语": "日语", "俄语": "俄语",
	"理综": "理综", "理科综合": "理综", "文综": "文综", "文科综合": "文综", "综合": "综合", "物化": "物化",
	"历史与社会": "历史与社会", "实验": "实验", "劳动": "劳动", "心理健康": "心理健康",
}

// CanonicalSubject returns the canonical name of a subject written in any
// of its usual ways, and whether it is known.
func CanonicalSubject(s string) (string, bool) {
	t := strings.ToUpper(squeeze(Norm(s)))
	if c, ok := subjectSynonyms[t]; ok {
		return c, true
	}
	for _, suffix := range []string{"成绩", "分数", "得分", "卷面分", "原始分", "卷面", "科"} {
		if base, ok := strings.CutSuffix(t, suffix); ok {
			if c, ok := subjectSynonyms[base]; ok {
				return c, true
			}
		}
	}
	return "", false
}

var (
	// A subject with its full marks: 语文(150), 语文[120], 语文（满分150）, 语文满分150,
	// 语文150分, 语文150. A bare or bracketed number below 30 is an item
	// number instead (数学12, 数学(3)), unless 满分 or 分 says otherwise.
	fullMarkRE = regexp.MustCompile(`^(\D+?)[(\[]?(满分:?)?(\d{1,4}(?:\.5)?)(分)?[)\]]?$`)
	// An item header: an optional subject, then 第1题, 题1, T1, Q1, 1, 1.2,
	// 13(1), 1-2, 小题1, optionally with its marks: 1(2分).
	itemRE = regexp.MustCompile(`^(\D*?)[-_]?(?:第|题|T|Q|小题)?(\d{1,3}(?:[.\-_]\d{1,2}|\(\d{1,2}\))?)(?:题|小题)?(?:[(\[](\d{1,3}(?:\.5)?)分?[)\]])?$`)
)

// classified is what a header says about its column.
type classified struct {
	field   Field
	subject string
	item    string
	full    float64 // a full-mark hint from the header, 0 if none
	reason  string
}

// normHeader folds a header for matching: Norm, no spaces, ASCII upper
// case, full-width brackets as ASCII.
func normHeader(h string) string {
	h = strings.ToUpper(squeeze(Norm(h)))
	return headerBrackets.Replace(h)
}

var headerBrackets = strings.NewReplacer("（", "(", "）", ")", "【", "[", "】", "]", "：", ":")

// classify guesses a column from its header.
func classify(header string) classified {
	h := normHeader(header)
	if h == "" {
		return classified{field: FieldIgnore, reason: "空表头"}
	}
	if f, ok := headerAliases[h]; ok {
		return classified{field: f, reason: "表头“" + header + "”"}
	}
	if why, ok := ignoredHeaders[h]; ok {
		return classified{field: FieldIgnore, reason: why + "，不参与统计"}
	}
	if totalHeaders[h] || strings.HasSuffix(h, "总分") && len([]rune(h)) <= 6 {
		return classified{field: FieldIgnore, reason: "总分由系统按总分科目重新计算"}
	}
	if top, sub, ok := strings.Cut(h, "·"); ok {
		what := "派生列（" + sub + "），由系统重新计算"
		if _, subject := CanonicalSubject(top); !subject && !totalHeaders[top] {
			what = "未识别的列"
		}
		return classified{field: FieldIgnore, reason: what}
	}
	for _, m := range derivedMarks {
		if strings.Contains(h, m) {
			return classified{field: FieldIgnore, reason: "派生列（" + m + "），由系统重新计算"}
		}
	}
	if s, ok := CanonicalSubject(h); ok {
		return classified{field: FieldScore, subject: s, reason: subjectReason(header, s)}
	}
	if m := fullMarkRE.FindStringSubmatch(h); m != nil {
		full, _ := strconv.ParseFloat(m[3], 64)
		if s, ok := CanonicalSubject(m[1]); ok && (full >= 30 || m[2] != "" || m[4] != "") {
			return classified{field: FieldScore, subject: s, full: full, reason: subjectReason(header, s) + "，满分 " + m[3]}
		}
	}
	if m := itemRE.FindStringSubmatch(h); m != nil {
		subject := ""
		if m[1] != "" {
			s, ok := CanonicalSubject(m[1])
			if !ok {
				return classified{field: FieldIgnore, reason: "未识别的列"}
			}
			subject = s
		}
		c := classified{field: FieldItem, subject: subject, item: m[2], reason: "小题“" + m[2] + "”"}
		if m[3] != "" {
			c.full, _ = strconv.ParseFloat(m[3], 64)
		}
		return c
	}
	return classified{field: FieldIgnore, reason: "未识别的列"}
}

func subjectReason(header, s string) string {
	if normHeader(header) == s {
		return "科目“" + s + "”"
	}
	return "科目“" + header + "”→" + s
}

// paperSheetNames are sheets that describe the paper, not students.
var paperSheetNames = []string{"试卷结构", "试卷", "细目表", "双向细目表", "小题分值", "题目", "答案", "题目信息", "试题结构", "小题结构", "标准答案"}

// helpSheetNames are sheets to skip.
var helpSheetNames = []string{"说明", "填写说明", "使用说明", "README"}

func isPaperSheet(name string) bool {
	n := normHeader(name)
	for _, p := range paperSheetNames {
		if n == p {
			return true
		}
	}
	return false
}

func isHelpSheet(name string) bool {
	n := normHeader(name)
	for _, p := range helpSheetNames {
		if n == p {
			return true
		}
	}
	return false
}

// scoreWords are the sub-headers under a subject that hold its score (a
// two-row header: 语文 over 得分, 班级排名, 年级排名).
var scoreWords = map[string]bool{"得分": true, "分数": true, "成绩": true, "原始分": true, "卷面分": true, "原始成绩": true,
	"卷面成绩": true, "分": true, "总分": true, "SCORE": true}

// subHeaderWords are the cells of a second header row.
var subHeaderWords = map[string]bool{"班名": true, "校名": true, "级名": true, "区名": true, "县名": true, "联名": true,
	"学业等级": true, "等级": true, "等第": true, "赋分": true, "排名": true, "名次": true, "班级排名": true, "年级排名": true,
	"学校排名": true, "整体排名": true, "联考排名": true, "区排名": true, "县排名": true, "班次": true, "校次": true, "级次": true,
	"得分率": true, "标准分": true, "T分": true, "百分位": true}

// isSubHeader: the row below a header is a second header row when the
// student columns are blank in it and its cells are score or rank words
// (得分, 班级排名, 学业等级 …), at least two.
func isSubHeader(header, row []string) bool {
	n, words := 0, 0
	for i, cell := range row {
		h := normHeader(cell)
		if h == "" {
			continue
		}
		n++
		if i < len(header) {
			switch classify(header[i]).field {
			case FieldID, FieldName, FieldClass, FieldSchool, FieldSchoolCode:
				return false
			}
		}
		if scoreWords[h] || subHeaderWords[h] || totalHeaders[h] {
			words++
		}
	}
	return words >= 2 && words*10 >= n*8
}

// combineHeader reads two header rows as one: a subject (or 总分) spans the
// blank cells after it, as a merged cell does; under it the score word
// (得分, 分数) is the subject's score column and every other word (班级排名,
// 学业等级) one of its derived columns, written 语文·班级排名.
func combineHeader(top, sub []string) []string {
	out := make([]string, max(len(top), len(sub)))
	group := ""
	for i := range out {
		t, s := "", ""
		if i < len(top) {
			t = strings.TrimSpace(Norm(top[i]))
		}
		if i < len(sub) {
			s = strings.TrimSpace(Norm(sub[i]))
		}
		if t != "" {
			group = ""
			if _, ok := CanonicalSubject(t); ok || totalHeaders[normHeader(t)] {
				group = t
			}
		} else if group != "" && s != "" {
			t = group
		}
		switch {
		case s == "":
			out[i] = t
		case t == "":
			out[i] = s
		case scoreWords[normHeader(s)] && (group != "" || normHeader(s) == normHeader(t)):
			out[i] = t
		case group != "":
			out[i] = t + "·" + s
		default:
			out[i] = t
		}
	}
	return out
}
