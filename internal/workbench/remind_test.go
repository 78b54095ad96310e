package workbench_test

import (
	"context"
	"sync"
	"testing"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/workbench"
)

func remindersOf(t *testing.T, st *store.Store, username, kind, link string) int {
	t.Helper()
	return notices(t, st, username, kind, link)
}

// TestRemindersOnceWithAFakeClock walks the clock past an endorsement's due
// date (the exchange's start): the due-soon reminder comes at the configured
// offset, the overdue notice after the date, the escalation to 基教股 a day
// later, each once however many runners run however often.
func TestRemindersOnceWithAFakeClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		wb := e.app.Workbench
		principal := e.actor("principal")
		w, err := wb.Get(ctx, principal)
		if err != nil {
			t.Fatal(err)
		}
		var item workbench.Item
		for _, it := range w.Todo {
			if it.Kind == "exchange.endorse" && !it.DueOn.IsZero() {
				item = it
			}
		}
		if item.Key == "" {
			t.Fatalf("the demo principal has no endorsement to do: %+v", w.Todo)
		}
		due := item.DueOn
		run := func(offset int) {
			t.Helper()
			today := workbench.AddDays(due, offset)
			wb.Today = func() store.Date { return today }
			e.app.Exchange.Today = wb.Today
			var wg sync.WaitGroup
			for i := 0; i < 3; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := wb.RemindOnce(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		count := func(user, kind string) int { return remindersOf(t, st, user, kind, item.Link) }
		expect := func(when string, soon, overdue, escalated int) {
			t.Helper()
			if got := count("principal", "reminder.due_soon"); got != soon {
				t.Errorf("%s: %d due-soon reminders, want %d", when, got, soon)
			}
			if got := count("principal", "reminder.overdue"); got != overdue {
				t.Errorf("%s: %d overdue notices, want %d", when, got, overdue)
			}
			if got := count("jijiao", "reminder.escalated"); got != escalated {
				t.Errorf("%s: %d escalations to 基教股, want %d", when, got, escalated)
			}
		}
		run(-5)
		expect("five days before", 0, 0, 0)
		run(-3) // the default rule for endorsements: three days' warning
		expect("three days before", 1, 0, 0)
		run(-2)
		run(0)
		expect("on the day", 1, 0, 0)
		run(1) // overdue, and escalated after one day
		expect("the day after", 1, 1, 1)
		run(2)
		run(10)
		expect("later", 1, 1, 1)
		if got := count("renshi", "reminder.escalated"); got != 0 {
			t.Errorf("人事股 got %d escalations of an endorsement", got)
		}
	})
}
