package store

import (
	"context"
	"time"
)

// Claim reports whether the caller is the one to run the periodic job now:
// of every caller on this store — all instances — at most one claim of a job
// succeeds per period of length every. The claim is one upsert: a job's row
// is moved to now only if its last run is at least a period old, and on
// PostgreSQL a second instance's upsert waits for the first's row and then
// finds it fresh. A job that fails after its claim waits for the next
// period, like a job that ran.
func (s *Store) Claim(ctx context.Context, job string, every time.Duration, now time.Time) (bool, error) {
	now = now.UTC().Truncate(time.Microsecond)
	res, err := s.W.ExecContext(ctx, `INSERT INTO job_runs (name, last_run_at) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at WHERE job_runs.last_run_at <= $3`,
		job, now, now.Add(-every))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
