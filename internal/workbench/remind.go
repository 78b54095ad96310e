package workbench

import "context"

// ReminderRule is the reminder policy of one task kind: a due-soon reminder
// DueSoonDays before the due date, an overdue notice the day after it, and,
// EscalateAfterDays after the due date, a notice to the holders of
// EscalateTo (a county role) about the item still open.
type ReminderRule struct {
	Kind              string `json:"kind"`
	DueSoonDays       int    `json:"due_soon_days"`
	Overdue           bool   `json:"overdue"`
	EscalateAfterDays int    `json:"escalate_after_days"` // 0: no escalation
	EscalateTo        string `json:"escalate_to"`
}

// Reminders is the reminder policy: a rule per task kind and the rule for
// kinds not named.
type Reminders struct {
	Default ReminderRule   `json:"default"`
	Rules   []ReminderRule `json:"rules"`
}

// DefaultReminders: three days' warning and an overdue notice for every kind.
func DefaultReminders() Reminders {
	return Reminders{Default: ReminderRule{DueSoonDays: DefaultDueSoonDays, Overdue: true}}
}

// For is the rule of kind.
func (r Reminders) For(kind string) ReminderRule {
	for _, x := range r.Rules {
		if x.Kind == kind {
			return x
		}
	}
	d := r.Default
	d.Kind = kind
	return d
}

func (s *Service) reminders(ctx context.Context) (Reminders, error) {
	if s.Policy == nil {
		return DefaultReminders(), nil
	}
	return s.Policy(ctx)
}
