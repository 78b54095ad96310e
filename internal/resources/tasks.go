package resources

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TaskSource is the library on the workbench: the resources waiting on the
// actor's review, the actor's own returned ones to rework, and their
// submissions waiting on others.
type TaskSource struct{ s *Service }

// Tasks is the library's workbench source.
func (s *Service) Tasks() TaskSource { return TaskSource{s: s} }

// Name is the source's name in the workbench counts.
func (TaskSource) Name() string { return "resources" }

// reviewWithinDays is how long after it arrives at a level a review is due.
const reviewWithinDays = 7

const taskMax = 200

// Workbench lists the actor's library items.
func (t TaskSource) Workbench(ctx context.Context, a auth.Actor, today store.Date) (workbench.Part, error) {
	var p workbench.Part
	if !a.Has(auth.PermResourcesRead) || a.System {
		return p, nil
	}
	if a.Has(auth.PermResourcesReview) {
		list, _, err := t.s.List(ctx, a, Filter{Review: true, Sort: SortNewest, Page: 1, Size: taskMax})
		if err != nil {
			return p, err
		}
		for _, r := range list {
			due := workbench.AddDays(store.Date{Time: r.UpdatedAt.Truncate(24 * 3600e9)}, reviewWithinDays)
			p.Todo = append(p.Todo, workbench.Item{Key: "resources:" + idStr(r.ID) + ":review:" + r.ReviewLevel, Kind: "resources.review",
				Subject: r.Title + " · " + r.SchoolName, Link: link(r.ID), DueOn: due})
		}
	}
	if a.UserID != 0 {
		mine, _, err := t.s.List(ctx, a, Filter{Mine: true, Sort: SortNewest, Page: 1, Size: taskMax})
		if err != nil {
			return p, err
		}
		for _, r := range mine {
			switch r.Status {
			case Returned:
				p.Todo = append(p.Todo, workbench.Item{Key: "resources:" + idStr(r.ID) + ":rework", Kind: "resources.rework", Subject: r.Title, Link: link(r.ID)})
			case Pending:
				since := r.UpdatedAt
				p.Waiting = append(p.Waiting, workbench.Item{Key: "resources:" + idStr(r.ID) + ":wait", Kind: "resources.waiting", Subject: r.Title,
					Link: link(r.ID), Since: &since})
			}
		}
	}
	return p, nil
}
