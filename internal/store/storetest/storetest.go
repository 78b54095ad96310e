// Package storetest gives tests a fresh, migrated store on each engine: a new
// SQLite file, and a new database in a throwaway PostgreSQL cluster that the
// test binary starts itself with initdb and pg_ctl. A Template gives each
// test a copy of a store seeded once per test binary instead. With EDUGROUP_TEST_PG set
// to a postgres:// URL of a server the tests may create databases on, that
// server is used instead. Under CI=true a missing PostgreSQL fails the test.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"edugroup/internal/store"
)

// Main runs the package's tests and then stops the PostgreSQL cluster, if one
// was started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	removeTemplates()
	stopCluster()
	os.Exit(code)
}

// Each runs fn once per engine as subtests named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated store on a new file in the test's temp dir.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "edugroup.db"))
}

// Postgres opens a migrated store on a new database.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, PostgresDSN(t))
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

var (
	clusterOnce sync.Once
	clusterURL  string
	clusterErr  error
	clusterDir  string
	clusterCtl  string
	clusterCred *syscall.Credential
	dbCounter   atomic.Int64
)

// PostgresDSN creates an empty database and returns its URL, or skips the
// test (fails under CI=true) when no PostgreSQL can be had.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	requirePostgres(t)
	return createDB(t, "")
}

// requirePostgres starts the cluster on first use, and skips the test (fails
// it under CI=true) when no PostgreSQL can be had.
func requirePostgres(t testing.TB) {
	t.Helper()
	clusterOnce.Do(startCluster)
	if clusterErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI: %v", clusterErr)
		}
		t.Skipf("PostgreSQL not available: %v", clusterErr)
	}
}

func startCluster() {
	if u := os.Getenv("EDUGROUP_TEST_PG"); u != "" {
		clusterURL = u
		return
	}
	initdb, err := lookPG("initdb")
	if err != nil {
		clusterErr = err
		return
	}
	clusterCtl, err = lookPG("pg_ctl")
	if err != nil {
		clusterErr = err
		return
	}
	clusterDir, err = os.MkdirTemp("", "edugroup-pg-")
	if err != nil {
		clusterErr = err
		return
	}
	// PostgreSQL refuses to run as root; tests running as root (CI) run it
	// as the postgres (or nobody) account instead.
	if os.Geteuid() == 0 {
		clusterCred, err = unprivileged()
		if err != nil {
			clusterErr = err
			return
		}
		if err := os.Chown(clusterDir, int(clusterCred.Uid), int(clusterCred.Gid)); err != nil {
			clusterErr = err
			return
		}
	}
	port, err := freePort()
	if err != nil {
		clusterErr = err
		return
	}
	data := filepath.Join(clusterDir, "data")
	if out, err := run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"); err != nil {
		clusterErr = fmt.Errorf("initdb: %v: %s", err, out)
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, clusterDir)
	if out, err := run(clusterCtl, "-D", data, "-o", opts, "-l", filepath.Join(clusterDir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(clusterDir, "log"))
		clusterErr = fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
		return
	}
	clusterURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, _ := sql.Open("pgx", clusterURL+"/postgres?sslmode=disable")
		err := db.Ping()
		db.Close()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			clusterErr = fmt.Errorf("PostgreSQL did not answer: %w", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func stopCluster() {
	if clusterCtl == "" || clusterDir == "" {
		return
	}
	_, _ = run(clusterCtl, "-D", filepath.Join(clusterDir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(clusterDir)
}

func run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = clusterDir
	if clusterCred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: clusterCred}
	}
	return cmd.CombinedOutput()
}

func lookPG(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s not found on PATH", name)
}

func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("running as root and no postgres or nobody account to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
