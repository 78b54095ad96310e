// Package store opens the embedded SQLite store or PostgreSQL behind one
// database/sql API, runs the migrations and hands out transactions. The few
// places where the two dialects differ are named branches on Dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a Store.
type Dialect string

// The two supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is an open database. On SQLite writes go through a single connection
// (one writer, BEGIN IMMEDIATE) and reads through a read-only pool; on
// PostgreSQL both are the same pool.
type Store struct {
	Dialect Dialect
	W       *DB
	R       *DB
	path    string // SQLite file
	lock    *os.File
	dsn     string // PostgreSQL URL, for the listeners' own connections

	mu        sync.Mutex
	listeners []*Listener
	closed    bool
}

// ErrLocked is returned when another process holds the data directory.
var ErrLocked = errors.New("another EduGroup process is using this data directory")

// IsPostgresDSN reports whether dsn names a PostgreSQL server.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store named by dsn: a postgres:// URL or a SQLite file path.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if IsPostgresDSN(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	pool := newDB(db, false)
	return &Store{Dialect: Postgres, W: pool, R: pool, dsn: dsn}, nil
}

func sqliteDSN(path string, readOnly bool) string {
	q := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_time_format=sqlite"
	if readOnly {
		// Readers map the file (256 MiB) instead of copying every page into
		// each connection's own 2 MB cache: a province registry's indexes do
		// not fit that cache, and deep pages of the lists walk them.
		q += "&_pragma=query_only(1)&_pragma=mmap_size(268435456)"
	} else {
		q += "&_txlock=immediate"
	}
	return "file:" + path + "?" + q
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	// The file holds password hashes and personal data: readable by the
	// service account only. SQLite gives its -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600); err == nil {
		f.Close()
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		lock.Close()
		return nil, err
	}
	// One writer connection: SQLite allows one writer at a time anyway, and
	// queueing in Go is cheaper and fairer than spinning on busy_timeout.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		lock.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		lock.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxLifetime(0)
	return &Store{Dialect: SQLite, W: newDB(w, true), R: newDB(r, true), path: path, lock: lock}, nil
}

// lockDir takes an exclusive lock on DIR/edugroup.lock so a second process on
// the same data directory refuses to start instead of corrupting it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "edugroup.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", ErrLocked, dir)
	}
	_ = f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}

// Path is the SQLite file, or "" on PostgreSQL.
func (s *Store) Path() string { return s.path }

// Close stops the listeners, closes the pools and releases the
// data-directory lock.
func (s *Store) Close() error {
	s.stopListeners()
	var errs []error
	if s.R != s.W {
		errs = append(errs, s.R.Close())
	}
	errs = append(errs, s.W.Close())
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the store answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx runs fn in one write transaction and commits when fn returns nil.
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Querier is what both *sql.DB and *sql.Tx offer, so reads can run inside or
// outside a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// IsUniqueViolation reports whether err is a unique-constraint failure in
// either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// Now is the current time as stored: UTC, microseconds (PostgreSQL's precision).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// Contains is a LIKE pattern matching text that contains q literally; use it
// with `LIKE $n ESCAPE '\'` so % and _ in the input are plain characters.
func Contains(q string) string { return "%" + likeEscaper.Replace(strings.TrimSpace(q)) + "%" }

// Prefix is a LIKE pattern matching text that starts with q literally.
func Prefix(q string) string { return likeEscaper.Replace(strings.TrimSpace(q)) + "%" }

// ForUpdate is the row-lock clause of a SELECT in a write transaction:
// FOR UPDATE on PostgreSQL; nothing on SQLite, whose BEGIN IMMEDIATE
// already holds the one write lock.
func (s *Store) ForUpdate() string {
	if s.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Analyze refreshes the planner's statistics of the named tables (all when
// none are named) after a bulk write. PostgreSQL plans from them: on tables
// it has never analyzed it assumes a few hundred rows each and joins whole
// tables by hashing where an index lookup is a hundred times faster, until
// autovacuum gets to them about a minute later. SQLite keeps no statistics
// unless asked and plans by its index heuristics, so there it does nothing.
func (s *Store) Analyze(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		if !identifier(t) {
			return fmt.Errorf("store: analyze: %q is not a table name", t)
		}
	}
	if s.Dialect != Postgres {
		return nil
	}
	_, err := s.W.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
	return err
}

func identifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}

// LockKey serializes transactions that decide about the same object (a
// school joining a group, a quota) on PostgreSQL, where several writers run
// at once. SQLite's single writer already serializes them.
func (s *Store) LockKey(ctx context.Context, tx *sql.Tx, namespace int32, id int64) error {
	if s.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, namespace, int32(id))
	return err
}
