package store_test

import (
	"context"
	"testing"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
)

func TestAnalyzeRefreshesStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if err := st.Analyze(ctx, "staff; DROP TABLE staff"); err == nil {
			t.Fatal("a table list that is not names was run")
		}
		if err := st.Analyze(ctx, "staff", "schools"); err != nil {
			t.Fatal(err)
		}
		if err := st.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		if st.Dialect != store.Postgres {
			return
		}
		var analyzed bool
		if err := st.R.QueryRowContext(ctx, `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'staff'`).Scan(&analyzed); err != nil {
			t.Fatal(err)
		}
		if !analyzed {
			t.Fatal("staff has no statistics after Analyze")
		}
	})
}
