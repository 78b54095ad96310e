package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"edugroup/internal/store"
)

// Template is a store content built once per test binary and engine, and
// copied for each test that asks for it: on SQLite a file written with
// VACUUM INTO and copied, on PostgreSQL a database that each test's database
// is created from with CREATE DATABASE … TEMPLATE. A copy holds the rows,
// the sequences (sqlite_sequence, PostgreSQL sequences) and the migration
// version of the original, so a service opened on it continues where the
// seed stopped.
//
// Declare templates as package variables; they are safe for concurrent use.
type Template struct {
	name   string
	parent *Template
	seed   func(ctx context.Context, s *store.Store) error

	sqlite, postgres built
}

// built is a template on one engine: a SQLite file or a PostgreSQL database.
type built struct {
	once sync.Once
	ref  string
	err  error
}

// NewTemplate declares a template named name (letters, digits and
// underscores), whose content seed writes into a freshly migrated store.
func NewTemplate(name string, seed func(ctx context.Context, s *store.Store) error) *Template {
	return &Template{name: name, seed: seed}
}

// Derive declares a template that starts as a copy of t and is then changed
// by seed: a variant of a larger fixture, built once like t.
func (t *Template) Derive(name string, seed func(ctx context.Context, s *store.Store) error) *Template {
	return &Template{name: name, parent: t, seed: seed}
}

// Each runs fn once per engine, as subtests named "sqlite" and "postgres",
// each on a new copy of the template.
func (t *Template) Each(tb *testing.T, fn func(t *testing.T, s *store.Store)) {
	tb.Helper()
	tb.Run("sqlite", func(tt *testing.T) { fn(tt, t.SQLite(tt)) })
	tb.Run("postgres", func(tt *testing.T) { fn(tt, t.Postgres(tt)) })
}

// SQLite opens a new copy of the template in the test's temp dir.
func (t *Template) SQLite(tb testing.TB) *store.Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "edugroup.db")
	if err := t.copySQLite(path); err != nil {
		tb.Fatalf("template %s: %v", t.name, err)
	}
	return open(tb, path)
}

// Postgres opens a new database copied from the template.
func (t *Template) Postgres(tb testing.TB) *store.Store {
	tb.Helper()
	return open(tb, t.PostgresDSN(tb))
}

// PostgresDSN creates a new database copied from the template and returns
// its URL, for tests that open several stores on one database.
func (t *Template) PostgresDSN(tb testing.TB) string {
	tb.Helper()
	requirePostgres(tb)
	name, err := t.postgresDB()
	if err != nil {
		tb.Fatalf("template %s: %v", t.name, err)
	}
	return createDB(tb, name)
}

// SQLiteFile writes a copy of the SQLite template to path without opening
// it, for tests of what runs on a data directory (backup, restore, serve).
func (t *Template) SQLiteFile(tb testing.TB, path string) {
	tb.Helper()
	if err := t.copySQLite(path); err != nil {
		tb.Fatalf("template %s: %v", t.name, err)
	}
}

// copySQLite writes a copy of the SQLite template to path.
func (t *Template) copySQLite(path string) error {
	src, err := t.sqliteFile()
	if err != nil {
		return err
	}
	return copyFile(src, path)
}

// sqliteFile builds the SQLite template on first use and returns its file.
func (t *Template) sqliteFile() (string, error) {
	t.sqlite.once.Do(func() {
		t.sqlite.ref, t.sqlite.err = t.buildSQLite()
	})
	return t.sqlite.ref, t.sqlite.err
}

func (t *Template) buildSQLite() (string, error) {
	dir, err := templateDir()
	if err != nil {
		return "", err
	}
	work := filepath.Join(dir, t.name+".build", "edugroup.db")
	if err := os.MkdirAll(filepath.Dir(work), 0o700); err != nil {
		return "", err
	}
	if t.parent != nil {
		if err := t.parent.copySQLite(work); err != nil {
			return "", err
		}
	}
	ctx := context.Background()
	s, err := store.Open(ctx, work)
	if err != nil {
		return "", err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return "", err
	}
	if err := t.seed(ctx, s); err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	// VACUUM INTO writes one self-contained file (no -wal beside it) that
	// the copies start from.
	out := filepath.Join(dir, t.name+".db")
	if _, err := s.W.ExecContext(ctx, `VACUUM INTO $1`, out); err != nil {
		return "", fmt.Errorf("vacuum into: %w", err)
	}
	return out, nil
}

// postgresDB builds the PostgreSQL template on first use and returns its
// database name.
func (t *Template) postgresDB() (string, error) {
	t.postgres.once.Do(func() {
		t.postgres.ref, t.postgres.err = t.buildPostgres()
	})
	return t.postgres.ref, t.postgres.err
}

func (t *Template) buildPostgres() (string, error) {
	name := fmt.Sprintf("tpl%d_%s", os.Getpid(), strings.ToLower(t.name))
	from := ""
	if t.parent != nil {
		p, err := t.parent.postgresDB()
		if err != nil {
			return "", err
		}
		from = p
	}
	if err := adminExec(createStmt(name, from)); err != nil {
		return "", err
	}
	templatesMu.Lock()
	templateDBs = append(templateDBs, name)
	templatesMu.Unlock()
	ctx := context.Background()
	s, err := store.Open(ctx, clusterURL+"/"+name+"?sslmode=disable")
	if err != nil {
		return "", err
	}
	// The template must have no connection left when it is copied: close
	// the store before anyone uses it.
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return "", err
	}
	if err := t.seed(ctx, s); err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	return name, nil
}

func createStmt(name, template string) string {
	if template == "" {
		return "CREATE DATABASE " + name
	}
	return "CREATE DATABASE " + name + " TEMPLATE " + template
}

// createDB creates a new database (a copy of template when it is not "")
// and returns its URL.
func createDB(tb testing.TB, template string) string {
	tb.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCounter.Add(1))
	if err := adminExec(createStmt(name, template)); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	return clusterURL + "/" + name + "?sslmode=disable"
}

func adminExec(q string) error {
	admin, err := sql.Open("pgx", clusterURL+"/postgres?sslmode=disable")
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.Exec(q)
	return err
}

var (
	templatesMu   sync.Mutex
	templatesPath string
	templateDBs   []string
)

// templateDir is the directory of this test binary's SQLite templates,
// removed by Main.
func templateDir() (string, error) {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	if templatesPath == "" {
		d, err := os.MkdirTemp("", "edugroup-templates-")
		if err != nil {
			return "", err
		}
		templatesPath = d
	}
	return templatesPath, nil
}

// removeTemplates deletes the SQLite template files, and the template
// databases on a server the tests did not start (a throwaway cluster goes
// with its directory).
func removeTemplates() {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	if templatesPath != "" {
		os.RemoveAll(templatesPath)
	}
	if clusterCtl == "" {
		for _, name := range templateDBs {
			_ = adminExec("DROP DATABASE IF EXISTS " + name)
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
