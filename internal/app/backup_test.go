package app_test

// Backup and restore through the command line (app.Run), as an operator
// would run them, checked against the SQLite files themselves.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/apptest"
	"edugroup/internal/auth"
	"edugroup/internal/demo"
	"edugroup/internal/store"
)

// TestBackupRestoreKeepsEveryTable takes a backup beside a process that holds
// the data directory (as a running server does), restores it into a second
// directory and compares every table row by row.
func TestBackupRestoreKeepsEveryTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := bkDemoDir(t)
	srcDB := filepath.Join(src, "edugroup.db")

	// A few more writes after the seed, touching users, password history,
	// tokens, sessions and the audit log, through a store that keeps the
	// data-directory lock during the backup.
	a, err := app.Open(ctx, srcDB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	sys := auth.SystemActor("backup-test")
	u, _, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Username: "bkextra", DisplayName: "备份测试"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Auth.CreateToken(ctx, sys, u.ID, "backup-test", 30); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Auth.Login(ctx, "leader", demo.DefaultPassword, "", "", auth.Client{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "edugroup-backup.db")
	if code, _, stderr := bkRun(t, "backup", "--out", out, "--data", src); code != 0 {
		t.Fatalf("backup beside an open store: exit %d: %s", code, stderr)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	dst := t.TempDir()
	if code, _, stderr := bkRun(t, "restore", "--from", out, "--data", dst); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, stderr)
	}
	dstDB := filepath.Join(dst, "edugroup.db")

	want, got := bkDigest(t, srcDB), bkDigest(t, dstDB)
	// The demo county fills a dozen tables; fewer means the listing broke and
	// the comparison below would prove little.
	if len(want) < 10 {
		t.Fatalf("only %d tables found in the source: %v", len(want), bkNames(want))
	}
	bkCompare(t, want, got)
	if got["users"].rows < 16 {
		t.Fatalf("restored users table has %d rows, want the 15 demo accounts and bkextra", got["users"].rows)
	}
	if code, stdout, stderr := bkRun(t, "audit", "verify", "--data", dst); code != 0 {
		t.Fatalf("audit verify on the restored copy: exit %d: %s%s", code, stdout, stderr)
	}

	// The comparison must notice a difference, or equal digests mean nothing:
	// change one row in the source and only that table differs.
	if code, _, stderr := bkRun(t, "user", "disable", "--username", "bkextra", "--data", src); code != 0 {
		t.Fatalf("user disable: exit %d: %s", code, stderr)
	}
	changed := bkDigest(t, srcDB)
	if changed["users"] == got["users"] {
		t.Fatal("the users digest did not change after disabling a user")
	}
	if changed["staff"] != got["staff"] {
		t.Fatal("the staff digest changed though no staff row did")
	}
}

