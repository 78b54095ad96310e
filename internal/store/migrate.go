package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate brings the schema to the newest version. On PostgreSQL it holds a
// session advisory lock so several instances starting at once take turns.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.Dialect))
	if err != nil {
		return nil, err
	}
	// Capabilities are built on branches and numbered when they are cut, so a
	// database can hold a newer migration than one merged after it (00019
	// before 00015–00018). Each migration creates its own tables, so the
	// missing ones are applied rather than refused.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	dialect := goose.DialectSQLite3
	if s.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, s.W.DB, sub, opts...)
}
