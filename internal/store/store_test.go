package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// columns lists table.column:notnull for every application table, in a form
// both engines can be compared on.
func columns(t *testing.T, s *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	var q string
	switch s.Dialect {
	case store.SQLite:
		q = `SELECT m.name, p.name, p."notnull" FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
		     AND m.name NOT LIKE 'resource_fts%'`
	default:
		q = `SELECT table_name, column_name, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END
		     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`
	}
	// resource_fts is SQLite's FTS5 index (and its shadow tables); the
	// same search runs on PostgreSQL through a pg_trgm index, not a table.
	rows, err := s.R.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, col string
		var notnull int
		if err := rows.Scan(&table, &col, &notnull); err != nil {
			t.Fatal(err)
		}
		// SQLite reports INTEGER PRIMARY KEY as nullable; it never is.
		if col == "id" {
			notnull = 1
		}
		out = append(out, table+"."+col+":"+map[int]string{0: "null", 1: "notnull"}[notnull])
	}
	sort.Strings(out)
	return out
}

func TestDialectsReachSameSchema(t *testing.T) {
	lite := storetest.SQLite(t)
	pg := storetest.Postgres(t)
	a, b := columns(t, lite), columns(t, pg)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("schemas differ:\nsqlite:\n%s\n\npostgres:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	va, _ := lite.SchemaVersion(context.Background())
	vb, _ := pg.SchemaVersion(context.Background())
	if va != vb || va == 0 {
		t.Fatalf("schema versions sqlite=%d postgres=%d", va, vb)
	}
}

func TestSecondProcessOnSameDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "edugroup.db")
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// flock locks are per open file description, so a second open in this
	// process is refused exactly as another process would be.
	_, err = store.Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "another EduGroup process") {
		t.Fatalf("second open: err = %v, want the lock message", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	s := storetest.SQLite(t)
	var mode string
	var sync, fk int
	if err := s.W.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.W.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if err := s.W.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 || fk != 1 {
		t.Fatalf("journal_mode=%s synchronous=%d foreign_keys=%d, want wal 2 1", mode, sync, fk)
	}
	if _, err := s.R.Exec("CREATE TABLE x (a int)"); err == nil {
		t.Fatal("reader pool accepted a write")
	}
}

func TestDateRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := store.MustDate("2026-09-01")
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO policy_versions (version, effective_from, settings, created_at) VALUES ($1, $2, $3, $4)`, 99, d, "{}", store.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got store.Date
		if err := s.R.QueryRowContext(ctx, `SELECT effective_from FROM policy_versions WHERE version = 99`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != d {
			t.Fatalf("got %v want %v", got, d)
		}
		var n int
		if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM policy_versions WHERE effective_from <= $1`, store.MustDate("2026-09-02")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("date comparison found %d rows, want 1", n)
		}
	})
}

func TestDatabaseFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(context.Background(), filepath.Join(dir, "edugroup.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"edugroup.db", "edugroup.db-wal"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v; others may read it", name, mode)
		}
	}
	out := filepath.Join(dir, "backup.db")
	if err := store.BackupFile(context.Background(), filepath.Join(dir, "edugroup.db"), out); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(out); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("backup has mode %v", st.Mode().Perm())
	}
}

func TestLikePatternsAreLiteral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, name := range []string{"a_b", "axb", "50%", "500", `c\d`} {
			if _, err := s.W.ExecContext(ctx, `INSERT INTO townships (code, name) VALUES ($1, $1)`, name); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{"a_b": 1, "_": 1, "50%": 1, "%": 1, `\`: 1, "0": 2} {
			var n int
			if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM townships WHERE name LIKE $1 ESCAPE '\'`, store.Contains(q)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("contains %q: %d rows, want %d", q, n, want)
			}
		}
	})
}

// A second process (here: a second Open) on the same data directory is
// refused while the first holds it, and gets it once the first closes.
func TestDataDirectoryLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "edugroup.db")
	first, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if second, err := store.Open(ctx, path); !errors.Is(err, store.ErrLocked) {
		if second != nil {
			second.Close()
		}
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	again.Close()
}
