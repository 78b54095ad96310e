package app_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"edugroup/internal/app"
	"edugroup/internal/store/storetest"
)

// Of two instances on one database, one runs each periodic job per period.
func TestJobsRunOncePerPeriodAcrossInstances(t *testing.T) {
	sts := openPostgres(t, storetest.PostgresDSN(t), 2)
	ctx := context.Background()
	apps := make([]*app.App, len(sts))
	for i, st := range sts {
		a, err := app.New(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = a
	}
	all := []string{"audit.retention", "resources.sweep", "sessions.purge", "throttle.purge", "workbench.remind"}
	t0 := time.Now()
	round := func(at time.Time) []string {
		var mu sync.Mutex
		var ran []string
		var wg sync.WaitGroup
		for _, a := range apps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				names := a.RunDueJobs(ctx, at)
				mu.Lock()
				ran = append(ran, names...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		slices.Sort(ran)
		return ran
	}
	if got := round(t0); !slices.Equal(got, all) {
		t.Fatalf("first round ran %v, want each job once: %v", got, all)
	}
	if got := round(t0.Add(30 * time.Minute)); len(got) != 0 {
		t.Fatalf("half an hour later %v ran again", got)
	}
	// The hourly jobs run again an hour later; the orphan-blob sweep
	// (every six hours) waits for its own period.
	hourly := slices.DeleteFunc(slices.Clone(all), func(n string) bool { return n == "resources.sweep" })
	if got := round(t0.Add(61 * time.Minute)); !slices.Equal(got, hourly) {
		t.Fatalf("an hour later ran %v, want each hourly job once: %v", got, hourly)
	}
	if got := round(t0.Add(6*time.Hour + time.Minute)); !slices.Equal(got, all) {
		t.Fatalf("six hours later ran %v, want each job once: %v", got, all)
	}
}
