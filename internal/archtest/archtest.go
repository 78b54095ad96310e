// Package archtest checks the layering of the code base: the services of a
// capability hold no HTTP. A service file is a non-test .go file of a
// capability package that is not its HTTP adapter (*_api.go); internal/web
// and internal/app are the transport and are not checked.
package archtest

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Services are the packages (relative to the module root) whose service
// files must not import the transport; "dir/..." takes the packages below
// dir too. A new capability is added here.
var Services = []string{
	"internal/registry",
	"internal/exchange",
	"internal/governance",
	"internal/mentoring",
	"internal/growth",
	"internal/curriculum",
	"internal/research",
	"internal/resources",
	"internal/blob",
	"internal/planning",
	"internal/exams/...",
	"internal/policy",
	"internal/audit",
	"internal/auth",
	"internal/dashboard",
}

// Transport are the imports a service file may not have.
var Transport = []string{"net/http", "edugroup/internal/web"}

// Violation is one forbidden import of one service file.
type Violation struct {
	File   string // relative to the root, with forward slashes
	Import string
}

func (v Violation) String() string { return fmt.Sprintf("%s imports %q", v.File, v.Import) }

// IsServiceFile reports whether name (a file name, no directory) is held to
// the rule: Go source that is neither a test nor an HTTP adapter.
func IsServiceFile(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !strings.HasSuffix(name, "_api.go")
}

// Check parses the imports of every service file of pkgs under root and
// returns those that import one of forbidden (or a package below it),
// sorted by file.
func Check(root string, pkgs, forbidden []string) ([]Violation, error) {
	var out []Violation
	for _, p := range pkgs {
		dir, recursive := strings.CutSuffix(p, "/...")
		base := filepath.Join(root, filepath.FromSlash(dir))
		if _, err := os.Stat(base); err != nil {
			return nil, fmt.Errorf("archtest: package %s: %w", p, err)
		}
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != base && (!recursive || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
					return filepath.SkipDir
				}
				return nil
			}
			if !IsServiceFile(d.Name()) {
				return nil
			}
			vs, err := checkFile(root, path, forbidden)
			out = append(out, vs...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Import < out[j].Import
	})
	return out, nil
}

func checkFile(root, path string, forbidden []string) ([]Violation, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return nil, err
	}
	var out []Violation
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			return nil, err
		}
		for _, bad := range forbidden {
			if p == bad || strings.HasPrefix(p, bad+"/") {
				out = append(out, Violation{File: filepath.ToSlash(rel), Import: p})
			}
		}
	}
	return out, nil
}
