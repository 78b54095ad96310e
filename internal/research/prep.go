package research

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// The states of a 集体备课: the 主备人 drafts (初备), the group discusses the
// draft (comments, revisions), the shared plan (共案) is published and the
// members make their 二次备课 on it.
const (
	PrepDrafting   = "drafting"
	PrepDiscussing = "discussing"
	PrepPublished  = "published"
)

// Section is one part of a lesson plan (教学目标, 重难点, 教学过程 …).
type Section struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Prep is one 集体备课: a lesson or unit of a research group.
type Prep struct {
	ID               int64       `json:"id"`
	ResearchGroupID  int64       `json:"research_group_id"`
	ResearchGroup    string      `json:"research_group"`
	GroupID          int64       `json:"group_id"`
	Title            string      `json:"title"`
	LeadStaffID      int64       `json:"lead_staff_id"`
	LeadName         string      `json:"lead_name"`
	SessionOn        *store.Date `json:"session_on"`
	SessionPeriods   []int       `json:"session_periods"`
	Status           string      `json:"status" enum:"drafting,discussing,published"`
	CurrentVersion   int         `json:"current_version"`
	PublishedVersion int         `json:"published_version"`
	LeaseName        string      `json:"lease_name"`
	LeaseUntil       *time.Time  `json:"lease_until"`
	leaseUser        int64
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version"`
}

const selectPrep = `SELECT p.id, p.research_group_id, rg.name, rg.group_id, p.title, p.lead_staff_id, ls.name, p.session_on, p.session_periods, p.status,
	p.current_version, p.published_version, p.lease_name, p.lease_until, COALESCE(p.lease_user_id, 0), p.updated_at, p.version
	FROM research_preps p JOIN research_groups rg ON rg.id = p.research_group_id JOIN staff ls ON ls.id = p.lead_staff_id`

func scanPrep(row interface{ Scan(...any) error }) (Prep, error) {
	var p Prep
	var periods string
	var on store.Date
	var until sql.NullTime
	err := row.Scan(&p.ID, &p.ResearchGroupID, &p.ResearchGroup, &p.GroupID, &p.Title, &p.LeadStaffID, &p.LeadName, &on, &periods, &p.Status,
		&p.CurrentVersion, &p.PublishedVersion, &p.LeaseName, &until, &p.leaseUser, &p.UpdatedAt, &p.Version)
	if err != nil {
		return p, err
	}
	if !on.IsZero() {
		p.SessionOn = &on
	}
	if until.Valid {
		t := until.Time.UTC()
		p.LeaseUntil = &t
	}
	p.SessionPeriods = parsePeriods(periods)
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, nil
}

func (s *Service) getPrep(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Prep, error) {
	var w store.Where
	w.Add("p.id = ?", id)
	reachClause(&w, a, auth.PermResearchRead, "rg")
	p, err := scanPrep(q.QueryRowContext(ctx, selectPrep+w.SQL(), w.Args...))
	return p, notFound(err, "prep")
}

