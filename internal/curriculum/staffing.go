package curriculum

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/exchange"
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// SubjectBalance is one school's staffing in one subject for a term:
// demand = Σ (the plan's weekly lessons × classes) over the timetable's
// classes, against the registry's qualified teachers × the standard weekly
// load; shortage or surplus in lessons and in people; and what the
// accepted matches move.
type SubjectBalance struct {
	Subject      string  `json:"subject"`
	Demand       int     `json:"demand"`
	Load         int     `json:"load"`
	Teachers     int     `json:"teachers"`
	Capacity     int     `json:"capacity"`
	Taught       int     `json:"taught"`
	ByOthers     int     `json:"by_others"`
	Shortage     int     `json:"shortage"`
	Surplus      int     `json:"surplus"`
	PeopleNeeded float64 `json:"people_needed"`
	PeopleGap    float64 `json:"people_gap"` // > 0 short, < 0 surplus
	MatchedIn    int     `json:"matched_in"`
	MatchedOut   int     `json:"matched_out"`
	ShortAfter   int     `json:"short_after"`
}

// SchoolBalance is one school's staffing.
type SchoolBalance struct {
	SchoolID   int64            `json:"school_id"`
	SchoolName string           `json:"school_name"`
	Township   string           `json:"township"`
	Stage      string           `json:"stage"`
	Students   int              `json:"students"`
	Published  bool             `json:"published"`
	Subjects   []SubjectBalance `json:"subjects"`
	PETeachers int              `json:"pe_teachers"`
	ArtTeacher int              `json:"art_teachers"`
	PEPer100   float64          `json:"pe_per_100"`
	ArtsPer100 float64          `json:"arts_per_100"`
	PEMet      bool             `json:"pe_met"`
	ArtsMet    bool             `json:"arts_met"`
	Indicator  float64          `json:"indicator"` // the 优质均衡 threshold per 100 pupils
}

// Candidate is a teacher with spare lessons in the subject at another
// school of the group.
type Candidate struct {
	StaffID      int64  `json:"staff_id"`
	Name         string `json:"name"`
	SchoolID     int64  `json:"school_id"`
	SchoolName   string `json:"school_name"`
	Township     string `json:"township"`
	SameTownship bool   `json:"same_township"`
	Taught       int    `json:"taught"`
	Load         int    `json:"load"`
	Spare        int    `json:"spare"`
	Lessons      int    `json:"lessons"` // proposed: min(shortage, spare, the school's surplus)
}

// Shortage is one school's shortage in one subject with its candidates.
type Shortage struct {
	SchoolID   int64       `json:"school_id"`
	SchoolName string      `json:"school_name"`
	Subject    string      `json:"subject"`
	Shortage   int         `json:"shortage"`
	MatchedIn  int         `json:"matched_in"`
	ShortAfter int         `json:"short_after"`
	Candidates []Candidate `json:"candidates"`
}

// Staffing is the balance of the schools in scope, the group's shortages
// with candidates, and the matches.
type Staffing struct {
	Term      string          `json:"term"`
	GroupID   int64           `json:"group_id"`
	Schools   []SchoolBalance `json:"schools"`
	Shortages []Shortage      `json:"shortages"`
	Matches   []Match         `json:"matches"`
	CanMatch  bool            `json:"can_match"`
}

// The modes of a match.
const (
	ModeWalk    = "walk"    // 走教: the teacher teaches some periods at the other school
	ModeSupport = "support" // 支教: the exchange kind of the same name
	ModeOnline  = "online"  // 同步课堂 online
)

// The states of a match.
const (
	MatchProposed  = "proposed"
	MatchAccepted  = "accepted"
	MatchDeclined  = "declined"
	MatchCancelled = "cancelled"
)

