package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BackupFile writes a consistent copy of the SQLite database at path to out
// with VACUUM INTO. It needs no lock: it reads through SQLite's own snapshot,
// so it can run beside a live server without blocking it.
func BackupFile(ctx context.Context, path, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists; choose a new file", out)
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	// VACUUM INTO accepts an existing empty file: create it first so the
	// copy of everyone's personal data is readable by its owner only.
	f, err := os.OpenFile(abs, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// CheckSQLiteFile opens a database file read-only and runs integrity_check.
func CheckSQLiteFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("%s fails the integrity check: %s", path, res)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version`).Scan(&n); err != nil {
		return fmt.Errorf("%s is not an EduGroup database: %w", path, err)
	}
	return nil
}

// Restore replaces the SQLite database at dbPath with the backup at from.
// It holds the data-directory lock, so it refuses while a server runs, and
// swaps the file in with a rename so a crash leaves either the old or the
// new database, never half of one.
func Restore(ctx context.Context, dbPath, from string) error {
	if err := CheckSQLiteFile(ctx, from); err != nil {
		return err
	}
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer lock.Close()
	tmp, err := os.CreateTemp(dir, ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	src, err := os.Open(from)
	if err != nil {
		tmp.Close()
		return err
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// Fold the old database's WAL into it first, so that removing the WAL
	// below loses nothing if we crash before the rename.
	if _, err := os.Stat(dbPath); err == nil {
		old, err := sql.Open("sqlite", "file:"+dbPath)
		if err != nil {
			return err
		}
		_, err = old.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		old.Close()
		if err != nil {
			return fmt.Errorf("checkpoint the current database: %w", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), dbPath); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