// Preps lists the 集体备课 of the research groups in the actor's scope (of
// one research group when given), the newest session first.
func (s *Service) Preps(ctx context.Context, a auth.Actor, researchGroup int64) ([]Prep, error) {
	if !a.Has(auth.PermResearchRead) {
		return nil, errs.ForbiddenError()
	}
	var w store.Where
	reachClause(&w, a, auth.PermResearchRead, "rg")
	if researchGroup != 0 {
		w.Add("p.research_group_id = ?", researchGroup)
	}
	rows, err := s.st.R.QueryContext(ctx, selectPrep+w.SQL()+` ORDER BY p.session_on DESC, p.id DESC`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Prep{}
	for rows.Next() {
		p, err := scanPrep(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PlanVersion is one saved version of the shared plan.
type PlanVersion struct {
	Number     int       `json:"number"`
	Sections   []Section `json:"sections"`
	Link       string    `json:"link"`
	ResourceID *int64    `json:"resource_id"` // the resource library's file, when it holds one
	Note       string    `json:"note"`
	Published  bool      `json:"published"`
	Author     string    `json:"author"`
	CreatedAt  time.Time `json:"created_at"`
}

// Comment is a member's remark on one section of one version.
type Comment struct {
	ID      int64     `json:"id"`
	Version int       `json:"version"`
	Section int       `json:"section"`
	Body    string    `json:"body"`
	Author  string    `json:"author"`
	At      time.Time `json:"at"`
}

// Adaptation is one teacher's 二次备课 of the shared plan, and their 教后反思.
type Adaptation struct {
	ID          int64      `json:"id"`
	StaffID     int64      `json:"staff_id"`
	Name        string     `json:"name"`
	SchoolName  string     `json:"school_name"`
	BasedOn     int        `json:"based_on"`
	Sections    []Section  `json:"sections"`
	Link        string     `json:"link"`
	ResourceID  *int64     `json:"resource_id"`
	Reflection  string     `json:"reflection"`
	ReflectedAt *time.Time `json:"reflected_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int        `json:"version"`
}

// PrepDetail is a 集体备课 with every version, the comments, the
// adaptations, the session's slot check and what the caller may do.
type PrepDetail struct {
	Prep
	Versions    []PlanVersion `json:"versions"`
	Comments    []Comment     `json:"comments"`
	Adaptations []Adaptation  `json:"adaptations"`
	Check       *SlotCheck    `json:"check"`
	Actions     []string      `json:"actions"`
	LeaseMine   bool          `json:"lease_mine"`
}

// may decides what the actor may do on a prep: edit (take the lease, save
// versions) as 主备人 or the research group's leader or office; publish as
// leader or office; comment and adapt as a member.
func (s *Service) may(ctx context.Context, q store.Reader, a auth.Actor, p Prep) (map[string]bool, error) {
	me := self(a)
	var leader int64
	var member int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(leader_staff_id, 0), (SELECT count(*) FROM research_members WHERE research_group_id = $1 AND staff_id = $2)
		FROM research_groups WHERE id = $1`, p.ResearchGroupID, me).Scan(&leader, &member); err != nil {
		return nil, err
	}
	office := manages(a, p.GroupID)
	isLeader := me != 0 && me == leader
	isLead := me != 0 && me == p.LeadStaffID
	isMember := me != 0 && member > 0
	c := map[string]bool{
		"edit":    isLead || isLeader || office,
		"publish": p.CurrentVersion > 0 && (isLeader || office),
		"comment": (isMember || isLeader || office) && p.CurrentVersion > 0,
		"adapt":   isMember && p.PublishedVersion > 0,
	}
	if p.Status == PrepDrafting {
		// 初备 is the 主备人's alone (the office may stand in).
		c["edit"] = isLead || office
	}
	return c, nil
}

var prepActions = []string{"edit", "publish", "comment", "adapt"}

// PrepDetail reads one 集体备课.
func (s *Service) PrepDetail(ctx context.Context, a auth.Actor, id int64) (PrepDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	return s.prepDetail(ctx, s.st.R, a, id)
}

func (s *Service) prepDetail(ctx context.Context, q store.Reader, a auth.Actor, id int64) (PrepDetail, error) {
	p, err := s.getPrep(ctx, q, a, id)
	if err != nil {
		return PrepDetail{}, err
	}
	if p.LeaseUntil != nil && !p.LeaseUntil.After(s.Now()) {
		p.LeaseName, p.LeaseUntil, p.leaseUser = "", nil, 0
	}
	d := PrepDetail{Prep: p, Versions: []PlanVersion{}, Comments: []Comment{}, Adaptations: []Adaptation{}, Actions: []string{}}
	d.LeaseMine = p.leaseUser != 0 && p.leaseUser == a.UserID
	can, err := s.may(ctx, q, a, p)
	if err != nil {
		return d, err
	}
	for _, k := range prepActions {
		if can[k] {
			d.Actions = append(d.Actions, k)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT number, sections, link, resource_id, note, published, author, created_at FROM research_prep_versions WHERE prep_id = $1 ORDER BY number DESC`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var v PlanVersion
		var raw string
		var res sql.NullInt64
		if err := rows.Scan(&v.Number, &raw, &v.Link, &res, &v.Note, &v.Published, &v.Author, &v.CreatedAt); err != nil {
			rows.Close()
			return d, err
		}
		if res.Valid {
			v.ResourceID = &res.Int64
		}
		v.CreatedAt = v.CreatedAt.UTC()
		if err := json.Unmarshal([]byte(raw), &v.Sections); err != nil {
			rows.Close()
			return d, err
		}
		d.Versions = append(d.Versions, v)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, version_number, section, body, author, created_at FROM research_prep_comments WHERE prep_id = $1 ORDER BY id`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.Version, &c.Section, &c.Body, &c.Author, &c.At); err != nil {
			rows.Close()
			return d, err
		}
		c.At = c.At.UTC()
		d.Comments = append(d.Comments, c)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT ad.id, ad.staff_id, st.name, sc.name, ad.based_on, ad.sections, ad.link, ad.resource_id, ad.reflection, ad.reflected_at, ad.updated_at, ad.version
		FROM research_adaptations ad JOIN staff st ON st.id = ad.staff_id JOIN schools sc ON sc.id = st.school_id WHERE ad.prep_id = $1 ORDER BY sc.name, st.name`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var x Adaptation
		var raw string
		var res sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&x.ID, &x.StaffID, &x.Name, &x.SchoolName, &x.BasedOn, &raw, &x.Link, &res, &x.Reflection, &at, &x.UpdatedAt, &x.Version); err != nil {
			rows.Close()
			return d, err
		}
		if res.Valid {
			x.ResourceID = &res.Int64
		}
		if at.Valid {
			t := at.Time.UTC()
			x.ReflectedAt = &t
		}
		x.UpdatedAt = x.UpdatedAt.UTC()
		if err := json.Unmarshal([]byte(raw), &x.Sections); err != nil {
			rows.Close()
			return d, err
		}
		d.Adaptations = append(d.Adaptations, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	if p.SessionOn != nil && len(p.SessionPeriods) > 0 {
		g, err := s.getGroup(ctx, q, auth.SystemActor("research"), p.ResearchGroupID)
		if err != nil {
			return d, err
		}
		c, err := s.check(ctx, q, g, TermOf(*p.SessionOn), isoWeekday(p.SessionOn.Time), p.SessionPeriods)
		if err != nil {
			return d, err
		}
		d.Check = &c
	}
	return d, nil
}

func isoWeekday(t time.Time) int {
	wd := int(t.Weekday())
	if wd == 0 {
		return 7
	}
	return wd
}

// PrepInput schedules a 集体备课: the lesson or unit, the 主备人 (a member)
// and the session's date and periods (normally the research group's slot).
type PrepInput struct {
	ResearchGroupID int64       `json:"research_group_id"`
	Title           string      `json:"title"`
	LeadStaffID     int64       `json:"lead_staff_id"`
	SessionOn       *store.Date `json:"session_on"`
	SessionPeriods  []int       `json:"session_periods" openapi:"nullable"`
}

// CreatePrep schedules a 集体备课; the research group's leader or the
// group's office does. The detail carries the session's slot check, naming
// every member school that is not free then.
func (s *Service) CreatePrep(ctx context.Context, a auth.Actor, in PrepInput) (PrepDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	in.Title = strings.TrimSpace(in.Title)
	set, err := s.settings(ctx)
	if err != nil {
		return PrepDetail{}, err
	}
	var f errs.Fields
	if in.ResearchGroupID == 0 {
		f.Add("research_group_id", "field.required", nil)
	}
	textMax(&f, "title", in.Title, 120, true)
	if in.LeadStaffID == 0 {
		f.Add("lead_staff_id", "field.required", nil)
	}
	var periods []int
	if in.SessionOn != nil {
		periods = checkPeriods(&f, isoWeekday(in.SessionOn.Time), in.SessionPeriods, set.PeriodsPerDay, "session_on", "session_periods")
	}
	if err := f.Err(); err != nil {
		return PrepDetail{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		g, err := s.getGroup(ctx, tx, a, in.ResearchGroupID)
		if err != nil {
			return err
		}
		me := self(a)
		if !manages(a, g.GroupID) && (me == 0 || me != g.LeaderStaffID) {
			return errs.ForbiddenError()
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM research_members WHERE research_group_id = $1 AND staff_id = $2`, g.ID, in.LeadStaffID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.FieldError("lead_staff_id", "research.leader_not_member", nil)
		}
		now := store.Now()
		var on any
		if in.SessionOn != nil {
			on = *in.SessionOn
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO research_preps (research_group_id, title, lead_staff_id, session_on, session_periods, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, g.ID, in.Title, in.LeadStaffID, on, formatPeriods(periods), PrepDrafting, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		p, err := s.getPrep(ctx, tx, auth.SystemActor("research"), id)
		if err != nil {
			return err
		}
		if err := s.notifyStaff(ctx, tx, a, []int64{in.LeadStaffID}, "research.lead_turn", p.Title, prepLink(id), "prep:"+id64(id)+":lead", ""); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.prep_create", ObjectType: "research_prep", ObjectID: id64(id),
			Detail: map[string]any{"after": map[string]any{"research_group_id": g.ID, "title": in.Title, "lead_staff_id": in.LeadStaffID, "session_on": on, "session_periods": periods}}})
	})
	if err != nil {
		return PrepDetail{}, err
	}
	return s.PrepDetail(ctx, a, id)
}

func prepLink(id int64) string { return "/research/preps/" + id64(id) }

// Lease takes (or renews) the one edit lease of the shared plan. Another
// editor's unexpired lease is a conflict naming its holder and its end.
func (s *Service) Lease(ctx context.Context, a auth.Actor, id int64) (PrepDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	set, err := s.settings(ctx)
	if err != nil {
		return PrepDetail{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.getPrep(ctx, tx, a, id)
		if err != nil {
			return err
		}
		can, err := s.may(ctx, tx, a, p)
		if err != nil {
			return err
		}
		if !can["edit"] {
			return errs.New(errs.Forbidden, "research.not_editor", nil)
		}
		now := s.Now()
		until := now.Add(time.Duration(set.LeaseMinutes) * time.Minute)
		// Taken only when free, expired or already the caller's: the
		// condition is in the UPDATE, so two editors racing cannot both win.
		res, err := tx.ExecContext(ctx, `UPDATE research_preps SET lease_user_id = $1, lease_name = $2, lease_until = $3
			WHERE id = $4 AND (lease_user_id IS NULL OR lease_user_id = $1 OR lease_until IS NULL OR lease_until <= $5)`,
			a.UserID, whoName(a), until, id, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.ConflictError("research.lease_held", errs.Args{"holder": p.LeaseName, "until": p.LeaseUntil.Local().Format("15:04")})
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.lease", ObjectType: "research_prep", ObjectID: id64(id),
			Detail: map[string]any{"until": until}})
	})
	if err != nil {
		return PrepDetail{}, err
	}
	return s.PrepDetail(ctx, a, id)
}

