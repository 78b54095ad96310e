-- When each periodic job last ran, so that of N instances one runs it per
-- period (Store.Claim) instead of every instance every time.
-- +goose Up
CREATE TABLE job_runs (
    name TEXT NOT NULL PRIMARY KEY,
    last_run_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE job_runs;
