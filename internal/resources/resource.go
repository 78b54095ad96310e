package resources

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/i18n"
	"edugroup/internal/registry"
	"edugroup/internal/store"
)

// Input is a resource's metadata as its author writes it.
type Input struct {
	Kind            string  `json:"kind"`
	Title           string  `json:"title"`
	Description     string  `json:"description"`
	Stage           string  `json:"stage"`
	Subject         string  `json:"subject"`
	Grade           string  `json:"grade"`
	TextbookVersion string  `json:"textbook_version"`
	NodeID          int64   `json:"node_id"`
	Tags            string  `json:"tags"`
	Authors         string  `json:"authors"`
	ShareScope      string  `json:"share_scope"`
	Item            *Item   `json:"item,omitempty"`
	Parts           []int64 `json:"parts,omitempty"`
	// SchoolID is the school it belongs to; the actor's own when zero.
	SchoolID int64 `json:"school_id,omitempty"`
	// Version is the version read, for an edit.
	Version int `json:"version,omitempty"`
}

func trim(s *string) { *s = strings.TrimSpace(*s) }

func (in *Input) check() error {
	for _, p := range []*string{&in.Title, &in.Description, &in.Stage, &in.Subject, &in.Grade, &in.TextbookVersion, &in.Tags, &in.Authors} {
		trim(p)
	}
	var f errs.Fields
	if !validKind(in.Kind) {
		f.Add("kind", "resources.kind", nil)
	}
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Add("title", "field.required_max", errs.Args{"max": 200})
	}
	if len([]rune(in.Description)) > 4000 {
		f.Add("description", "field.max", errs.Args{"max": 4000})
	}
	for name, v := range map[string]string{"stage": in.Stage, "subject": in.Subject, "grade": in.Grade, "textbook_version": in.TextbookVersion} {
		if len([]rune(v)) > 40 {
			f.Add(name, "field.max", errs.Args{"max": 40})
		}
	}
	if len([]rune(in.Tags)) > 400 {
		f.Add("tags", "field.max", errs.Args{"max": 400})
	}
	if len([]rune(in.Authors)) > 200 {
		f.Add("authors", "field.max", errs.Args{"max": 200})
	}
	switch in.ShareScope {
	case ScopeSchool, ScopeGroup, ScopeCounty:
	default:
		f.Add("share_scope", "resources.share_scope", nil)
	}
	if in.Kind == KindItem {
		if in.Item == nil {
			f.Add("item.stem", "field.required", nil)
		} else {
			it := in.Item
			trim(&it.Stem)
			trim(&it.Answer)
			trim(&it.Analysis)
			if it.Stem == "" || len([]rune(it.Stem)) > 4000 {
				f.Add("item.stem", "field.required_max", errs.Args{"max": 4000})
			}
			if it.Answer == "" || len([]rune(it.Answer)) > 2000 {
				f.Add("item.answer", "field.required_max", errs.Args{"max": 2000})
			}
			if len([]rune(it.Analysis)) > 4000 {
				f.Add("item.analysis", "field.max", errs.Args{"max": 4000})
			}
			if it.Difficulty < 1 || it.Difficulty > 5 {
				f.Add("item.difficulty", "resources.difficulty", nil)
			}
			if len(it.Options) > 10 {
				f.Add("item.options", "field.max", errs.Args{"max": 10})
			}
			for i, o := range it.Options {
				if strings.TrimSpace(o) == "" || len([]rune(o)) > 500 {
					f.Add("item.options["+itoa(i)+"]", "field.required_max", errs.Args{"max": 500})
				}
			}
			if len(it.KnowledgePoints) > 20 {
				f.Add("item.knowledge_points", "field.max", errs.Args{"max": 20})
			}
		}
	} else {
		in.Item = nil
	}
	if in.Kind == KindPackage {
		if len(in.Parts) == 0 || len(in.Parts) > 20 {
			f.Add("parts", "resources.parts", nil)
		}
	} else {
		in.Parts = nil
	}
	return f.Err()
}

func itoa(i int) string { return idStr(int64(i)) }