// Release gives the edit lease back.
func (s *Service) Release(ctx context.Context, a auth.Actor, id int64) (PrepDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getPrep(ctx, tx, a, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE research_preps SET lease_user_id = NULL, lease_name = '', lease_until = NULL WHERE id = $1 AND lease_user_id = $2`, id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.release", ObjectType: "research_prep", ObjectID: id64(id)})
	})
	if err != nil {
		return PrepDetail{}, err
	}
	return s.PrepDetail(ctx, a, id)
}

// VersionInput is a new version of the shared plan, saved by the lease
// holder on top of the version they read (Base).
type VersionInput struct {
	Base       int       `json:"base"`
	Sections   []Section `json:"sections"`
	Link       string    `json:"link"`
	ResourceID *int64    `json:"resource_id"`
	Note       string    `json:"note"`
	Publish    bool      `json:"publish"` // as the shared plan (共案) the members adapt
	Keep       bool      `json:"keep"`    // keep the lease after saving
}

func checkSections(f *errs.Fields, field string, secs []Section) {
	if len(secs) == 0 || len(secs) > 20 {
		f.Add(field, "research.sections", errs.Args{"max": 20})
	}
	for i := range secs {
		secs[i].Title, secs[i].Body = strings.TrimSpace(secs[i].Title), strings.TrimSpace(secs[i].Body)
		textMax(f, fmt.Sprintf("%s[%d].title", field, i), secs[i].Title, 60, true)
		textMax(f, fmt.Sprintf("%s[%d].body", field, i), secs[i].Body, 20000, false)
	}
}

// SaveVersion saves a version of the shared plan. Only the lease holder may
// save, and only on top of the current version; the first version ends the
// 初备, a published one becomes the 共案.
func (s *Service) SaveVersion(ctx context.Context, a auth.Actor, id int64, in VersionInput) (PrepDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	in.Link, in.Note = strings.TrimSpace(in.Link), strings.TrimSpace(in.Note)
	var f errs.Fields
	checkSections(&f, "sections", in.Sections)
	textMax(&f, "link", in.Link, 500, false)
	textMax(&f, "note", in.Note, 500, false)
	if err := f.Err(); err != nil {
		return PrepDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.getPrep(ctx, tx, a, id)
		if err != nil {
			return err
		}
		can, err := s.may(ctx, tx, a, p)
		if err != nil {
			return err
		}
		if !can["edit"] {
			return errs.New(errs.Forbidden, "research.not_editor", nil)
		}
		if in.Publish && !(can["publish"] || (p.CurrentVersion == 0 && manages(a, p.GroupID))) {
			return errs.New(errs.Forbidden, "research.not_publisher", nil)
		}
		now := s.Now()
		held := p.leaseUser != 0 && p.LeaseUntil != nil && p.LeaseUntil.After(now)
		if !held || p.leaseUser != a.UserID {
			if held {
				return errs.ConflictError("research.lease_held", errs.Args{"holder": p.LeaseName, "until": p.LeaseUntil.Local().Format("15:04")})
			}
			return errs.ConflictError("research.lease_needed", nil)
		}
		if in.Base != p.CurrentVersion {
			return errs.ConflictError("research.plan_moved", errs.Args{"current": p.CurrentVersion})
		}
		number := p.CurrentVersion + 1
		raw, _ := json.Marshal(in.Sections)
		var res any
		if in.ResourceID != nil {
			res = *in.ResourceID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO research_prep_versions (prep_id, number, sections, link, resource_id, note, published, author, user_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, number, string(raw), in.Link, res, in.Note, in.Publish, whoName(a), nullID(a.UserID), now); err != nil {
			return err
		}
		status, published := PrepDiscussing, p.PublishedVersion
		if in.Publish {
			status, published = PrepPublished, number
		}
		lease := `, lease_user_id = NULL, lease_name = '', lease_until = NULL`
		if in.Keep {
			lease = ""
		}
		r, err := tx.ExecContext(ctx, `UPDATE research_preps SET current_version = $1, published_version = $2, status = $3, updated_at = $4, version = version + 1`+lease+`
			WHERE id = $5 AND current_version = $6`, number, published, status, now, id, p.CurrentVersion)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errs.ConflictError("research.plan_moved", errs.Args{"current": p.CurrentVersion})
		}
		if in.Publish {
			var staff []int64
			mr, err := tx.QueryContext(ctx, `SELECT staff_id FROM research_members WHERE research_group_id = $1`, p.ResearchGroupID)
			if err != nil {
				return err
			}
			for mr.Next() {
				var sid int64
				if err := mr.Scan(&sid); err != nil {
					mr.Close()
					return err
				}
				staff = append(staff, sid)
			}
			mr.Close()
			if err := s.notifyStaff(ctx, tx, a, staff, "research.published", p.Title, prepLink(id), fmt.Sprintf("prep:%d:v%d", id, number), ""); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.prep_version", ObjectType: "research_prep", ObjectID: id64(id),
			Detail: map[string]any{"before": map[string]any{"version": p.CurrentVersion, "status": p.Status}, "after": map[string]any{"version": number, "status": status, "sections": len(in.Sections), "published": in.Publish}}})
	})
	if err != nil {
		return PrepDetail{}, err
	}
	return s.PrepDetail(ctx, a, id)
}

// CommentInput is a remark on one section of the current version.
type CommentInput struct {
	Section int    `json:"section"`
	Body    string `json:"body"`
}

// AddComment anchors a member's remark to a section of the current version;
// the 主备人 is told.
func (s *Service) AddComment(ctx context.Context, a auth.Actor, id int64, in CommentInput) (PrepDetail, error) {
	if !a.Has(auth.PermResearchRead) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	in.Body = strings.TrimSpace(in.Body)
	var f errs.Fields
	textMax(&f, "body", in.Body, 2000, true)
	if err := f.Err(); err != nil {
		return PrepDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.getPrep(ctx, tx, a, id)
		if err != nil {
			return err
		}
		can, err := s.may(ctx, tx, a, p)
		if err != nil {
			return err
		}
		if !can["comment"] {
			return errs.New(errs.Forbidden, "research.not_member", nil)
		}
		var raw string
		if err := tx.QueryRowContext(ctx, `SELECT sections FROM research_prep_versions WHERE prep_id = $1 AND number = $2`, id, p.CurrentVersion).Scan(&raw); err != nil {
			return err
		}
		var secs []Section
		if err := json.Unmarshal([]byte(raw), &secs); err != nil {
			return err
		}
		if in.Section < 0 || in.Section >= len(secs) {
			return errs.FieldError("section", "research.section", errs.Args{"max": len(secs) - 1})
		}
		var cid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO research_prep_comments (prep_id, version_number, section, body, author, user_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, p.CurrentVersion, in.Section, in.Body, whoName(a), nullID(a.UserID), s.Now()).Scan(&cid); err != nil {
			return err
		}
		if err := s.notifyStaff(ctx, tx, a, []int64{p.LeadStaffID}, "research.comment", p.Title+" · "+secs[in.Section].Title, prepLink(id), "prep-comment:"+id64(cid), in.Body); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.comment", ObjectType: "research_prep", ObjectID: id64(id),
			Detail: map[string]any{"after": map[string]any{"comment_id": cid, "version": p.CurrentVersion, "section": in.Section}}})
	})
	if err != nil {
		return PrepDetail{}, err
	}
	return s.PrepDetail(ctx, a, id)
}

// AdaptationInput is a member's 二次备课: their own sections on the current
// shared plan, and after teaching their 教后反思.
type AdaptationInput struct {
	Sections   []Section `json:"sections"`
	Link       string    `json:"link"`
	ResourceID *int64    `json:"resource_id"`
	Reflection string    `json:"reflection"`
	Version    int       `json:"version"` // the adaptation's version read; 0 for a new one
}

// SaveAdaptation writes the caller's 二次备课, linked to the published
// shared version; a reflection may be added or revised with it.
func (s *Service) SaveAdaptation(ctx context.Context, a auth.Actor, id int64, in AdaptationInput) (PrepDetail, error) {
	if !a.Has(auth.PermResearchTakePart) {
		return PrepDetail{}, errs.ForbiddenError()
	}
	in.Link, in.Reflection = strings.TrimSpace(in.Link), strings.TrimSpace(in.Reflection)
	var f errs.Fields
	checkSections(&f, "sections", in.Sections)
	textMax(&f, "link", in.Link, 500, false)
	textMax(&f, "reflection", in.Reflection, 5000, false)
	if err := f.Err(); err != nil {
		return PrepDetail{}, err
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.getPrep(ctx, tx, a, id)
		if err != nil {
			return err
		}
		can, err := s.may(ctx, tx, a, p)
		if err != nil {
			return err
		}
		if !can["adapt"] {
			if p.PublishedVersion == 0 {
				return errs.RuleError("research.not_published", "research.not_published", nil)
			}
			return errs.New(errs.Forbidden, "research.not_member", nil)
		}
		me := self(a)
		raw, _ := json.Marshal(in.Sections)
		var res any
		if in.ResourceID != nil {
			res = *in.ResourceID
		}
		now := s.Now()
		var exID, exVersion int
		var exReflection string
		err = tx.QueryRowContext(ctx, `SELECT id, version, reflection FROM research_adaptations WHERE prep_id = $1 AND staff_id = $2`, id, me).Scan(&exID, &exVersion, &exReflection)
		var reflectedAt any
		if in.Reflection != "" {
			reflectedAt = now
		}
		switch {
		case err == sql.ErrNoRows:
			if in.Version != 0 {
				return staleVersion()
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO research_adaptations (prep_id, staff_id, based_on, sections, link, resource_id, reflection, reflected_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, id, me, p.PublishedVersion, string(raw), in.Link, res, in.Reflection, reflectedAt, now); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if in.Version != exVersion {
				return staleVersion()
			}
			if in.Reflection == exReflection {
				reflectedAt = nil
			}
			q := `UPDATE research_adaptations SET based_on = $1, sections = $2, link = $3, resource_id = $4, reflection = $5, updated_at = $6, version = version + 1`
			args := []any{p.PublishedVersion, string(raw), in.Link, res, in.Reflection, now}
			if reflectedAt != nil {
				q += `, reflected_at = $9`
			}
			q += ` WHERE id = $7 AND version = $8`
			args = append(args, exID, exVersion)
			if reflectedAt != nil {
				args = append(args, reflectedAt)
			}
			r, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return staleVersion()
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "research.adaptation", ObjectType: "research_prep", ObjectID: id64(id),
			Detail: map[string]any{"before": map[string]any{"version": exVersion, "reflection": exReflection != ""},
				"after": map[string]any{"based_on": p.PublishedVersion, "sections": len(in.Sections), "reflection": in.Reflection != ""}}})
	})
	if err != nil {
		return PrepDetail{}, err
	}
	return s.PrepDetail(ctx, a, id)
}