// Match is a proposal that a teacher with spare lessons covers another
// school's shortage.
type Match struct {
	ID               int64     `json:"id"`
	GroupID          int64     `json:"group_id"`
	Term             string    `json:"term"`
	NeedSchoolID     int64     `json:"need_school_id"`
	NeedSchoolName   string    `json:"need_school_name"`
	ProviderSchoolID int64     `json:"provider_school_id"`
	ProviderName     string    `json:"provider_school_name"`
	StaffID          int64     `json:"staff_id"`
	StaffName        string    `json:"staff_name"`
	Subject          string    `json:"subject"`
	Lessons          int       `json:"lessons"`
	Mode             string    `json:"mode" enum:"walk,support,online"`
	Status           string    `json:"status" enum:"proposed,accepted,declined,cancelled"`
	NeedOK           bool      `json:"need_ok"`
	ProviderOK       bool      `json:"provider_ok"`
	GroupOK          bool      `json:"group_ok"`
	ExchangeID       int64     `json:"exchange_id"`
	ServiceEntry     bool      `json:"service_entry"`
	Note             string    `json:"note"`
	CreatedBy        string    `json:"created_by"`
	createdByID      int64     // told when it is decided
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version"`
	Actions          []string  `json:"actions"`
}

const selectMatch = `SELECT m.id, m.group_id, m.term, m.need_school_id, ns.name, m.provider_school_id, ps.name, m.staff_id, st.name, m.subject, m.lessons, m.mode,
	m.status, m.need_ok, m.provider_ok, m.group_ok, COALESCE(m.exchange_id, 0), m.service_entry, m.note, COALESCE(u.display_name, ''), COALESCE(m.created_by, 0),
	m.created_at, m.updated_at, m.version
	FROM staffing_matches m JOIN schools ns ON ns.id = m.need_school_id JOIN schools ps ON ps.id = m.provider_school_id JOIN staff st ON st.id = m.staff_id
	LEFT JOIN users u ON u.id = m.created_by`