// uploadSchool decides the school a new resource belongs to: the one named
// (when the actor may upload for it) or the actor's own.
func (s *Service) uploadSchool(ctx context.Context, q store.Reader, a auth.Actor, named int64) (int64, error) {
	r := a.Reach(auth.PermResourcesUpload)
	var own int64
	if r.Self != 0 {
		if err := q.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, r.Self).Scan(&own); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if named == 0 {
		switch {
		case own != 0:
			return own, nil
		case len(r.Schools) == 1:
			return r.Schools[0], nil
		case r.County && a.System:
			return 0, errs.FieldError("school_id", "field.required", nil)
		}
		return 0, errs.FieldError("school_id", "field.required", nil)
	}
	if named == own || r.School(named) {
		return named, nil
	}
	return 0, errs.FieldError("school_id", "resources.school_scope", nil)
}

// nodeFields fills the stage, subject, version and grade from the node's
// path where the input leaves them empty.
func nodeFields(ctx context.Context, q store.Reader, in *Input) error {
	if in.NodeID == 0 {
		return nil
	}
	var path string
	err := q.QueryRowContext(ctx, `SELECT path FROM textbook_nodes WHERE id = $1`, in.NodeID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.FieldError("node_id", "resources.node", nil)
	}
	if err != nil {
		return err
	}
	parts := strings.Split(path, "/")
	fill := func(dst *string, i int) {
		if *dst == "" && len(parts) > i {
			*dst = parts[i]
		}
	}
	fill(&in.Stage, 0)
	fill(&in.Subject, 1)
	fill(&in.TextbookVersion, 2)
	fill(&in.Grade, 3)
	return nil
}

// searchDoc is the text the search index holds for a resource: its words
// and the text extracted from its file, lower-cased (the trigram match on
// SQLite is case-insensitive for ASCII only).
func searchDoc(in Input, nodePath, body string) string {
	parts := []string{in.Title, in.Tags, in.Authors, in.Description, nodePath, in.Subject, in.Grade, in.TextbookVersion}
	if in.Item != nil {
		parts = append(parts, in.Item.Stem, strings.Join(in.Item.Options, " "), strings.Join(in.Item.KnowledgePoints, " "))
	}
	parts = append(parts, body)
	return strings.ToLower(strings.Join(parts, " \n"))
}

func itemJSON(it *Item) string {
	if it == nil {
		return ""
	}
	b, _ := json.Marshal(it)
	return string(b)
}

