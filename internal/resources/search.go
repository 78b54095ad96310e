package resources

import (
	"context"
	"strings"
	"unicode/utf8"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Filter narrows and orders the library.
type Filter struct {
	Q        string
	Kind     string
	Stage    string
	Subject  string
	Version  string // textbook version
	NodeID   int64  // the node or anything under it
	SchoolID int64
	Label    string
	Status   string
	Mine     bool
	// Review lists what waits on the actor's review.
	Review bool
	Sort   string // relevance (with q), newest, used
	Page   int
	Size   int
}

// The sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortUsed      = "used"
)

// ftsQuery quotes q as one FTS5 string (a substring match with the trigram
// tokenizer).
func ftsQuery(q string) string { return `"` + strings.ReplaceAll(q, `"`, `""`) + `"` }

// List searches the library in the actor's scope. A query of three or more
// characters uses the full-text index (SQLite FTS5 trigram; PostgreSQL
// pg_trgm); shorter ones, which no trigram can match, a LIKE over the same
// text.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Resource, int, error) {
	if !a.Has(auth.PermResourcesRead) {
		return nil, 0, errs.ForbiddenError()
	}
	v, err := s.viewer(ctx, s.st.R, a)
	if err != nil {
		return nil, 0, err
	}
	var w store.Where
	v.visible(&w)
	var fields errs.Fields
	if f.Kind != "" {
		if !validKind(f.Kind) {
			fields.Add("kind", "resources.kind", nil)
		}
		w.Add("r.kind = ?", f.Kind)
	}
	if f.Stage != "" {
		w.Add("r.stage = ?", f.Stage)
	}
	if f.Subject != "" {
		w.Add("r.subject = ?", f.Subject)
	}
	if f.Version != "" {
		w.Add("r.textbook_version = ?", f.Version)
	}
	if f.NodeID != 0 {
		w.Add("r.node_id IN (SELECT n.id FROM textbook_nodes n, textbook_nodes p WHERE p.id = ? AND (n.id = p.id OR n.path LIKE p.path || '/%'))", f.NodeID)
	}
	if f.SchoolID != 0 {
		w.Add("r.school_id = ?", f.SchoolID)
	}
	if f.Label != "" {
		w.Add("r.label = ?", f.Label)
	}
	if f.Status != "" {
		w.Add("r.status = ?", f.Status)
	}
	if f.Mine {
		w.Add("r.created_by = ?", a.UserID)
	}
	if f.Review {
		reviewFilter(&w, a)
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Q))
	from := ` FROM resources r`
	rank := ""
	if q != "" {
		switch {
		case utf8.RuneCountInString(q) < 3:
			w.Add("r.search_doc LIKE ? ESCAPE '\\'", store.Contains(q))
		case s.st.Dialect == store.SQLite:
			from += ` JOIN resource_fts ON resource_fts.rowid = r.id`
			w.Add("resource_fts MATCH ?", ftsQuery(q))
			rank = "bm25(resource_fts)"
		default:
			// pg_trgm's GIN index serves LIKE; rank by how much of the title
			// the query is, then by the whole text.
			p := w.Arg(store.Contains(q))
			w.Add("r.search_doc LIKE " + p + " ESCAPE '\\'")
			rank = "-(CASE WHEN lower(r.title) LIKE " + p + " ESCAPE '\\' THEN 1 ELSE 0 END)"
		}
	}
	var total int
	if err := s.st.R.QueryRowContext(ctx, `SELECT count(*)`+from+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := ` ORDER BY r.created_at DESC, r.id DESC`
	switch f.Sort {
	case SortUsed:
		order = ` ORDER BY r.views + r.downloads * 3 + r.favourites * 5 DESC, r.id DESC`
	case SortRelevance, "":
		if rank != "" {
			order = ` ORDER BY ` + rank + `, r.label DESC, r.id DESC`
		}
	case SortNewest:
	default:
		return nil, 0, errs.FieldError("sort", "resources.sort", nil)
	}
	// The page's ids first, then their rows: the sort runs over the narrow
	// index join, not the wide select.
	ids := `SELECT r.id` + from + w.SQL() + order
	if f.Size > 0 {
		ids += ` LIMIT ` + w.Arg(f.Size) + ` OFFSET ` + w.Arg((max(f.Page, 1)-1)*f.Size)
	}
	rows, err := s.st.R.QueryContext(ctx, ids, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	var page []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		page = append(page, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(page) == 0 {
		return []Resource{}, total, nil
	}
	var w2 store.Where
	got, err := queryResources(ctx, s.st.R, selectResource+` WHERE r.id IN `+w2.In(page), w2.Args...)
	if err != nil {
		return nil, 0, err
	}
	byID := map[int64]Resource{}
	for _, r := range got {
		byID[r.ID] = r
	}
	out := make([]Resource, 0, len(page))
	for _, id := range page {
		out = append(out, byID[id])
	}
	return out, total, nil
}

// reviewFilter keeps what waits at a level the actor reviews.
func reviewFilter(w *store.Where, a auth.Actor) {
	rv := a.Reach(auth.PermResourcesReview)
	var alts []string
	if rv.County {
		alts = append(alts, "r.review_level = 'county'")
	}
	if len(rv.Groups) > 0 {
		alts = append(alts, "(r.review_level = 'group' AND r.group_id IN "+w.In(rv.Groups)+")")
	}
	if len(rv.Schools) > 0 {
		alts = append(alts, "(r.review_level = 'school' AND r.school_id IN "+w.In(rv.Schools)+")")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("r.status = 'pending' AND (" + strings.Join(alts, " OR ") + ")")
}
