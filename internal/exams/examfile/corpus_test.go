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

// TestRealFileCorpus reads every real score file kept beside the project
// (shared/realfiles, next to the repository) and asserts robust facts:
// each parses, or is refused with a domain error (a question for the
// user); a parsed file has students and at least one school, no school
// with implausibly many classes, and data the analysis accepts; and the
// files described in README.txt meet corpusFacts. The files hold real
// pupils' data: nothing of their contents is printed.
func TestRealFileCorpus(t *testing.T) {
	dir := corpusDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real-file corpus missing under CI: %v", err)
		}
		t.Skipf("real-file corpus not present (%s): skipped", filepath.Base(dir))
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || e.Name() == "README.txt" {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			res, _, err := ReadFile(e.Name(), data, Options{})
			if err != nil {
				if refusedFiles[e.Name()] {
					if _, ok := errs.As(err); !ok {
						t.Errorf("not a domain error (%T)", err)
					}
					return
				}
				// A clear question (no header, no scores …) is fine; an
				// internal error is not. Only the key is shown.
				if de, ok := errs.As(err); !ok || de.Key == "" {
					t.Errorf("not a domain error (%T)", err)
				} else {
					t.Logf("refused with %s", de.Key)
				}
				return
			}
			if res.Data.Len() == 0 || len(res.Data.Schools) < 1 {
				t.Errorf("students %d schools %d", res.Data.Len(), len(res.Data.Schools))
			}
			// No school of a real file has a hundred classes (a sign of
			// names read as classes).
			for _, n := range classesOf(res) {
				if n > 60 {
					t.Errorf("a school has %d classes", n)
				}
			}
			if _, err := analysis.Analyze(res.Exam, res.ValidData()); err != nil {
				t.Errorf("analysis refused the data read: %s", analysis.Describe(err))
			}
			for prefix, check := range corpusFacts {
				if strings.HasPrefix(e.Name(), prefix) {
					check(t, res)
				}
			}
		})
	}
	if n == 0 && os.Getenv("CI") == "true" {
		t.Fatal("real-file corpus empty under CI")
	}
}

// corpusDir is shared/realfiles beside the repository root, or beside one
// of its parent folders (a worktree kept one level further down).
func corpusDir() string {
	wd, _ := os.Getwd()
	root := ""
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			root = d
			break
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, "..", "shared", "realfiles")
		}
	}
	first := filepath.Join(filepath.Dir(root), "shared", "realfiles")
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, "shared", "realfiles")); err == nil && st.IsDir() {
			return filepath.Join(d, "shared", "realfiles")
		}
		if filepath.Dir(d) == d {
			return first
		}
	}
}

// refusedFiles hold no student rows (a class-level summary table): they
// must be refused with a question, not read.
var refusedFiles = map[string]bool{"linmiaoyan_school_20260105_104832_xlsx": true}