func scanMatch(row interface{ Scan(...any) error }) (Match, error) {
	var m Match
	err := row.Scan(&m.ID, &m.GroupID, &m.Term, &m.NeedSchoolID, &m.NeedSchoolName, &m.ProviderSchoolID, &m.ProviderName, &m.StaffID, &m.StaffName, &m.Subject,
		&m.Lessons, &m.Mode, &m.Status, &m.NeedOK, &m.ProviderOK, &m.GroupOK, &m.ExchangeID, &m.ServiceEntry, &m.Note, &m.CreatedBy, &m.createdByID,
		&m.CreatedAt, &m.UpdatedAt, &m.Version)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

func queryMatches(ctx context.Context, q store.Reader, a auth.Actor, sqlText string, args ...any) ([]Match, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Match{}
	for rows.Next() {
		m, err := scanMatch(rows)
		if err != nil {
			return nil, err
		}
		m.Actions = matchActions(a, m)
		out = append(out, m)
	}
	return out, rows.Err()
}

// matchVisible narrows matches m to the actor: the county, the group's, or
// either side a school.
func matchVisible(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermCurriculumRead)
	if r.County {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "m.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		in := w.In(r.Schools)
		alts = append(alts, "m.need_school_id IN "+in+" OR m.provider_school_id IN "+in)
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// matchActions: what the actor may do to a match now.
func matchActions(a auth.Actor, m Match) []string {
	out := []string{}
	if m.Status != MatchProposed {
		return out
	}
	r := a.Reach(auth.PermStaffingMatch)
	can := false
	if !m.GroupOK && r.Group(m.GroupID) {
		out, can = append(out, "accept_group"), true
	}
	if !m.NeedOK && r.School(m.NeedSchoolID) {
		out, can = append(out, "accept_need"), true
	}
	// The provider school releases its teacher last, once the school that
	// is short and the group have agreed: its acceptance writes the 支教
	// application or the 兼课指导 entry, which are its to make.
	if !m.ProviderOK && r.School(m.ProviderSchoolID) && ((m.NeedOK || r.School(m.NeedSchoolID)) && (m.GroupOK || r.Group(m.GroupID))) {
		out, can = append(out, "accept_provider"), true
	}
	if !m.ProviderOK && r.School(m.ProviderSchoolID) && !can {
		can = true // may still decline before the others agree
	}
	if can {
		out = append(out, "decline")
	}
	if r.Group(m.GroupID) || (m.createdByID != 0 && m.createdByID == a.UserID) {
		out = append(out, "cancel")
	}
	return out
}

// loadStage is the 学段 whose standard load a school's teachers carry.
func loadStage(stage string) string {
	if stage == "junior" || stage == "senior" {
		return "junior"
	}
	return "primary"
}

type schoolInfo struct {
	id                     int64
	name, township, stage  string
	students               int
	published              bool
	lessons                []Lesson
	staff                  map[int64]string
	names                  map[int64]string
	taught                 map[int64]int
	balance                map[string]*SubjectBalance
	peTeachers, artTeacher int
}

// balanceOf computes one school's balance from its timetable in force.
func (s *Service) balanceOf(ctx context.Context, q store.Reader, plan Plan, cfg policy.Curriculum, schoolID int64, term string) (*schoolInfo, error) {
	si := &schoolInfo{id: schoolID, staff: map[int64]string{}, names: map[int64]string{}, taught: map[int64]int{}, balance: map[string]*SubjectBalance{}}
	err := q.QueryRowContext(ctx, `SELECT s.name, t.name, s.stage, s.students FROM schools s JOIN townships t ON t.id = s.township_id WHERE s.id = $1`, schoolID).
		Scan(&si.name, &si.township, &si.stage, &si.students)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundError("school")
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name, subject FROM staff WHERE school_id = $1 AND status = 'active' AND post = 'teacher'`, schoolID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var name, sub string
		if err := rows.Scan(&id, &name, &sub); err != nil {
			rows.Close()
			return nil, err
		}
		si.staff[id], si.names[id] = sub, name
		switch sub {
		case "体育与健康":
			si.peTeachers++
		case "音乐", "美术":
			si.artTeacher++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	id, err := inForce(ctx, q, schoolID, term, s.Today())
	if err != nil {
		return nil, err
	}
	si.published = id != 0
	if id != 0 {
		if si.lessons, err = lessonsOf(ctx, q, id); err != nil {
			return nil, err
		}
	}
	classes := map[string]int{}
	for _, l := range si.lessons {
		classes[l.Class] = l.Grade
		si.taught[l.StaffID]++
	}
	load := func(sub string) int { return max(1, cfg.LoadFor(loadStage(si.stage), sub)) }
	for _, sub := range plan.Subjects {
		if sub.AnyTeacher {
			continue
		}
		b := &SubjectBalance{Subject: sub.Name, Load: load(sub.Name)}
		for _, g := range classes {
			if sub.Opens(g) {
				b.Demand += sub.Weekly[g-1]
			}
		}
		for _, st := range si.staff {
			if sub.QualifiedBy(st) {
				b.Teachers++
			}
		}
		for _, l := range si.lessons {
			if l.Subject != sub.Name {
				continue
			}
			b.Taught++
			if !sub.QualifiedBy(si.staff[l.StaffID]) {
				b.ByOthers++
			}
		}
		b.Capacity = b.Teachers * b.Load
		if d := b.Demand - b.Capacity; d > 0 {
			b.Shortage = d
		} else {
			b.Surplus = -d
		}
		b.PeopleNeeded = round1(float64(b.Demand) / float64(b.Load))
		b.PeopleGap = round1(b.PeopleNeeded - float64(b.Teachers))
		si.balance[sub.Name] = b
	}
	return si, nil
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// groupSchools is the current member schools of a group.
func groupSchools(ctx context.Context, q store.Reader, groupID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.school_id FROM group_members m JOIN schools s ON s.id = m.school_id
		WHERE m.group_id = $1 AND m.left_on IS NULL AND s.status = 'active' AND s.stage <> 'preschool' ORDER BY m.school_id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// StaffingQuery picks the term and the group (or one school).
type StaffingQuery struct {
	Term     string
	GroupID  int64
	SchoolID int64
}

// Staffing is the staffing balance of a group's schools (or one school's)
// for a term: shortages and surpluses, the 体育/艺术 indicator, the
// shortages with candidates from the group's other schools, the matches,
// and the shortages before and after the accepted ones.
func (s *Service) Staffing(ctx context.Context, a auth.Actor, sq StaffingQuery) (Staffing, error) {
	if !a.Has(auth.PermCurriculumRead) {
		return Staffing{}, errs.ForbiddenError()
	}
	if sq.Term == "" {
		sq.Term = TermOf(s.Today())
	}
	if !ValidTerm(sq.Term) {
		return Staffing{}, errs.FieldError("term", "curriculum.term", nil)
	}
	r := a.Reach(auth.PermCurriculumRead)
	if sq.GroupID == 0 && sq.SchoolID == 0 {
		switch {
		case len(r.Groups) > 0:
			sq.GroupID = r.Groups[0]
		case len(r.Schools) > 0:
			sq.SchoolID = r.Schools[0]
		default:
			return Staffing{}, errs.FieldError("group_id", "field.required", nil)
		}
	}
	if sq.GroupID == 0 {
		gs, err := groupsOf(ctx, s.st.R, sq.SchoolID)
		if err != nil {
			return Staffing{}, err
		}
		ok, err := reaches(ctx, s.st.R, a, auth.PermCurriculumRead, sq.SchoolID)
		if err != nil {
			return Staffing{}, err
		}
		if !ok {
			return Staffing{}, errs.NotFoundError("school")
		}
		if len(gs) > 0 {
			sq.GroupID = gs[0]
		}
	} else if !r.Group(sq.GroupID) {
		return Staffing{}, errs.NotFoundError("group")
	}
	cfg, err := s.settings(ctx)
	if err != nil {
		return Staffing{}, err
	}
	plan, err := s.planInForce(ctx, s.st.R)
	if err != nil {
		return Staffing{}, err
	}
	out := Staffing{Term: sq.Term, GroupID: sq.GroupID, Schools: []SchoolBalance{}, Shortages: []Shortage{}, Matches: []Match{},
		CanMatch: a.Reach(auth.PermStaffingMatch).Group(sq.GroupID)}
	var ids []int64
	if sq.GroupID != 0 {
		if ids, err = groupSchools(ctx, s.st.R, sq.GroupID); err != nil {
			return out, err
		}
	} else {
		ids = []int64{sq.SchoolID}
	}
	infos := map[int64]*schoolInfo{}
	for _, id := range ids {
		si, err := s.balanceOf(ctx, s.st.R, plan, cfg, id, sq.Term)
		if err != nil {
			return out, err
		}
		infos[id] = si
	}
	var w store.Where
	w.Add("m.term = ?", sq.Term)
	if sq.GroupID != 0 {
		w.Add("m.group_id = ?", sq.GroupID)
	} else {
		w.Add("(m.need_school_id = ? OR m.provider_school_id = ?)", sq.SchoolID, sq.SchoolID)
	}
	matchVisible(&w, a)
	if out.Matches, err = queryMatches(ctx, s.st.R, a, selectMatch+w.SQL()+` ORDER BY m.id DESC`, w.Args...); err != nil {
		return out, err
	}
	// Lessons already promised by open or accepted matches, per teacher.
	promised := map[int64]int{}
	for _, m := range out.Matches {
		if m.Status == MatchAccepted {
			if si := infos[m.NeedSchoolID]; si != nil && si.balance[m.Subject] != nil {
				si.balance[m.Subject].MatchedIn += m.Lessons
			}
			if si := infos[m.ProviderSchoolID]; si != nil && si.balance[m.Subject] != nil {
				si.balance[m.Subject].MatchedOut += m.Lessons
			}
		}
		if m.Status == MatchAccepted || m.Status == MatchProposed {
			promised[m.StaffID] += m.Lessons
		}
	}
	for _, id := range ids {
		si := infos[id]
		if sq.SchoolID != 0 && sq.GroupID != 0 && id != sq.SchoolID {
			continue
		}
		sb := SchoolBalance{SchoolID: id, SchoolName: si.name, Township: si.township, Stage: si.stage, Students: si.students, Published: si.published,
			Subjects: []SubjectBalance{}, PETeachers: si.peTeachers, ArtTeacher: si.artTeacher, Indicator: float64(cfg.PEArtsPer100) / 100}
		if si.students > 0 {
			sb.PEPer100 = round2(float64(si.peTeachers) * 100 / float64(si.students))
			sb.ArtsPer100 = round2(float64(si.artTeacher) * 100 / float64(si.students))
		}
		sb.PEMet, sb.ArtsMet = sb.PEPer100 >= sb.Indicator, sb.ArtsPer100 >= sb.Indicator
		for _, sub := range plan.Subjects {
			b := si.balance[sub.Name]
			if b == nil {
				continue
			}
			b.ShortAfter = max(0, b.Shortage-b.MatchedIn)
			sb.Subjects = append(sb.Subjects, *b)
			if b.Shortage > 0 {
				out.Shortages = append(out.Shortages, s.shortage(plan, infos, ids, si, *b, promised))
			}
		}
		out.Schools = append(out.Schools, sb)
	}
	return out, nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// shortage lists the candidates for one school's shortage: qualified
// teachers of the group's other schools whose school has a surplus in the
// subject and who have spare lessons after what they teach and what open
// matches promise; same township first, then the most spare.
func (s *Service) shortage(plan Plan, infos map[int64]*schoolInfo, ids []int64, need *schoolInfo, b SubjectBalance, promised map[int64]int) Shortage {
	sh := Shortage{SchoolID: need.id, SchoolName: need.name, Subject: b.Subject, Shortage: b.Shortage, MatchedIn: b.MatchedIn,
		ShortAfter: max(0, b.Shortage-b.MatchedIn), Candidates: []Candidate{}}
	sub, _ := plan.SubjectByName(b.Subject)
	for _, id := range ids {
		p := infos[id]
		if id == need.id || p.balance[b.Subject] == nil {
			continue
		}
		pb := p.balance[b.Subject]
		surplus := pb.Surplus - pb.MatchedOut
		if surplus <= 0 {
			continue
		}
		for staffID, st := range p.staff {
			if !sub.QualifiedBy(st) {
				continue
			}
			spare := pb.Load - p.taught[staffID] - promised[staffID]
			if spare <= 0 {
				continue
			}
			c := Candidate{StaffID: staffID, Name: p.names[staffID], SchoolID: id, SchoolName: p.name, Township: p.township, SameTownship: p.township == need.township,
				Taught: p.taught[staffID], Load: pb.Load, Spare: spare, Lessons: min(max(sh.ShortAfter, 1), spare, surplus)}
			sh.Candidates = append(sh.Candidates, c)
		}
	}
	sort.Slice(sh.Candidates, func(i, j int) bool {
		x, y := sh.Candidates[i], sh.Candidates[j]
		if x.SameTownship != y.SameTownship {
			return x.SameTownship
		}
		if x.Spare != y.Spare {
			return x.Spare > y.Spare
		}
		return x.StaffID < y.StaffID
	})
	if len(sh.Candidates) > 10 {
		sh.Candidates = sh.Candidates[:10]
	}
	return sh
}

func groupsOf(ctx context.Context, q store.Reader, schoolID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL ORDER BY group_id`, schoolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// MatchInput proposes a match: a teacher of one member school covers
// lessons of a subject at another, as 走教, 支教 or online.
type MatchInput struct {
	Term         string `json:"term"`
	NeedSchoolID int64  `json:"need_school_id"`
	StaffID      int64  `json:"staff_id"`
	Subject      string `json:"subject"`
	Lessons      int    `json:"lessons"`
	Mode         string `json:"mode"`
	Note         string `json:"note"`
}

// RuleSameGroup: both schools must be members of the group now.
const RuleSameGroup = "curriculum.match.same_group"

// Propose records a match proposal. The group proposes across its schools
// (its own acceptance given), or the school that is short proposes to the
// group (its own given).
func (s *Service) Propose(ctx context.Context, a auth.Actor, in MatchInput) (Match, error) {
	if !a.Has(auth.PermStaffingMatch) {
		return Match{}, errs.ForbiddenError()
	}
	in.Subject, in.Note, in.Term = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Note), strings.TrimSpace(in.Term)
	var f errs.Fields
	if !ValidTerm(in.Term) {
		f.Add("term", "curriculum.term", nil)
	}
	if in.NeedSchoolID == 0 {
		f.Add("need_school_id", "field.required", nil)
	}
	if in.StaffID == 0 {
		f.Add("staff_id", "field.required", nil)
	}
	if in.Lessons < 1 || in.Lessons > 30 {
		f.Add("lessons", "policy.range", errs.Args{"min": 1, "max": 30})
	}
	if in.Mode != ModeWalk && in.Mode != ModeSupport && in.Mode != ModeOnline {
		f.Add("mode", "curriculum.mode", nil)
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "field.max", errs.Args{"max": 500})
	}
	plan := Anhui()
	sub, ok := plan.SubjectByName(in.Subject)
	if !ok {
		f.Add("subject", RuleSubjectUnknown, errs.Args{"subject": in.Subject})
	}
	if err := f.Err(); err != nil {
		return Match{}, err
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var provider int64
		var staffSubject, status string
		err := tx.QueryRowContext(ctx, `SELECT school_id, subject, status FROM staff WHERE id = $1`, in.StaffID).Scan(&provider, &staffSubject, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundError("staff")
		}
		if err != nil {
			return err
		}
		if status != "active" {
			return errs.FieldError("staff_id", "curriculum.staff_inactive", nil)
		}
		if provider == in.NeedSchoolID {
			return errs.FieldError("staff_id", "curriculum.match.same_school", nil)
		}
		if !sub.QualifiedBy(staffSubject) {
			return errs.FieldError("staff_id", "curriculum.match.unqualified", errs.Args{"subject": in.Subject, "staff_subject": staffSubject})
		}
		ng, err := groupsOf(ctx, tx, in.NeedSchoolID)
		if err != nil {
			return err
		}
		pg, err := groupsOf(ctx, tx, provider)
		if err != nil {
			return err
		}
		var group int64
		for _, g := range ng {
			for _, h := range pg {
				if g == h {
					group = g
				}
			}
		}
		if group == 0 {
			return errs.RuleError(RuleSameGroup, RuleSameGroup, nil)
		}
		r := a.Reach(auth.PermStaffingMatch)
		groupOK, needOK := r.Group(group), r.School(in.NeedSchoolID)
		if !groupOK && !needOK {
			return errs.NotFoundError("school")
		}
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO staffing_matches (group_id, term, need_school_id, provider_school_id, staff_id, subject, lessons, mode, status,
			need_ok, group_ok, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			group, in.Term, in.NeedSchoolID, provider, in.StaffID, in.Subject, in.Lessons, in.Mode, MatchProposed, needOK, groupOK, in.Note, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		m, err := getMatch(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.notifyMatch(ctx, tx, a, m, MatchProposed); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staffing.propose", ObjectType: "staffing_match", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"after": map[string]any{"group_id": group, "term": in.Term, "need_school_id": in.NeedSchoolID, "provider_school_id": provider,
				"staff_id": in.StaffID, "subject": in.Subject, "lessons": in.Lessons, "mode": in.Mode}}})
	})
	if err != nil {
		return Match{}, err
	}
	return getMatch(ctx, s.st.R, a, id)
}

