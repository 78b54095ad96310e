// Package workbench is each person's 工作台: the open items waiting for them
// from every capability (to-dos), what they started that waits on others,
// upcoming dates, the few figures their role uses, and the notifications
// addressed to them. Capabilities plug in as task sources registered in the
// app's wiring; the menu counts come from the same sources, so a count can
// never disagree with its list. Nothing here speaks HTTP except
// workbench_api.go.
package workbench

import (
	"context"
	"sort"
	"sync"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// Urgency ranks a to-do by its due date.
type Urgency string

// The urgencies, most pressing first.
const (
	Overdue Urgency = "overdue"
	DueSoon Urgency = "due_soon"
	Normal  Urgency = "normal"
)

var urgencyRank = map[Urgency]int{Overdue: 0, DueSoon: 1, Normal: 2}

// Item is one open item on the workbench: a to-do, something waiting on
// others, or an upcoming date.
type Item struct {
	// Key identifies the item across calls ("exchange:12:endorse"), so a
	// reminder about it is sent once.
	Key string `json:"key"`
	// Source names the capability it comes from ("exchange").
	Source string `json:"source"`
	// Kind is what is to be done or awaited ("exchange.endorse"); the client
	// words it in the user's language.
	Kind string `json:"kind"`
	// Subject is what the item is about, as the viewer may see it (a name,
	// a school), never more.
	Subject string `json:"subject"`
	// Link is the page where the item is done, one click away.
	Link string `json:"link"`
	// DueOn is the date by which it must be done (to-dos) or the date itself
	// (upcoming), or null.
	DueOn store.Date `json:"due_on"`
	// Since is when it began waiting (for what waits on others).
	Since *time.Time `json:"since,omitempty"`
	// Urgency is filled from DueOn unless the source sets it.
	Urgency Urgency `json:"urgency" enum:"overdue,due_soon,normal"`
}

// Figure is one number a role uses, with the page that lists what it counts.
type Figure struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
	Link  string `json:"link"`
}

// Part is what one source contributes for one actor.
type Part struct {
	Todo     []Item
	Waiting  []Item
	Upcoming []Item
	Figures  []Figure
}

// Source is a capability's contribution to the workbench. It must return only
// what the actor's grants let them see and act on: the workbench applies no
// scope of its own.
type Source interface {
	// Name is the capability's name, used for the per-source counts.
	Name() string
	// Workbench lists the actor's open items on the given day.
	Workbench(ctx context.Context, a auth.Actor, today store.Date) (Part, error)
}

// Workbench is the whole page for one actor.
type Workbench struct {
	Today    store.Date `json:"today" openapi:"notnull"`
	Todo     []Item     `json:"todo"`
	Waiting  []Item     `json:"waiting"`
	Upcoming []Item     `json:"upcoming"`
	Figures  []Figure   `json:"figures"`
	Counts   Counts     `json:"counts"`
}

// Counts are the to-do counts the menu shows.
type Counts struct {
	Total    int            `json:"total"`
	Overdue  int            `json:"overdue"`
	DueSoon  int            `json:"due_soon"`
	BySource map[string]int `json:"by_source"`
	Unread   int            `json:"unread"`
}

// Service gathers the sources and keeps the notifications.
type Service struct {
	st      *store.Store
	sources []Source
	// Today is the calendar date urgency is judged on; tests set it.
	Today func() store.Date
	// Now is the clock for notifications and deliveries; tests set it.
	Now func() time.Time
	// WebhookHosts are the hosts a robot webhook may point at, per kind, so
	// no one can make the server post to an address of its own network.
	// Set it before use; AllowWebhookHost adds to it while serving.
	WebhookHosts map[string][]string
	hostsMu      sync.RWMutex
	// Policy gives the reminder settings in force; nil means the defaults.
	Policy func(ctx context.Context) (policy.Reminders, error)
}