// Create adds a draft to the actor's school.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (Detail, error) {
	if !a.Has(auth.PermResourcesUpload) && !a.System {
		return Detail{}, errs.ForbiddenError()
	}
	if err := in.check(); err != nil {
		return Detail{}, err
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		school, err := s.uploadSchool(ctx, tx, a, in.SchoolID)
		if err != nil {
			return err
		}
		if err := nodeFields(ctx, tx, &in); err != nil {
			return err
		}
		groups, err := registry.CurrentGroups(ctx, tx, school)
		if err != nil {
			return err
		}
		var group int64
		if len(groups) > 0 {
			group = groups[0]
		}
		path := nodePath(ctx, tx, in.NodeID)
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO resources (school_id, group_id, kind, title, description, stage, subject, grade, textbook_version,
			node_id, tags, authors, share_scope, status, item, search_doc, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id`,
			school, nullID(group), in.Kind, in.Title, in.Description, in.Stage, in.Subject, in.Grade, in.TextbookVersion,
			nullID(in.NodeID), in.Tags, in.Authors, in.ShareScope, Draft, itemJSON(in.Item), searchDoc(in, path, ""), nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		if err := s.setParts(ctx, tx, a, id, in.Parts); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources.create", ObjectType: "resource", ObjectID: idStr(id),
			Detail: map[string]any{"after": map[string]any{"school_id": school, "kind": in.Kind, "title": in.Title, "share_scope": in.ShareScope, "node_id": in.NodeID}}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

func nodePath(ctx context.Context, q store.Reader, id int64) string {
	if id == 0 {
		return ""
	}
	var p string
	_ = q.QueryRowContext(ctx, `SELECT path FROM textbook_nodes WHERE id = $1`, id).Scan(&p)
	return p
}

// setParts replaces a package's parts: resources the actor sees, not
// packages themselves.
func (s *Service) setParts(ctx context.Context, tx *sql.Tx, a auth.Actor, id int64, parts []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM resource_parts WHERE package_id = $1`, id); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for i, p := range parts {
		if seen[p] || p == id {
			return errs.FieldError("parts["+itoa(i)+"]", "resources.parts", nil)
		}
		seen[p] = true
		r, err := s.get(ctx, tx, a, p)
		if err != nil || r.Kind == KindPackage {
			return errs.FieldError("parts["+itoa(i)+"]", "resources.parts", nil)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_parts (package_id, part_id, sort) VALUES ($1, $2, $3)`, id, p, i); err != nil {
			return err
		}
	}
	return nil
}

// editable: the actor may change the resource's metadata and file now — its
// uploader or its school, while it is a draft or returned.
func editable(a auth.Actor, r Resource) bool {
	if r.Status != Draft && r.Status != Returned {
		return false
	}
	if a.System {
		return true
	}
	if !a.Has(auth.PermResourcesUpload) {
		return false
	}
	return r.createdByID == a.UserID || a.Reach(auth.PermResourcesUpload).School(r.SchoolID)
}

// Update changes a draft's or returned resource's metadata.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, in Input) (Detail, error) {
	if err := in.check(); err != nil {
		return Detail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if in.Version != r.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		if !editable(a, r) {
			return errs.ForbiddenError()
		}
		if in.Kind != r.Kind {
			return errs.FieldError("kind", "resources.kind_fixed", nil)
		}
		if err := nodeFields(ctx, tx, &in); err != nil {
			return err
		}
		var body string
		if err := tx.QueryRowContext(ctx, `SELECT body_text FROM resources WHERE id = $1`, id).Scan(&body); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE resources SET title = $1, description = $2, stage = $3, subject = $4, grade = $5, textbook_version = $6,
			node_id = $7, tags = $8, authors = $9, share_scope = $10, item = $11, search_doc = $12, updated_at = $13, version = version + 1
			WHERE id = $14 AND version = $15`,
			in.Title, in.Description, in.Stage, in.Subject, in.Grade, in.TextbookVersion, nullID(in.NodeID), in.Tags, in.Authors, in.ShareScope,
			itemJSON(in.Item), searchDoc(in, nodePath(ctx, tx, in.NodeID), body), store.Now(), id, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if err := s.setParts(ctx, tx, a, id, in.Parts); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources.update", ObjectType: "resource", ObjectID: idStr(id),
			Detail: map[string]any{"before": map[string]any{"title": r.Title, "share_scope": r.ShareScope, "node_id": r.NodeID},
				"after": map[string]any{"title": in.Title, "share_scope": in.ShareScope, "node_id": in.NodeID}}})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, a, id)
}

// VersionInput is the body of a step that only names the version read.
type VersionInput struct {
	Version int `json:"version"`
}

// Delete removes a draft, returned or rejected resource from the library;
// its blobs stay until the orphan sweep finds nothing pointing at them.
func (s *Service) Delete(ctx context.Context, a auth.Actor, id int64, in VersionInput) (Resource, error) {
	var r Resource
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = s.get(ctx, tx, a, id); err != nil {
			return err
		}
		if in.Version != r.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		rr := r
		if rr.Status == Rejected {
			rr.Status = Draft
		}
		if !editable(a, rr) {
			return errs.ForbiddenError()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET deleted = TRUE, updated_at = $1, version = version + 1 WHERE id = $2`, store.Now(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM resource_parts WHERE package_id = $1 OR part_id = $1`, id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "resources.delete", ObjectType: "resource", ObjectID: idStr(id),
			Detail: map[string]any{"before": map[string]any{"title": r.Title, "status": r.Status}}})
	})
	return r, err
}

// File is one uploaded version of a resource's file.
type File struct {
	ID         int64     `json:"id"`
	No         int       `json:"no"`
	Filename   string    `json:"filename"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	DurationMS int64     `json:"duration_ms"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	Probe      string    `json:"probe"`
	CreatedAt  time.Time `json:"created_at"`
}