func getMatch(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Match, error) {
	var w store.Where
	w.Add("m.id = ?", id)
	matchVisible(&w, a)
	ms, err := queryMatches(ctx, q, a, selectMatch+w.SQL(), w.Args...)
	if err != nil {
		return Match{}, err
	}
	if len(ms) == 0 {
		return Match{}, errs.NotFoundError("match")
	}
	return ms[0], nil
}

// MatchStep is the body of accept, decline and cancel.
type MatchStep struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

// Accept gives every acceptance the actor may give (the group's, a
// school's). The provider school's comes last and makes the match accepted: a 支教 match
// becomes a 支教 application of the exchange workflow (a draft for the
// provider school to submit), a 走教 or online match a 兼课指导 entry of the
// teacher's service record, so it counts for 四(三)2.
func (s *Service) Accept(ctx context.Context, a auth.Actor, id int64, in MatchStep) (Match, error) {
	if !a.Has(auth.PermStaffingMatch) {
		return Match{}, errs.ForbiddenError()
	}
	m, err := getMatch(ctx, s.st.R, a, id)
	if err != nil {
		return Match{}, err
	}
	if m.Version != in.Version {
		return Match{}, errs.ConflictError("error.stale_version", nil)
	}
	acts := map[string]bool{}
	for _, x := range m.Actions {
		acts[x] = true
	}
	if !acts["accept_group"] && !acts["accept_need"] && !acts["accept_provider"] {
		return Match{}, errs.ConflictError("curriculum.match.wrong_state", errs.Args{"status": m.Status})
	}
	groupOK, needOK, providerOK := m.GroupOK || acts["accept_group"], m.NeedOK || acts["accept_need"], m.ProviderOK || acts["accept_provider"]
	done := groupOK && needOK && providerOK
	var exchangeID int64
	entry := false
	version := in.Version
	if done {
		// The final acceptance first claims the match (its version moves on),
		// so of two acceptances at once only one goes on to make the link:
		// the other is refused here, before it has written anything.
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE staffing_matches SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND status = $4`,
				store.Now(), id, in.Version, m.Status)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.ConflictError("error.stale_version", nil)
			}
			return nil
		})
		if err != nil {
			return Match{}, err
		}
		version++
		// The link is made next, through the exchange service and its
		// own rules, so a teacher the exchange refuses (inactive, no longer
		// in the group) leaves the match open rather than accepted.
		cfg, err := s.settings(ctx)
		if err != nil {
			return Match{}, err
		}
		today := s.Today()
		end := TermEnd(cfg, m.Term)
		if end.Before(today.Time) {
			end = today
		}
		desc := modeLabel(m.Mode) + " " + m.Subject + " 每周" + strconv.Itoa(m.Lessons) + "课时（集团师资调配，" + m.Term + "）"
		if m.Mode == ModeSupport {
			pv, err := s.pol.InForce(ctx, today)
			if err != nil {
				return Match{}, err
			}
			d, err := s.ex.Create(ctx, a, exchange.Input{Kind: exchange.KindSupport, StaffID: m.StaffID, HostSchoolID: m.NeedSchoolID,
				StartOn: today, EndOn: store.Date{Time: today.AddDate(0, 0, pv.Settings.Exchange.SupportMinDays)}, Purpose: desc})
			if err != nil {
				return Match{}, err
			}
			exchangeID = d.ID
		} else {
			if _, err := s.ex.AddServiceEntry(ctx, a, m.StaffID, exchange.ServiceEntryInput{Kind: "teaching", SchoolID: m.NeedSchoolID,
				StartOn: today, EndOn: end, Description: desc}); err != nil {
				return Match{}, err
			}
			entry = true
		}
	}
	status := m.Status
	if done {
		status = MatchAccepted
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staffing_matches SET group_ok = $1, need_ok = $2, provider_ok = $3, status = $4, exchange_id = $5, service_entry = $6,
			updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9`, groupOK, needOK, providerOK, status, nullID(exchangeID), entry, store.Now(), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.ConflictError("error.stale_version", nil)
		}
		if done {
			if err := s.notifyMatch(ctx, tx, a, m, MatchAccepted); err != nil {
				return err
			}
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staffing.accept", ObjectType: "staffing_match", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"group_ok": groupOK, "need_ok": needOK, "provider_ok": providerOK, "status": status, "exchange_id": exchangeID, "service_entry": entry}})
	})
	if err != nil {
		return Match{}, err
	}
	return getMatch(ctx, s.st.R, a, id)
}