// TestRestoreRefusesWhileTheDataDirIsHeld: restore takes the data-directory
// lock. flock belongs to an open file description, so a store opened in this
// process holds it against the restore just as a server process would.
func TestRestoreRefusesWhileTheDataDirIsHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backup := bkBackupOf(t, bkDemoDir(t))

	dst := t.TempDir()
	if code, _, stderr := bkRun(t, "migrate", "--data", dst); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	dstDB := filepath.Join(dst, "edugroup.db")
	st, err := store.Open(ctx, dstDB)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := bkRun(t, "restore", "--from", backup, "--data", dst)
	if code != 1 {
		t.Fatalf("restore while the data dir is held: exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "stop the server") {
		t.Fatalf("restore refusal does not tell the operator what to do: %q", stderr)
	}
	var users int
	if err := st.R.QueryRow(`SELECT count(*) FROM users`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users != 0 {
		t.Fatalf("the held database changed: %d users, want 0", users)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	bkNoTempLeft(t, dst)

	// Once the lock is released the same restore goes through, so the refusal
	// above was the lock and nothing else.
	if code, _, stderr := bkRun(t, "restore", "--from", backup, "--data", dst); code != 0 {
		t.Fatalf("restore after release: exit %d: %s", code, stderr)
	}
	if got := bkDigest(t, dstDB)["users"].rows; got < 13 {
		t.Fatalf("restored users: %d rows, want the demo accounts", got)
	}
}

// TestRestoreRefusesAFileThatIsNotAnEduGroupDatabase: a wrong --from must
// fail before anything in the data directory is touched.
func TestRestoreRefusesAFileThatIsNotAnEduGroupDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dst := bkDemoDir(t)
	dstDB := filepath.Join(dst, "edugroup.db")
	before := bkDigest(t, dstDB)

	files := t.TempDir()
	text := filepath.Join(files, "notes.txt")
	if err := os.WriteFile(text, []byte("这不是数据库 / not a database\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(files, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A sound SQLite file, but someone else's.
	other := filepath.Join(files, "other.db")
	odb, err := sql.Open("sqlite", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	odb.Close()
	// A real backup cut in half, as an interrupted copy leaves it.
	full, err := os.ReadFile(bkBackupOf(t, dst))
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(files, "truncated.db")
	if err := os.WriteFile(truncated, full[:len(full)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	for _, from := range []string{text, empty, other, truncated, filepath.Join(files, "missing.db")} {
		code, _, stderr := bkRun(t, "restore", "--from", from, "--data", dst)
		if code != 1 {
			t.Errorf("restore --from %s: exit %d, want 1 (%s)", filepath.Base(from), code, stderr)
		}
		bkCompare(t, before, bkDigest(t, dstDB))
		bkNoTempLeft(t, dst)
	}
	if code, stdout, stderr := bkRun(t, "audit", "verify", "--data", dst); code != 0 {
		t.Fatalf("audit verify after the refused restores: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestBackupRefusesToOverwriteAnExistingFile: an operator who reuses a file
// name must not lose the older backup.
func TestBackupRefusesToOverwriteAnExistingFile(t *testing.T) {
	t.Parallel()
	src := bkDemoDir(t)
	out := filepath.Join(t.TempDir(), "edugroup-backup.db")
	keep := []byte("an older backup that must survive\n")
	if err := os.WriteFile(out, keep, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := bkRun(t, "backup", "--out", out, "--data", src)
	if code != 1 {
		t.Fatalf("backup over an existing file: exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "already exists") {
		t.Fatalf("refusal does not say why: %q", stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, keep) {
		t.Fatalf("the existing file was changed: %q", got)
	}
	// The same backup to a new name works, so the refusal was the name.
	fresh := filepath.Join(filepath.Dir(out), "edugroup-backup-2.db")
	if code, _, stderr := bkRun(t, "backup", "--out", fresh, "--data", src); code != 0 {
		t.Fatalf("backup to a new file: exit %d: %s", code, stderr)
	}
	if err := store.CheckSQLiteFile(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
}

// bkRun runs the command line in process and returns its exit code and output.
func bkRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	// No environment: the demo password and every default come from the code.
	getenv := func(string) string { return "" }
	code := app.Run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// bkDemoDir is a new data directory with the demo county: a copy of
// apptest.Demo, which is loaded once per test binary.
func bkDemoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	apptest.Demo.SQLiteFile(t, filepath.Join(dir, "edugroup.db"))
	return dir
}

// bkBackupOf writes a backup of dir to a new file and returns its path.
func bkBackupOf(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "edugroup-backup.db")
	if code, _, stderr := bkRun(t, "backup", "--out", out, "--data", dir); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	return out
}

// bkTable is what the comparison knows of one table: its row count and a
// hash of its rows.
type bkTable struct {
	rows int
	hash string
}

// bkDigest reads every table of a SQLite file (sqlite_* internals aside) and
// hashes its rows. Rows are sorted after rendering, so the digest does not
// depend on the order the engine returns them in or on which column is the
// key. The entry "(schema)" covers the tables, indexes and triggers
// themselves, so a backup that dropped the audit log's append-only triggers
// would not compare equal.
func bkDigest(t *testing.T, path string) map[string]bkTable {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]bkTable{}
	out["(schema)"] = bkHashRows(t, db, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		out[n] = bkHashRows(t, db, `SELECT * FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`)
	}
	return out
}

func bkHashRows(t *testing.T, db *sql.DB, q string) bkTable {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			// The type goes in too, so 1 and '1' differ.
			fmt.Fprintf(&b, "%T:%v\x1f", v, v)
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l+"\x1e")
	}
	return bkTable{rows: len(lines), hash: hex.EncodeToString(h.Sum(nil))}
}

// bkCompare fails unless both digests name the same tables with the same rows.
func bkCompare(t *testing.T, want, got map[string]bkTable) {
	t.Helper()
	if w, g := strings.Join(bkNames(want), ","), strings.Join(bkNames(got), ","); w != g {
		t.Fatalf("tables differ:\nwant %s\ngot  %s", w, g)
	}
	for _, n := range bkNames(want) {
		if want[n].rows != got[n].rows {
			t.Errorf("%s: %d rows, want %d", n, got[n].rows, want[n].rows)
		} else if want[n].hash != got[n].hash {
			t.Errorf("%s: same %d rows but different content", n, got[n].rows)
		}
	}
}

func bkNames(m map[string]bkTable) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// bkNoTempLeft checks that a refused or finished restore left no temporary
// copy in the data directory.
func bkNoTempLeft(t *testing.T, dir string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, ".restore-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("restore left temporary files: %v", left)
	}
}
