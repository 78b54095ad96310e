package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A database migrated before a lower-numbered migration was merged (here
// 00019 applied without 00015–00018) takes the missing ones on the next
// start instead of refusing to open.
func TestMigrateAppliesMissingLowerVersions(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "edugroup.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.provider()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 19, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate with 00015–00018 missing: %v", err)
	}
	var n int
	if err := s.W.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('timetables', 'mentoring_activities')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("tables after migrate: %d, %v", n, err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v < 19 {
		t.Fatalf("schema version %d, %v", v, err)
	}
}