// Review is one decision taken on a resource.
type Review struct {
	Level    string    `json:"level"`
	Decision string    `json:"decision" enum:"accept,return,reject,submit"`
	Comment  string    `json:"comment"`
	Actor    string    `json:"actor"`
	At       time.Time `json:"at"`
}

// Detail is a resource with its item, parts, file versions, reviews and
// what the caller may do now.
type Detail struct {
	Resource
	Item      *Item      `json:"item"`
	Parts     []Resource `json:"parts"`
	Files     []File     `json:"files"`
	Reviews   []Review   `json:"reviews"`
	Actions   []string   `json:"actions"`
	Favourite bool       `json:"favourite"`
	// Warnings are rule checks the resource fails now (a 微课 longer than
	// the limit); Localize words them.
	Warnings []Warning `json:"warnings"`
}

// Warning is one rule a resource fails, as a message key and its words.
type Warning struct {
	Key     string    `json:"key"`
	Args    errs.Args `json:"-"`
	Message string    `json:"message"`
}

// Localize words the warnings in l.
func (d Detail) Localize(l i18n.Lang) {
	for i := range d.Warnings {
		d.Warnings[i].Message = l.T(d.Warnings[i].Key, d.Warnings[i].Args)
	}
}

// Detail reads one resource.
func (s *Service) Detail(ctx context.Context, a auth.Actor, id int64) (Detail, error) {
	if !a.Has(auth.PermResourcesRead) && !a.System {
		return Detail{}, errs.ForbiddenError()
	}
	r, err := s.get(ctx, s.st.R, a, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Resource: r, Parts: []Resource{}, Files: []File{}, Reviews: []Review{}, Warnings: []Warning{}}
	var item string
	if err := s.st.R.QueryRowContext(ctx, `SELECT item FROM resources WHERE id = $1`, id).Scan(&item); err != nil {
		return d, err
	}
	if item != "" {
		d.Item = &Item{}
		if err := json.Unmarshal([]byte(item), d.Item); err != nil {
			return d, err
		}
	}
	if d.Parts, err = queryResources(ctx, s.st.R, selectResource+` JOIN resource_parts p ON p.part_id = r.id WHERE p.package_id = $1 AND r.deleted = FALSE ORDER BY p.sort`, id); err != nil {
		return d, err
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, no, filename, media_type, size, blob_key, duration_ms, width, height, probe, created_at FROM resource_files WHERE resource_id = $1 ORDER BY no DESC`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.No, &f.Filename, &f.MediaType, &f.Size, &f.SHA256, &f.DurationMS, &f.Width, &f.Height, &f.Probe, &f.CreatedAt); err != nil {
			rows.Close()
			return d, err
		}
		f.CreatedAt = f.CreatedAt.UTC()
		d.Files = append(d.Files, f)
	}
	rows.Close()
	if d.Reviews, err = reviews(ctx, s.st.R, id); err != nil {
		return d, err
	}
	if a.UserID != 0 {
		var n int
		if err := s.st.R.QueryRowContext(ctx, `SELECT count(*) FROM resource_usage WHERE resource_id = $1 AND user_id = $2 AND action = 'favourite'`, id, a.UserID).Scan(&n); err != nil {
			return d, err
		}
		d.Favourite = n > 0
	}
	set, err := s.settings(ctx)
	if err != nil {
		return d, err
	}
	if w, ok := durationProblem(set, r); ok {
		d.Warnings = append(d.Warnings, w)
	}
	can, err := s.allowed(ctx, s.st.R, a, r)
	if err != nil {
		return d, err
	}
	d.Actions = can.list()
	return d, nil
}

func reviews(ctx context.Context, q store.Reader, id int64) ([]Review, error) {
	rows, err := q.QueryContext(ctx, `SELECT level, decision, comment, actor, at FROM resource_reviews WHERE resource_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		var rv Review
		if err := rows.Scan(&rv.Level, &rv.Decision, &rv.Comment, &rv.Actor, &rv.At); err != nil {
			return nil, err
		}
		rv.At = rv.At.UTC()
		out = append(out, rv)
	}
	return out, rows.Err()
}
