package examfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"edugroup/internal/errs"
	"edugroup/internal/exams/analysis"
)

// readReal reads a file of the real-file corpus, or skips (fails under CI).
func readReal(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir(), name))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real file missing under CI: %v", err)
		}
		t.Skip("real-file corpus not present: skipped")
	}
	return data
}

// examOf is the exam the file reads as without one, as a person would set
// it up: the file's subjects with those full marks.
func examOf(t *testing.T, name string, data []byte, stage string) (*File, *Mapping, analysis.Exam) {
	t.Helper()
	res, m, err := ReadFile(name, data, Options{})
	if err != nil {
		t.Fatalf("read without an exam: %v", errKey(err))
	}
	e := *res.Exam
	e.Stage = stage
	f, err := Open(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return f, m, e
}

func errKey(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Key
	}
	return fmt.Sprintf("%T", err)
}

// Issue 12, item 2 on the real file, as the stored-exam import reads it
// (the exam given): a 高中 exam reads the class codes 101–112 as 高一(1)班
// and keeps the school without 考号; the stage is the exam's, confirmed by
// the file's evidence; a 初中 exam is asked about; a 完全中学 exam takes the
// file's stage; a person's answer settles it.
func TestRealLeagueFileWithTheExam(t *testing.T) {
	const name = "linmiaoyan_league_20260204_183953_A2026.2.4.xlsx"
	data := readReal(t, name)
	f, m, e := examOf(t, name, data, "高中")
	res, err := f.Parse(m, Options{Exam: &e, Stage: "高中"})
	if err != nil {
		t.Fatalf("高中 exam: %s", errKey(err))
	}
	if res.Stage != "高中" || res.StageSource != StageFromExam || res.StageEvidence == "" {
		t.Errorf("stage %q from %q, evidence %d bytes", res.Stage, res.StageSource, len(res.StageEvidence))
	}
	for _, c := range res.Data.Classes {
		if bareGrade.MatchString(c.Name) {
			t.Fatal("a class code read without its stage")
		}
	}
	for _, n := range classesOf(res) {
		between(t, "classes of a school", n, 6, 16)
	}
	if n, ok := hasNote(res, keyNoteGeneratedIDs); !ok || n.Args["n"] != 252 {
		t.Errorf("the school without 考号: %+v", n.Args["n"])
	}
	between(t, "students", res.Data.Len()-res.InvalidCount, 6000, 6070)

	// The same file in an exam set up as 初中: the file's classes say 高中.
	junior := e
	junior.Stage = "初中"
	_, err = f.Parse(m, Options{Exam: &junior, Stage: "初中"})
	if errKey(err) != keyAskStage {
		t.Fatalf("a 初中 exam: %s, want the stage question", errKey(err))
	}
	// A 完全中学 exam: the file decides, within the exam's stages.
	res, err = f.Parse(m, Options{Exam: &junior, Stage: "完全中学"})
	if err != nil || res.Stage != "高中" || res.StageSource != StageFromFile {
		t.Fatalf("完全中学 exam: %s, stage %q", errKey(err), res.Stage)
	}
	// The answer settles it.
	answered := *m
	answered.Stage = "高中"
	res, err = f.Parse(&answered, Options{Exam: &junior, Stage: "初中"})
	if err != nil || res.Stage != "高中" || res.StageSource != StageFromAnswer {
		t.Fatalf("answered: %s, stage %q", errKey(err), res.Stage)
	}
}

// Issue 12, item 1 on the real file with the exam given: the six schools
// are read swapped; a person who says one of them is to be read as the
// headers say gets that school's rows as written (its names as classes),
// the others still swapped.
func TestRealSwappedLeagueWithTheExam(t *testing.T) {
	const name = "linmiaoyan_league_20260105_110256_xlsx"
	data := readReal(t, name)
	f, m, e := examOf(t, name, data, "高中")
	res, err := f.Parse(m, Options{Exam: &e, Stage: "高中"})
	if err != nil {
		t.Fatalf("高中 exam: %s", errKey(err))
	}
	n, ok := hasNote(res, keyNoteSwapped)
	if !ok {
		t.Fatal("no note on the swapped columns")
	}
	between(t, "schools read swapped", strings.Count(fmt.Sprint(n.Args["schools"]), "“"), 6, 7)
	for _, k := range classesOf(res) {
		between(t, "classes of a school", k, 4, 20)
	}
	// One swapped school, by its name as the note gives it.
	first := strings.TrimPrefix(strings.SplitN(fmt.Sprint(n.Args["schools"]), "”", 2)[0], "“")
	answered := *m
	answered.Swapped = map[string]string{first: SwapNone}
	res, err = f.Parse(&answered, Options{Exam: &e, Stage: "高中"})
	if err != nil {
		t.Fatalf("answered: %s", errKey(err))
	}
	got := classesOf(res)
	if got[first] < 100 {
		t.Errorf("the school read as the headers say has %d classes (its names)", got[first])
	}
	for school, k := range got {
		if school != first && k > 20 {
			t.Errorf("another school has %d classes", k)
		}
	}
}

// Issue 12, items 3 and 4 on the real files with the exam given, as the
// stored-exam import reads them: the 学生榜单 export leaves out its
// statistics rows and 不参与 students and puts the rows in the uploader's
// school; the school sheet with one sheet per class is read once, without
// problems.
func TestRealSchoolExportsWithTheExam(t *testing.T) {
	const ranking = "linmiaoyan_school_20260105_105223_-.xlsx"
	data := readReal(t, ranking)
	f, m, e := examOf(t, ranking, data, "高中")
	res, err := f.Parse(m, Options{Exam: &e, Stage: "高中", School: "3301"})
	if err != nil {
		t.Fatalf("%s", errKey(err))
	}
	between(t, "students", res.Data.Len(), 621, 621)
	between(t, "excluded", res.Excluded, 11, 11)
	between(t, "problems", res.ProblemCount, 0, 0)
	if len(res.Data.Schools) != 1 || res.Data.Schools[0].Code != "3301" && res.Data.Schools[0].Name != "3301" {
		t.Errorf("the rows are not in the uploader's school")
	}
	if n, ok := hasNote(res, keyNoteSummaryRows); !ok || n.Args["n"] != 3 {
		t.Errorf("statistics rows: %v", n.Args["n"])
	}

	const repeated = "linmiaoyan_school_20260105_155124_0.xlsx"
	data = readReal(t, repeated)
	f, m, e = examOf(t, repeated, data, "高中")
	res, err = f.Parse(m, Options{Exam: &e, Stage: "高中"})
	if err != nil {
		t.Fatalf("%s", errKey(err))
	}
	repeatedSchoolSheets(t, res)
}
