package exams

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/i18n"
)

// DefaultMaxUpload bounds one score file unless the server is started with
// another limit (serve --max-upload-mb): a county's 1,000,000-student CSV of
// nine subjects with names and classes is about 140 MB.
const DefaultMaxUpload = 512 << 20

// maxShownProblems bounds the problems one answer lists; the count is whole.
const maxShownProblems = 500

// Preview is what the import page shows before anything is stored: the
// mapping guessed from the headers (which the user may correct and send
// back), and the row-by-row validation of the file under it.
type Preview struct {
	FileName     string             `json:"file_name"`
	Mapping      *examfile.Mapping  `json:"mapping"`
	Students     int                `json:"students"`
	Schools      []string           `json:"schools"`
	Invalid      int                `json:"invalid"`
	ProblemCount int                `json:"problem_count"`
	Problems     []examfile.Problem `json:"problems"`
	Assumptions  []string           `json:"assumptions"`
	// Stage is the stage the file is read with, for confirmation (the
	// mapping's stage changes it): where it came from (answer, exam, file,
	// or "" when unknown) and what the file shows of it.
	Stage         string `json:"stage"`
	StageSource   string `json:"stage_source"`
	StageEvidence string `json:"stage_evidence"`
	// Subjects are the exam's subjects with their full marks and the best
	// score the file holds for each (null when none), for confirmation.
	Subjects []PreviewSubject `json:"subjects"`
	// Excluded counts the students the file marks as not counted
	// (是否参与统计 = 不参与).
	Excluded int `json:"excluded"`
	// Question, when set, is what the reader needs a person to answer
	// before it can read the file (then nothing else is counted): the
	// answer goes back in the mapping (stage, swapped).
	Question *Question `json:"question,omitempty"`
}

// PreviewSubject is one subject's full marks beside the file's best score.
type PreviewSubject struct {
	Name string   `json:"name"`
	Full float64  `json:"full"`
	Best *float64 `json:"best"`
}

// Question is a question of the file reader (examfile.ask.*): the stage
// when the evidence conflicts, or which rows of some schools have 姓名 and
// 班级 swapped.
type Question struct {
	Key     string    `json:"key" enum:"examfile.ask.stage,examfile.ask.swapped_columns"`
	Message string    `json:"message"`
	Args    errs.Args `json:"-"`
	// Schools are the schools the swapped-columns question asks about, one
	// answer each (mapping.swapped[school] = rows or none).
	Schools []string `json:"schools"`
}

// Localize words the question in l.
func (p Preview) Localize(l i18n.Lang) {
	if p.Question != nil {
		p.Question.Message = l.T(p.Question.Key, p.Question.Args)
	}
}

// questionOf is the reader's question in err, if it is one.
func questionOf(err error) *Question {
	e, ok := errs.As(err)
	if !ok || !strings.HasPrefix(e.Key, "examfile.ask.") {
		return nil
	}
	q := &Question{Key: e.Key, Args: e.Args, Message: examfile.Describe(err), Schools: []string{}}
	if list, ok := e.Args["list"].([]string); ok {
		q.Schools = list
	}
	return q
}

// Imported is the answer of an import: what was stored, and the problems of
// the rows left out when only the valid rows were imported.
type Imported struct {
	Stored ImportResult `json:"stored"`
	Preview
}

// registryFacts are what the reader takes from the registry: the school of
// a file's school cell (by code, name or short name), the registry's stage
// of a matched school (evidence for the exam's stage), and the uploader's
// own school for rows whose file names none.
type registryFacts struct {
	match  examfile.SchoolMatcher
	stage  func(code string) string
	school string
}

