package examfile

import (
	"os"
	"path/filepath"
	"testing"

	"edugroup/internal/errs"
)

// TestRealFileCorpus reads every real score file kept beside the project
// (shared/realfiles, next to the repository) and asserts only robust facts:
// each parses, or is refused with a domain error (a question for the
// user), and a parsed file has students and at least one school. The
// files hold real pupils' data: nothing of their contents is printed.
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
