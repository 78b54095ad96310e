package resources

import (
	"context"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// Node is one node of the textbook tree: 学段 → 学科 → 版本 → 册 → 单元 → 课.
type Node struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Level    string `json:"level" enum:"stage,subject,version,volume,unit,lesson"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Leaf     bool   `json:"leaf"`
}

// Nodes lists the children of parent (the stages when parent is 0), in
// their order; the tree is data (the default of the migration, and a
// county's own).
func (s *Service) Nodes(ctx context.Context, a auth.Actor, parent int64) ([]Node, error) {
	if !a.Has(auth.PermResourcesRead) {
		return nil, errs.ForbiddenError()
	}
	q := `SELECT n.id, COALESCE(n.parent_id, 0), n.level, n.name, n.path, NOT EXISTS (SELECT 1 FROM textbook_nodes c WHERE c.parent_id = n.id)
		FROM textbook_nodes n WHERE `
	args := []any{}
	if parent == 0 {
		q += `n.parent_id IS NULL`
	} else {
		q += `n.parent_id = $1`
		args = append(args, parent)
	}
	rows, err := s.st.R.QueryContext(ctx, q+` ORDER BY n.sort, n.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Node{}
	for rows.Next() {
		var n Node
		if err := rows.Scan(&n.ID, &n.ParentID, &n.Level, &n.Name, &n.Path, &n.Leaf); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