// facts reads the registry's schools once per parse. The uploader's own
// school is the one school a school-scoped importer reaches; importers at
// group or county level have none, and a file without school names then
// asks for them.
func (s *Service) facts(ctx context.Context, a auth.Actor) (registryFacts, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, code, name, short_name, stage FROM schools`)
	if err != nil {
		return registryFacts{}, err
	}
	defer rows.Close()
	type school struct{ code, name string }
	by := map[string]school{}
	dup := map[string]bool{}
	stages := map[string]string{}
	r := a.Reach(auth.PermExamsManage)
	own := ""
	for rows.Next() {
		var id int64
		var code, name, short, stage string
		if err := rows.Scan(&id, &code, &name, &short, &stage); err != nil {
			return registryFacts{}, err
		}
		sc := school{code, name}
		by[code] = sc
		stages[code] = stage
		for _, k := range []string{name, short} {
			if k == "" {
				continue
			}
			if o, ok := by[k]; ok && o.code != code {
				dup[k] = true
			}
			by[k] = sc
		}
		if !r.County && len(r.Groups) == 0 && len(r.Schools) == 1 && r.Schools[0] == id {
			own = code
		}
	}
	match := func(v string) (string, string, bool) {
		v = strings.TrimSpace(v)
		sc, ok := by[v]
		if !ok || dup[v] {
			return "", "", false
		}
		return sc.code, sc.name, true
	}
	return registryFacts{match: match, stage: func(code string) string { return stages[code] }, school: own}, rows.Err()
}

// parse reads an uploaded score file against the exam's subjects.
func (s *Service) parse(ctx context.Context, a auth.Actor, x Exam, name string, data []byte, mapping *examfile.Mapping) (*examfile.Result, *examfile.Mapping, error) {
	reg, err := s.facts(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	f, err := examfile.Open(name, data)
	if err != nil {
		return nil, nil, fileError(err)
	}
	if mapping == nil {
		if mapping, err = f.Guess(); err != nil {
			return nil, nil, fileError(err)
		}
	}
	spec := x.Spec
	res, err := f.Parse(mapping, examfile.Options{Exam: &spec, Stage: x.Stage, Schools: reg.match, SchoolStage: reg.stage, School: reg.school,
		MaxProblems: maxShownProblems})
	if err != nil {
		return nil, mapping, fileError(err)
	}
	return res, mapping, nil
}

// fileError keeps a domain error and words any other reading error of the
// file for the user.
func fileError(err error) error {
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.FieldError("file", "exams.file_unreadable", errs.Args{"reason": examfile.Describe(err)})
}

func previewOf(name string, res *examfile.Result, m *examfile.Mapping) Preview {
	p := Preview{FileName: name, Mapping: m, Students: res.Data.Len(), Invalid: res.InvalidCount, ProblemCount: res.ProblemCount,
		Problems: res.Problems, Assumptions: res.Assumptions, Schools: []string{},
		Stage: res.Stage, StageSource: res.StageSource, StageEvidence: res.StageEvidence, Excluded: res.Excluded, Subjects: []PreviewSubject{}}
	for _, sc := range res.Data.Schools {
		p.Schools = append(p.Schools, sc.Name)
	}
	for j, sub := range res.Exam.Subjects {
		ps := PreviewSubject{Name: sub.Name, Full: sub.Full}
		best := int32(-1)
		if j < len(res.Data.Scores) {
			for _, v := range res.Data.Scores[j] {
				best = max(best, v)
			}
		}
		if best >= 0 {
			b := float64(best) / 2
			ps.Best = &b
		}
		p.Subjects = append(p.Subjects, ps)
	}
	if p.Problems == nil {
		p.Problems = []examfile.Problem{}
	}
	if p.Assumptions == nil {
		p.Assumptions = []string{}
	}
	return p
}

// PreviewFile guesses the mapping of a file and validates it; nothing is stored.
func (s *Service) PreviewFile(ctx context.Context, a auth.Actor, id int64, name string, data []byte, mapping *examfile.Mapping) (Preview, error) {
	x, _, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Preview{}, err
	}
	res, m, err := s.parse(ctx, a, x, name, data, mapping)
	if q := questionOf(err); q != nil && m != nil {
		// The page shows the question with the mapping, to send back
		// with the answer.
		return Preview{FileName: name, Mapping: m, Schools: []string{}, Problems: []examfile.Problem{}, Assumptions: append([]string{}, m.Notes...),
			Subjects: []PreviewSubject{}, Question: q}, nil
	}
	if err != nil {
		return Preview{}, err
	}
	return previewOf(name, res, m), nil
}

// ImportFile stores a score file. With problems, nothing is stored unless
// validOnly asks for the valid rows; the answer lists the problems either way.
func (s *Service) ImportFile(ctx context.Context, a auth.Actor, id int64, name string, data []byte, mapping *examfile.Mapping, validOnly bool) (Imported, error) {
	x, _, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Imported{}, err
	}
	res, m, err := s.parse(ctx, a, x, name, data, mapping)
	if err != nil {
		return Imported{}, err
	}
	p := previewOf(name, res, m)
	if res.InvalidCount > 0 && !validOnly {
		return Imported{}, problemsError(res)
	}
	d := res.ValidData()
	stored, err := s.importData(ctx, a, id, d, name, res.InvalidCount, decisions(res, m))
	if err != nil {
		return Imported{}, err
	}
	return Imported{Stored: stored, Preview: p}, nil
}

// problemsError refuses a file with problems: one detail per problem (the
// first maxShownProblems), each naming the row and column.
func problemsError(res *examfile.Result) error {
	e := &errs.Error{Code: errs.Invalid, Key: "exams.file_has_problems", Args: errs.Args{"rows": res.InvalidCount, "problems": res.ProblemCount}}
	for _, p := range res.Problems {
		field := p.Field
		if p.Line > 0 {
			field = fmt.Sprintf("第%d行 · %s", p.Line, p.Field)
		}
		if p.Sheet != "" {
			field = p.Sheet + " " + field
		}
		e.Details = append(e.Details, errs.Detail{Field: field, Key: "exams.problem", Args: errs.Args{"message": p.Message}})
	}
	return e
}

// decisions words, in Chinese, what the reader decided or was told for a
// file: the stage and where it came from, the answers given, and its notes
// (columns read, rows left out and why); the stored part keeps them.
func decisions(res *examfile.Result, m *examfile.Mapping) []string {
	var out []string
	if res.Stage != "" {
		from := map[string]string{examfile.StageFromExam: "考试设置", examfile.StageFromFile: "按文件判断",
			examfile.StageFromAnswer: "导入时指定", examfile.StageGiven: "导入时指定"}[res.StageSource]
		line := "学段：" + res.Stage + "（" + from + "）"
		if res.StageEvidence != "" {
			line += "，文件显示：" + res.StageEvidence
		}
		out = append(out, line)
	}
	schools := make([]string, 0, len(m.Swapped))
	for sc := range m.Swapped {
		schools = append(schools, sc)
	}
	sort.Strings(schools)
	for _, sc := range schools {
		how := "按内容对调读取“姓名”列是班级的行"
		if m.Swapped[sc] == examfile.SwapNone {
			how = "全部按表头读取"
		}
		out = append(out, "“"+sc+"”的“姓名”“班级”两列："+how+"（导入时指定）")
	}
	if res.Excluded > 0 {
		out = append(out, fmt.Sprintf("按文件的标记不计入统计：%d 名学生", res.Excluded))
	}
	return append(out, res.Assumptions...)
}
