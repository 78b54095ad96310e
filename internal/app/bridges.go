package app

import (
	"context"

	"edugroup/internal/curriculum"
	"edugroup/internal/research"
)

// timetables lets the research slot check read the curriculum capability's
// published timetables. The two packages do not import each other (services
// meet only here), so the lesson rows are converted field by field.
type timetables struct{ cur *curriculum.Service }

func (t timetables) SlotLessons(ctx context.Context, term string, schoolIDs []int64, weekday int, periods []int) ([]research.SlotLesson, map[int64]bool, error) {
	lessons, published, err := t.cur.SlotLessons(ctx, term, schoolIDs, weekday, periods)
	if err != nil {
		return nil, nil, err
	}
	out := make([]research.SlotLesson, len(lessons))
	for i, l := range lessons {
		out[i] = research.SlotLesson(l)
	}
	return out, published, nil
}
