package app

import (
	"context"
	"time"
)

// RunDueJobs lets the tests run the periodic jobs at a given time.
func (a *App) RunDueJobs(ctx context.Context, now time.Time) []string { return a.runDueJobs(ctx, now) }
