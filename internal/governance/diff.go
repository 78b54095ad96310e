package governance

import (
	"context"
	"database/sql"
	"errors"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// ArticleChange is one article that differs between two versions. Articles
// equal in both are matched as the longest common run, so an article
// inserted in the middle is "added" and the ones after it stay unchanged;
// a removed article next to an added one is "changed".
type ArticleChange struct {
	Kind string `json:"kind" enum:"added,removed,changed"`
	// FromNo and ToNo are the article's number (1-based) in each version, 0
	// where it is absent.
	FromNo int      `json:"from_no"`
	ToNo   int      `json:"to_no"`
	Before *Article `json:"before"`
	After  *Article `json:"after"`
}

// DiffAnswer compares two versions of a rule.
type DiffAnswer struct {
	From    Version         `json:"from"`
	To      Version         `json:"to"`
	Changes []ArticleChange `json:"changes"`
}

// DiffArticles lists what changed from before to after.
func DiffArticles(before, after []Article) []ArticleChange {
	n, m := len(before), len(after)
	// lcs[i][j] is the longest common run of before[i:] and after[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if before[i] == after[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	out := []ArticleChange{}
	var removed, added []int
	flush := func() {
		k := 0
		for ; k < len(removed) && k < len(added); k++ {
			b, a := before[removed[k]], after[added[k]]
			out = append(out, ArticleChange{Kind: "changed", FromNo: removed[k] + 1, ToNo: added[k] + 1, Before: &b, After: &a})
		}
		for _, i := range removed[k:] {
			b := before[i]
			out = append(out, ArticleChange{Kind: "removed", FromNo: i + 1, Before: &b})
		}
		for _, j := range added[k:] {
			a := after[j]
			out = append(out, ArticleChange{Kind: "added", ToNo: j + 1, After: &a})
		}
		removed, added = nil, nil
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && before[i] == after[j]:
			flush()
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			added = append(added, j)
			j++
		default:
			removed = append(removed, i)
			i++
		}
	}
	flush()
	return out
}

// Diff compares versions from and to of rule id; to 0 is the newest the
// caller reads, from 0 the one before it.
func (s *Service) Diff(ctx context.Context, a auth.Actor, id int64, from, to int) (DiffAnswer, error) {
	if !a.Has(auth.PermRulesRead) {
		return DiffAnswer{}, errs.ForbiddenError()
	}
	r, err := s.getRule(ctx, s.st.R, a, id)
	if err != nil {
		return DiffAnswer{}, err
	}
	whole := wholeGroup(a, r.GroupID)
	if to == 0 {
		to = r.Current
		if whole && r.Draft > 0 {
			to = r.Draft
		}
	}
	if from == 0 {
		from = to - 1
	}
	if from < 1 || from >= to {
		return DiffAnswer{}, errs.FieldError("from", "rulebook.diff_range", nil)
	}
	get := func(no int, field string) (Version, error) {
		v, err := s.version(ctx, s.st.R, r.ID, no)
		if err == nil && v.Status == VersionDraft && !whole {
			err = errs.NotFoundError("rule_version")
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Code == errs.NotFound {
			return v, errs.FieldError(field, "rulebook.no_version", errs.Args{"no": no})
		}
		return v, err
	}
	fv, err := get(from, "from")
	if err != nil {
		return DiffAnswer{}, err
	}
	tv, err := get(to, "to")
	if err != nil {
		return DiffAnswer{}, err
	}
	return DiffAnswer{From: fv, To: tv, Changes: DiffArticles(fv.Articles, tv.Articles)}, nil
}

// BookRule is one rule of the rulebook as of a date: the version in force.
type BookRule struct {
	RuleID      int64      `json:"rule_id"`
	No          int        `json:"no"`
	Title       string     `json:"title"`
	Category    string     `json:"category"`
	Articles    []Article  `json:"articles"`
	EffectiveOn store.Date `json:"effective_on" openapi:"notnull"`
}

// Book is a group's rulebook as of a date, by category then title.
type Book struct {
	GroupID   int64      `json:"group_id"`
	GroupName string     `json:"group_name"`
	AsOf      store.Date `json:"as_of" openapi:"notnull"`
	Rules     []BookRule `json:"rules"`
}

// Book is the rules of group in force on date (today when zero): for each
// rule the latest published version whose effective date has come and
// which has taken effect by then.
func (s *Service) Book(ctx context.Context, a auth.Actor, group int64, on store.Date) (Book, error) {
	if !a.Has(auth.PermRulesRead) {
		return Book{}, errs.ForbiddenError()
	}
	if on.IsZero() {
		on = s.Today()
	}
	reach := a.Reach(auth.PermRulesRead)
	if group == 0 {
		switch {
		case len(reach.Groups) > 0:
			group = reach.Groups[0]
		case len(reach.Schools) > 0:
			_ = s.st.R.QueryRowContext(ctx, `SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL ORDER BY group_id LIMIT 1`, reach.Schools[0]).Scan(&group)
		}
	}
	if group == 0 {
		return Book{}, errs.FieldError("group_id", "field.required", nil)
	}
	ok := reach.Group(group)
	for _, sc := range reach.Schools {
		if !ok {
			m, err := isMember(ctx, s.st.R, sc, group)
			if err != nil {
				return Book{}, err
			}
			ok = m
		}
	}
	b := Book{GroupID: group, AsOf: on, Rules: []BookRule{}}
	err := s.st.R.QueryRowContext(ctx, `SELECT name FROM edu_groups WHERE id = $1`, group).Scan(&b.GroupName)
	if !ok || errors.Is(err, sql.ErrNoRows) {
		return Book{}, errs.NotFoundError("group")
	}
	if err != nil {
		return Book{}, err
	}
	// A version takes effect on or after the day it is published, so one in
	// effect on the date was published by then.
	rows, err := s.st.R.QueryContext(ctx, `SELECT v.rule_id, v.no, v.title, v.category, v.articles, v.effective_on FROM rule_versions v JOIN rules r ON r.id = v.rule_id
		WHERE r.group_id = $1 AND v.status <> 'draft' AND v.effective_on <= $2
		AND v.no = (SELECT max(v2.no) FROM rule_versions v2 WHERE v2.rule_id = v.rule_id AND v2.status <> 'draft' AND v2.effective_on <= $2)
		ORDER BY v.category, v.title, v.rule_id`, group, on)
	if err != nil {
		return Book{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var br BookRule
		var arts string
		if err := rows.Scan(&br.RuleID, &br.No, &br.Title, &br.Category, &arts, &br.EffectiveOn); err != nil {
			return Book{}, err
		}
		if br.Articles, err = decodeArticles(arts); err != nil {
			return Book{}, err
		}
		b.Rules = append(b.Rules, br)
	}
	return b, rows.Err()
}