// corpusFacts are what a careful reader of each real file can check
// (README.txt beside the files describes them), by file name prefix.
// Counts only: the files hold real pupils' names.
var corpusFacts = map[string]func(t *testing.T, res *Result){
	// 20 sheets, 分数 with 13,905 rows; several schools have 姓名 and 班级
	// swapped, which made thousands of one-pupil classes.
	"linmiaoyan_league_20260105_110256": func(t *testing.T, res *Result) {
		d := res.Data
		between(t, "students", d.Len()-res.InvalidCount, 13500, 13905)
		between(t, "schools", len(d.Schools), 22, 22)
		for _, n := range classesOf(res) {
			between(t, "classes of a school", n, 4, 20)
		}
		stageAndFull(t, res, "高中", 150)
		n, ok := hasNote(res, keyNoteSwapped)
		if !ok {
			t.Fatal("no note on the swapped columns")
		}
		between(t, "schools read swapped", strings.Count(fmt.Sprint(n.Args["schools"]), "“"), 6, 7)
		between(t, "rows read swapped", n.Args["n"].(int), 3500, 4500)
	},
	// 10 schools; one without 考号 (252 students), one with class codes
	// 101–112 in a 高一 exam.
	"linmiaoyan_league_20260204_183953": func(t *testing.T, res *Result) {
		d := res.Data
		between(t, "students", d.Len()-res.InvalidCount, 6000, 6070)
		between(t, "schools", len(d.Schools), 10, 10)
		for _, n := range classesOf(res) {
			between(t, "classes of a school", n, 6, 16)
		}
		stageAndFull(t, res, "高中", 150)
		for _, c := range d.Classes {
			if bareGrade.MatchString(c.Name) {
				t.Errorf("a class read without its stage (%s)", c.Name)
				break
			}
		}
		if n, ok := hasNote(res, keyNoteGeneratedIDs); !ok || n.Args["n"] != 252 {
			t.Errorf("the school without 考号: %+v", n)
		}
		between(t, "problems", res.ProblemCount, 0, 1)
	},
	// A school sheet and one sheet per class with the same students, under
	// two header rows (this file and the next have that layout).
	"linmiaoyan_league_20260204_183401": repeatedSchoolSheets,
	"linmiaoyan_school_20260105_155124": repeatedSchoolSheets,
	// A 学生榜单 export: 632 student rows, 11 of them 不参与 (four with
	// scores), three statistics rows at the bottom, sheet 总分.
	"linmiaoyan_school_20260105_105223": func(t *testing.T, res *Result) {
		d := res.Data
		between(t, "students", d.Len(), 621, 621)
		between(t, "excluded", res.Excluded, 11, 11)
		between(t, "problems", res.ProblemCount, 0, 0)
		between(t, "classes", len(d.Classes), 14, 14)
		if d.Schools[0].Name != DefaultSchool || len(d.Schools) != 1 {
			t.Errorf("school named after the sheet")
		}
		if n, ok := hasNote(res, keyNoteSummaryRows); !ok || n.Args["n"] != 3 {
			t.Errorf("statistics rows: %+v", n)
		}
		for i, id := range d.ID {
			if id == "" || d.Name[i] == "" || isSummaryLabel(id) {
				t.Errorf("row %d read as a student without identity", res.Rows[i].Line)
			}
		}
		stageAndFull(t, res, "高中", 150)
	},
	// 考试编号,姓名,语文..生物: one school, no 考号.
	"fengyec2_": func(t *testing.T, res *Result) {
		between(t, "students", res.Data.Len(), 55, 60)
		between(t, "schools", len(res.Data.Schools), 1, 1)
		stageAndFull(t, res, "", 150)
	},
	// A 小学 import template: 692 rows of 语数英.
	"hysro1997_": func(t *testing.T, res *Result) {
		between(t, "students", res.Data.Len(), 692, 692)
		stageAndFull(t, res, "", 100)
	},
}

func repeatedSchoolSheets(t *testing.T, res *Result) {
	d := res.Data
	between(t, "students", d.Len(), 600, 610)
	between(t, "schools", len(d.Schools), 1, 1)
	between(t, "classes", len(d.Classes), 14, 14)
	between(t, "problems", res.ProblemCount, 0, 0)
	notes := 0
	for _, n := range res.Notes {
		if n.Key == keyNoteRepeated {
			notes++
		}
	}
	between(t, "notes on repeated sheets", notes, 1, 1)
	stageAndFull(t, res, "高中", 150)
}

// stageAndFull checks the stage ("" for any) and the full marks of 语数英.
func stageAndFull(t *testing.T, res *Result, stage string, full float64) {
	t.Helper()
	if stage != "" && res.Exam.Stage != stage {
		t.Errorf("stage %q, want %q", res.Exam.Stage, stage)
	}
	for _, s := range res.Exam.Subjects {
		if (s.Name == "语文" || s.Name == "数学" || s.Name == "英语") && s.Full != full {
			t.Errorf("%s full %v, want %v", s.Name, s.Full, full)
		}
	}
}

func between(t *testing.T, what string, n, lo, hi int) {
	t.Helper()
	if n < lo || n > hi {
		t.Errorf("%s %d, want %d to %d", what, n, lo, hi)
	}
}