// NewService builds the workbench on st with no sources yet.
func NewService(st *store.Store) *Service {
	return &Service{st: st, Today: store.Today, Now: store.Now, WebhookHosts: DefaultWebhookHosts()}
}

// Register adds a capability's source. The app wires them at start-up.
func (s *Service) Register(src ...Source) { s.sources = append(s.sources, src...) }

// Get gathers the actor's workbench from every source.
func (s *Service) Get(ctx context.Context, a auth.Actor) (Workbench, error) {
	rem, err := s.reminders(ctx)
	if err != nil {
		return Workbench{}, err
	}
	w, err := s.gather(ctx, a, s.Today(), rem)
	if err != nil {
		return Workbench{}, err
	}
	if a.UserID != 0 {
		if w.Counts.Unread, err = s.Unread(ctx, a); err != nil {
			return Workbench{}, err
		}
	}
	return w, nil
}

// gather asks every source and sorts and counts what they answer.
func (s *Service) gather(ctx context.Context, a auth.Actor, today store.Date, rem policy.Reminders) (Workbench, error) {
	w := Workbench{Today: today, Todo: []Item{}, Waiting: []Item{}, Upcoming: []Item{}, Figures: []Figure{},
		Counts: Counts{BySource: map[string]int{}}}
	for _, src := range s.sources {
		p, err := src.Workbench(ctx, a, today)
		if err != nil {
			return Workbench{}, err
		}
		for _, it := range p.Todo {
			it.Source = src.Name()
			if it.Urgency == "" {
				it.Urgency = urgencyOf(it.DueOn, today, rem.For(it.Kind).DueSoonDays)
			}
			w.Todo = append(w.Todo, it)
			w.Counts.BySource[src.Name()]++
		}
		for _, it := range p.Waiting {
			it.Source, it.Urgency = src.Name(), Normal
			w.Waiting = append(w.Waiting, it)
		}
		for _, it := range p.Upcoming {
			it.Source, it.Urgency = src.Name(), Normal
			w.Upcoming = append(w.Upcoming, it)
		}
		w.Figures = append(w.Figures, p.Figures...)
	}
	sort.SliceStable(w.Todo, func(i, j int) bool {
		a, b := w.Todo[i], w.Todo[j]
		if urgencyRank[a.Urgency] != urgencyRank[b.Urgency] {
			return urgencyRank[a.Urgency] < urgencyRank[b.Urgency]
		}
		return earlier(a.DueOn, b.DueOn)
	})
	sort.SliceStable(w.Upcoming, func(i, j int) bool { return earlier(w.Upcoming[i].DueOn, w.Upcoming[j].DueOn) })
	sort.SliceStable(w.Waiting, func(i, j int) bool {
		a, b := w.Waiting[i].Since, w.Waiting[j].Since
		return a != nil && (b == nil || a.Before(*b))
	})
	w.Counts.Total = len(w.Todo)
	for _, it := range w.Todo {
		switch it.Urgency {
		case Overdue:
			w.Counts.Overdue++
		case DueSoon:
			w.Counts.DueSoon++
		}
	}
	return w, nil
}

// CountsFor is the menu's numbers: the same gathering as Get, without the
// lists.
func (s *Service) CountsFor(ctx context.Context, a auth.Actor) (Counts, error) {
	w, err := s.Get(ctx, a)
	return w.Counts, err
}

// earlier orders dates with the undated last.
func earlier(a, b store.Date) bool {
	if a.IsZero() {
		return false
	}
	return b.IsZero() || a.Before(b.Time)
}

func urgencyOf(due, today store.Date, soonDays int) Urgency {
	switch {
	case due.IsZero():
		return Normal
	case due.Before(today.Time):
		return Overdue
	case !due.After(today.AddDate(0, 0, soonDays)):
		return DueSoon
	}
	return Normal
}

// AddDays is d moved by n calendar days.
func AddDays(d store.Date, n int) store.Date { return store.Date{Time: d.AddDate(0, 0, n)} }