func modeLabel(mode string) string {
	switch mode {
	case ModeSupport:
		return "支教"
	case ModeOnline:
		return "线上同步课堂"
	}
	return "走教"
}

// Decline refuses a proposal as one of its parties; Cancel withdraws it as
// the group or its proposer.
func (s *Service) Decline(ctx context.Context, a auth.Actor, id int64, in MatchStep) (Match, error) {
	return s.close(ctx, a, id, in, "decline", MatchDeclined)
}

// Cancel withdraws a proposal.
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64, in MatchStep) (Match, error) {
	return s.close(ctx, a, id, in, "cancel", MatchCancelled)
}

func (s *Service) close(ctx context.Context, a auth.Actor, id int64, in MatchStep, action, to string) (Match, error) {
	if !a.Has(auth.PermStaffingMatch) {
		return Match{}, errs.ForbiddenError()
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 500 {
		return Match{}, errs.FieldError("note", "field.max", errs.Args{"max": 500})
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		m, err := getMatch(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if m.Version != in.Version {
			return errs.ConflictError("error.stale_version", nil)
		}
		ok := false
		for _, x := range m.Actions {
			ok = ok || x == action
		}
		if !ok {
			return errs.ConflictError("curriculum.match.wrong_state", errs.Args{"status": m.Status})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staffing_matches SET status = $1, note = CASE WHEN $2 = '' THEN note ELSE $2 END, updated_at = $3, version = version + 1 WHERE id = $4`,
			to, in.Note, store.Now(), id); err != nil {
			return err
		}
		if err := s.notifyMatch(ctx, tx, a, m, to); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "staffing." + action, ObjectType: "staffing_match", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"from": m.Status, "to": to, "note": in.Note}})
	})
	if err != nil {
		return Match{}, err
	}
	return getMatch(ctx, s.st.R, a, id)
}

// notifyMatch tells the parties: a proposal goes to both schools' admins
// and the group's; a decision to the proposer and both schools.
func (s *Service) notifyMatch(ctx context.Context, tx *sql.Tx, a auth.Actor, m Match, to string) error {
	if s.Notices == nil {
		return nil
	}
	var users []int64
	for _, sid := range []int64{m.NeedSchoolID, m.ProviderSchoolID} {
		ids, err := workbench.UsersWithGrant(ctx, tx, auth.SchoolAdmin, auth.ScopeSchool, sid)
		if err != nil {
			return err
		}
		users = append(users, ids...)
	}
	if to == MatchProposed {
		ids, err := workbench.UsersWithGrant(ctx, tx, auth.GroupAdmin, auth.ScopeGroup, m.GroupID)
		if err != nil {
			return err
		}
		users = append(users, ids...)
	} else if m.createdByID != 0 {
		users = append(users, m.createdByID)
	}
	key := "staffing:" + strconv.FormatInt(m.ID, 10) + ":" + to
	var out []workbench.Notice
	seen := map[int64]bool{a.UserID: true}
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, workbench.Notice{UserID: u, EventKey: key, Kind: "staffing." + to, Subject: m.StaffName + " → " + m.NeedSchoolName + " · " + m.Subject,
			Link: "/curriculum/staffing?group_id=" + strconv.FormatInt(m.GroupID, 10)})
	}
	return s.Notices.Post(ctx, tx, out...)
}
