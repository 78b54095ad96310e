package governance

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// RuleInput creates a rule of a group with its first draft.
type RuleInput struct {
	GroupID  int64     `json:"group_id"`
	Title    string    `json:"title"`
	Category string    `json:"category"`
	Articles []Article `json:"articles"`
	Note     string    `json:"note"`
}

// DraftInput saves the draft of the next version; version is the rule's
// version read.
type DraftInput struct {
	Version  int       `json:"version"`
	Title    string    `json:"title"`
	Category string    `json:"category"`
	Articles []Article `json:"articles"`
	Note     string    `json:"note"`
}

// PublishInput publishes the draft: the date it takes effect (today when
// empty) and the date by which every member school confirms (the policy's
// number of days after today when empty).
type PublishInput struct {
	Version     int        `json:"version"`
	EffectiveOn store.Date `json:"effective_on"`
	ConfirmBy   store.Date `json:"confirm_by"`
}

// AnswerInput is a school's answer to the published version no.
type AnswerInput struct {
	VersionNo int    `json:"version_no"`
	Decision  string `json:"decision" enum:"adopt,object"`
	Reason    string `json:"reason"`
}

// ReplyInput is the group's answer to a school's objection to version no.
type ReplyInput struct {
	VersionNo int    `json:"version_no"`
	Reply     string `json:"reply"`
}

// RuleDetail is a rule with every version the caller may read (drafts only
// for the group), the board of the schools' answers to the current version
// and what the caller may do.
type RuleDetail struct {
	Rule     Rule       `json:"rule"`
	Versions []Version  `json:"versions"`
	Board    []Adoption `json:"board"`
	// Actions: edit, publish, reply (the group); answer (a member school
	// whose answer is pending or objected).
	Actions []string `json:"actions"`
}

// RuleFilter narrows the list of rules.
type RuleFilter struct {
	GroupID  int64
	Category string
	// Status: pending (some school of the caller's has not answered the
	// current version), objected, adopted (every school has), draft (a
	// draft is being written).
	Status string
	Q      string
	Sort   string // updated (default, newest first), title, category
	Page   int
	Size   int
}

const (
	maxTitle   = 100
	maxText    = 5000
	maxNote    = 500
	maxReason  = 500
	maxHeading = 100
)

// countFilter is the condition on rule_adoptions ad that keeps the schools
// the actor sees the answers of.
func countFilter(w *store.Where, a auth.Actor) string {
	r := a.Reach(auth.PermRulesRead)
	if r.County {
		return "1 = 1"
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "r.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "ad.school_id IN "+w.In(r.Schools))
	}
	if len(alts) == 0 {
		return "1 = 0"
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// selectRule is the rule query with the counts narrowed to the actor; its
// arguments are the first of w.
func selectRule(w *store.Where, a auth.Actor) string {
	count := func(status string) string {
		return `(SELECT count(*) FROM rule_adoptions ad WHERE ad.rule_version_id = cv.id AND ad.status = '` + status + `' AND ` + countFilter(w, a) + `)`
	}
	draft := `COALESCE((SELECT max(d.no) FROM rule_versions d WHERE d.rule_id = r.id AND d.status = 'draft'), 0)`
	return `SELECT r.id, r.group_id, g.name, r.title, r.category, r.updated_at, r.version, COALESCE(cv.no, 0), cv.effective_on, cv.confirm_by, ` + draft + `, ` +
		count(Adopted) + `, ` + count(Pending) + `, ` + count(Objected) + `
		FROM rules r JOIN edu_groups g ON g.id = r.group_id LEFT JOIN rule_versions cv ON cv.rule_id = r.id AND cv.status = 'published'`
}

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	err := row.Scan(&r.ID, &r.GroupID, &r.GroupName, &r.Title, &r.Category, &r.UpdatedAt, &r.Version, &r.Current, &r.EffectiveOn, &r.ConfirmBy, &r.Draft,
		&r.Adopted, &r.Pending, &r.Objected)
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, err
}

// visibleRules narrows a query on rules r to the actor's scope: the county,
// the groups led, and for a school the rules with a published version of a
// group it is a member of now.
func visibleRules(w *store.Where, a auth.Actor) {
	r := a.Reach(auth.PermRulesRead)
	if r.County {
		return
	}
	var alts []string
	if len(r.Groups) > 0 {
		alts = append(alts, "r.group_id IN "+w.In(r.Groups))
	}
	if len(r.Schools) > 0 {
		alts = append(alts, "(r.group_id IN (SELECT group_id FROM group_members WHERE left_on IS NULL AND school_id IN "+w.In(r.Schools)+
			") AND EXISTS (SELECT 1 FROM rule_versions pv WHERE pv.rule_id = r.id AND pv.status <> 'draft'))")
	}
	if len(alts) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// wholeGroup: the actor reads every school's answers and the drafts (the
// county, the group's own grant).
func wholeGroup(a auth.Actor, group int64) bool { return a.Reach(auth.PermRulesRead).Group(group) }

// manages: the actor writes the group's rules.
func manages(a auth.Actor, group int64) bool {
	return a.Has(auth.PermRulesManage) && a.Reach(auth.PermRulesManage).Group(group)
}

// answers: the actor answers for school.
func answers(a auth.Actor, school int64) bool {
	return a.Has(auth.PermRulesAdopt) && a.Reach(auth.PermRulesAdopt).School(school)
}

func (s *Service) getRule(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Rule, error) {
	var w store.Where
	text := selectRule(&w, a)
	w.Add("r.id = ?", id)
	visibleRules(&w, a)
	r, err := scanRule(q.QueryRowContext(ctx, text+w.SQL(), w.Args...))
	if err != nil {
		return r, notFound(err, "rule")
	}
	if !wholeGroup(a, r.GroupID) {
		r.Draft = 0
	}
	return r, nil
}

// validate checks a rule's text against the settings, naming each field.
func validate(set policy.Rulebook, title, category, note string, articles []Article) ([]Article, error) {
	var f errs.Fields
	if title == "" || len([]rune(title)) > maxTitle {
		f.Add("title", "field.required_max", errs.Args{"max": maxTitle})
	}
	if !slices.ContainsFunc(set.Categories, func(c policy.Code) bool { return c.Code == category }) {
		var codes []string
		for _, c := range set.Categories {
			codes = append(codes, c.Code)
		}
		f.Add("category", "field.one_of", errs.Args{"values": strings.Join(codes, ", ")})
	}
	if len([]rune(note)) > maxNote {
		f.Add("note", "field.max", errs.Args{"max": maxNote})
	}
	if len(articles) == 0 {
		f.Add("articles", "rulebook.articles_empty", nil)
	}
	if len(articles) > set.MaxArticles {
		f.Add("articles", "rulebook.articles_max", errs.Args{"max": set.MaxArticles})
	}
	out := make([]Article, 0, len(articles))
	for i, ar := range articles {
		ar.Heading, ar.Text = trim(ar.Heading), trim(ar.Text)
		if len([]rune(ar.Heading)) > maxHeading {
			f.Add(fmt.Sprintf("articles[%d].heading", i), "field.max", errs.Args{"max": maxHeading})
		}
		if ar.Text == "" || len([]rune(ar.Text)) > maxText {
			f.Add(fmt.Sprintf("articles[%d].text", i), "field.required_max", errs.Args{"max": maxText})
		}
		out = append(out, ar)
	}
	return out, f.Err()
}

// Create starts a rule of a group with its first draft (the group admin).
func (s *Service) Create(ctx context.Context, a auth.Actor, in RuleInput) (RuleDetail, error) {
	if in.GroupID == 0 {
		return RuleDetail{}, errs.FieldError("group_id", "field.required", nil)
	}
	if !manages(a, in.GroupID) {
		return RuleDetail{}, errs.NotFoundError("group")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return RuleDetail{}, err
	}
	in.Title, in.Category, in.Note = trim(in.Title), trim(in.Category), trim(in.Note)
	arts, err := validate(set, in.Title, in.Category, in.Note, in.Articles)
	if err != nil {
		return RuleDetail{}, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		now := store.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO rules (group_id, title, category, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			in.GroupID, in.Title, in.Category, nullID(a.UserID), now).Scan(&id); err != nil {
			return err
		}
		body, _ := json.Marshal(arts)
		if _, err := tx.ExecContext(ctx, `INSERT INTO rule_versions (rule_id, no, title, category, articles, note, status, created_at, updated_at)
			VALUES ($1, 1, $2, $3, $4, $5, 'draft', $6, $6)`, id, in.Title, in.Category, string(body), in.Note, now); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "rulebook.rule.create", ObjectType: "rule", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"after": map[string]any{"group_id": in.GroupID, "title": in.Title, "category": in.Category, "articles": arts, "note": in.Note}}})
	})
	if err != nil {
		return RuleDetail{}, err
	}
	return s.Detail(ctx, a, id)
}

// step runs one write on rule id in one transaction: the rule read in scope,
// the change, the audit record with before and after.
func (s *Service) step(ctx context.Context, a auth.Actor, id int64, action string, fn func(tx *sql.Tx, r Rule) (before, after map[string]any, err error)) (RuleDetail, error) {
	if !a.Has(auth.PermRulesRead) {
		return RuleDetail{}, errs.ForbiddenError()
	}
	var out RuleDetail
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.getRule(ctx, tx, a, id)
		if err != nil {
			return err
		}
		before, after, err := fn(tx, r)
		if err != nil {
			return err
		}
		if out, err = s.detail(ctx, tx, a, id); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "rulebook." + action, ObjectType: "rule", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"group_id": r.GroupID, "before": before, "after": after}})
	})
	return out, err
}

// bump moves the rule's version on under the version read.
func bump(ctx context.Context, tx *sql.Tx, r Rule, version int, sets string, args ...any) error {
	if version != r.Version {
		return stale()
	}
	q := `UPDATE rules SET updated_at = $1, version = version + 1` + sets + ` WHERE id = $2 AND version = $3`
	res, err := tx.ExecContext(ctx, q, append([]any{store.Now(), r.ID, r.Version}, args...)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return stale()
	}
	return nil
}

// SaveDraft writes the draft of the rule's next version: the draft there
// is, or a new one after the published version.
func (s *Service) SaveDraft(ctx context.Context, a auth.Actor, id int64, in DraftInput) (RuleDetail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return RuleDetail{}, err
	}
	in.Title, in.Category, in.Note = trim(in.Title), trim(in.Category), trim(in.Note)
	return s.step(ctx, a, id, "draft.save", func(tx *sql.Tx, r Rule) (map[string]any, map[string]any, error) {
		if !manages(a, r.GroupID) {
			return nil, nil, errs.ForbiddenError()
		}
		if in.Version != r.Version {
			return nil, nil, stale()
		}
		arts, err := validate(set, in.Title, in.Category, in.Note, in.Articles)
		if err != nil {
			return nil, nil, err
		}
		body, _ := json.Marshal(arts)
		now := store.Now()
		var before map[string]any
		if r.Draft > 0 {
			old, err := s.version(ctx, tx, r.ID, r.Draft)
			if err != nil {
				return nil, nil, err
			}
			before = map[string]any{"no": old.No, "title": old.Title, "category": old.Category, "articles": old.Articles, "note": old.Note}
			if _, err := tx.ExecContext(ctx, `UPDATE rule_versions SET title = $1, category = $2, articles = $3, note = $4, updated_at = $5 WHERE rule_id = $6 AND no = $7`,
				in.Title, in.Category, string(body), in.Note, now, r.ID, r.Draft); err != nil {
				return nil, nil, err
			}
		} else {
			r.Draft = r.Current + 1
			if _, err := tx.ExecContext(ctx, `INSERT INTO rule_versions (rule_id, no, title, category, articles, note, status, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $7)`, r.ID, r.Draft, in.Title, in.Category, string(body), in.Note, now); err != nil {
				return nil, nil, err
			}
		}
		// Before the first publication the rule is named as its draft.
		sets := ""
		var args []any
		if r.Current == 0 {
			sets, args = ", title = $4, category = $5", []any{in.Title, in.Category}
		}
		if err := bump(ctx, tx, r, in.Version, sets, args...); err != nil {
			return nil, nil, err
		}
		return before, map[string]any{"no": r.Draft, "title": in.Title, "category": in.Category, "articles": arts, "note": in.Note}, nil
	})
}

// Publish makes the draft the version in force: the version before is
// superseded, and every current member school is asked to adopt the new
// one by the confirmation date.
func (s *Service) Publish(ctx context.Context, a auth.Actor, id int64, in PublishInput) (RuleDetail, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return RuleDetail{}, err
	}
	return s.step(ctx, a, id, "publish", func(tx *sql.Tx, r Rule) (map[string]any, map[string]any, error) {
		if !manages(a, r.GroupID) {
			return nil, nil, errs.ForbiddenError()
		}
		if in.Version != r.Version {
			return nil, nil, stale()
		}
		if r.Draft == 0 {
			return nil, nil, errs.RuleError("rulebook.draft", "rulebook.no_draft", nil)
		}
		today := s.Today()
		var f errs.Fields
		if in.EffectiveOn.IsZero() {
			in.EffectiveOn = today
		} else if in.EffectiveOn.Before(today.Time) {
			f.Add("effective_on", "rulebook.date_past", nil)
		}
		if in.ConfirmBy.IsZero() {
			in.ConfirmBy = store.Date{Time: today.AddDate(0, 0, set.ConfirmDays)}
		} else if in.ConfirmBy.Before(today.Time) {
			f.Add("confirm_by", "rulebook.date_past", nil)
		}
		if err := f.Err(); err != nil {
			return nil, nil, err
		}
		schools, err := members(ctx, tx, r.GroupID)
		if err != nil {
			return nil, nil, err
		}
		if len(schools) == 0 {
			return nil, nil, errs.RuleError("rulebook.members", "rulebook.no_members", nil)
		}
		draft, err := s.version(ctx, tx, r.ID, r.Draft)
		if err != nil {
			return nil, nil, err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE rule_versions SET status = 'superseded', superseded_at = $1 WHERE rule_id = $2 AND status = 'published'`, now, r.ID); err != nil {
			return nil, nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rule_versions SET status = 'published', effective_on = $1, confirm_by = $2, published_at = $3, published_by = $4, updated_at = $3
			WHERE rule_id = $5 AND no = $6`, in.EffectiveOn, in.ConfirmBy, now, actorName(a), r.ID, r.Draft); err != nil {
			return nil, nil, err
		}
		var vid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM rule_versions WHERE rule_id = $1 AND no = $2`, r.ID, r.Draft).Scan(&vid); err != nil {
			return nil, nil, err
		}
		var ids []int64
		for _, sc := range schools {
			ids = append(ids, sc.ID)
			if _, err := tx.ExecContext(ctx, `INSERT INTO rule_adoptions (rule_version_id, school_id, status) VALUES ($1, $2, 'pending')`, vid, sc.ID); err != nil {
				return nil, nil, err
			}
		}
		if err := bump(ctx, tx, r, in.Version, ", title = $4, category = $5", draft.Title, draft.Category); err != nil {
			return nil, nil, err
		}
		if err := s.notifyPublished(ctx, tx, a, r, draft.No, ids); err != nil {
			return nil, nil, err
		}
		return map[string]any{"current": r.Current}, map[string]any{"current": draft.No, "effective_on": in.EffectiveOn.String(), "confirm_by": in.ConfirmBy.String(),
			"school_ids": ids}, nil
	})
}

// adoption reads school's answer to version no of rule.
func (s *Service) adoption(ctx context.Context, q store.Reader, rule int64, no int, school int64) (int64, Adoption, error) {
	var id int64
	var ad Adoption
	var at, rep sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT ad.id, ad.school_id, ad.status, ad.reason, ad.answered_by, ad.answered_at, ad.reply, ad.replied_by, ad.replied_at
		FROM rule_adoptions ad JOIN rule_versions v ON v.id = ad.rule_version_id WHERE v.rule_id = $1 AND v.no = $2 AND ad.school_id = $3`, rule, no, school).
		Scan(&id, &ad.SchoolID, &ad.Status, &ad.Reason, &ad.AnsweredBy, &at, &ad.Reply, &ad.RepliedBy, &rep)
	ad.AnsweredAt, ad.RepliedAt = timePtr(at), timePtr(rep)
	return id, ad, notFound(err, "adoption")
}

// Answer records a member school's answer to the version in force: adopt
// (确认执行, also after an objection) or object with a reason. The answer
// names the version the school read; a later one makes it stale.
func (s *Service) Answer(ctx context.Context, a auth.Actor, id, school int64, in AnswerInput) (RuleDetail, error) {
	in.Reason = trim(in.Reason)
	return s.step(ctx, a, id, "answer", func(tx *sql.Tx, r Rule) (map[string]any, map[string]any, error) {
		if !answers(a, school) {
			return nil, nil, errs.NotFoundError("adoption")
		}
		var f errs.Fields
		switch in.Decision {
		case "adopt":
		case "object":
			if in.Reason == "" || len([]rune(in.Reason)) > maxReason {
				f.Add("reason", "field.required_max", errs.Args{"max": maxReason})
			}
		default:
			f.Add("decision", "field.one_of", errs.Args{"values": "adopt, object"})
		}
		if err := f.Err(); err != nil {
			return nil, nil, err
		}
		if in.VersionNo != r.Current || r.Current == 0 {
			return nil, nil, errs.ConflictError("rulebook.not_current", errs.Args{"no": r.Current})
		}
		ok, err := isMember(ctx, tx, school, r.GroupID)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, errs.RuleError("rulebook.member", "rulebook.not_member", nil)
		}
		adID, ad, err := s.adoption(ctx, tx, r.ID, r.Current, school)
		if err != nil {
			return nil, nil, err
		}
		to := Adopted
		if in.Decision == "object" {
			to = Objected
		}
		if ad.Status == Adopted || (ad.Status == Objected && to == Objected) {
			return nil, nil, errs.ConflictError("rulebook.answered", errs.Args{"status": ad.Status})
		}
		reason := in.Reason
		if to == Adopted {
			reason = ad.Reason // an objection withdrawn stays on record
		}
		res, err := tx.ExecContext(ctx, `UPDATE rule_adoptions SET status = $1, reason = $2, answered_by = $3, answered_at = $4 WHERE id = $5 AND status = $6`,
			to, reason, actorName(a), store.Now(), adID, ad.Status)
		if err != nil {
			return nil, nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, nil, stale()
		}
		if err := s.notifyAnswered(ctx, tx, a, r, school, to, in.Reason); err != nil {
			return nil, nil, err
		}
		return map[string]any{"school_id": school, "no": r.Current, "status": ad.Status},
			map[string]any{"school_id": school, "no": r.Current, "status": to, "reason": reason}, nil
	})
}

// Reply records the group's answer to a school's objection; the school then
// adopts the version or waits for the next.
func (s *Service) Reply(ctx context.Context, a auth.Actor, id, school int64, in ReplyInput) (RuleDetail, error) {
	in.Reply = trim(in.Reply)
	return s.step(ctx, a, id, "reply", func(tx *sql.Tx, r Rule) (map[string]any, map[string]any, error) {
		if !manages(a, r.GroupID) {
			return nil, nil, errs.ForbiddenError()
		}
		if in.Reply == "" || len([]rune(in.Reply)) > maxReason {
			return nil, nil, errs.FieldError("reply", "field.required_max", errs.Args{"max": maxReason})
		}
		if in.VersionNo != r.Current || r.Current == 0 {
			return nil, nil, errs.ConflictError("rulebook.not_current", errs.Args{"no": r.Current})
		}
		adID, ad, err := s.adoption(ctx, tx, r.ID, r.Current, school)
		if err != nil {
			return nil, nil, err
		}
		if ad.Status != Objected {
			return nil, nil, errs.ConflictError("rulebook.not_objected", errs.Args{"status": ad.Status})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rule_adoptions SET reply = $1, replied_by = $2, replied_at = $3 WHERE id = $4`,
			in.Reply, actorName(a), store.Now(), adID); err != nil {
			return nil, nil, err
		}
		if err := s.notifyReplied(ctx, tx, a, r, school, in.Reply); err != nil {
			return nil, nil, err
		}
		return map[string]any{"school_id": school, "reply": ad.Reply}, map[string]any{"school_id": school, "no": r.Current, "reply": in.Reply}, nil
	})
}

// Detail is one rule with its versions and board.
func (s *Service) Detail(ctx context.Context, a auth.Actor, id int64) (RuleDetail, error) {
	if !a.Has(auth.PermRulesRead) {
		return RuleDetail{}, errs.ForbiddenError()
	}
	return s.detail(ctx, s.st.R, a, id)
}

func (s *Service) detail(ctx context.Context, q store.Reader, a auth.Actor, id int64) (RuleDetail, error) {
	r, err := s.getRule(ctx, q, a, id)
	if err != nil {
		return RuleDetail{}, err
	}
	whole := wholeGroup(a, r.GroupID)
	vs, err := s.versions(ctx, q, r.ID, whole)
	if err != nil {
		return RuleDetail{}, err
	}
	board, err := s.board(ctx, q, a, r)
	if err != nil {
		return RuleDetail{}, err
	}
	acts := []string{}
	if manages(a, r.GroupID) {
		acts = append(acts, "edit")
		if r.Draft > 0 {
			acts = append(acts, "publish")
		}
		if r.Objected > 0 {
			acts = append(acts, "reply")
		}
	}
	for _, b := range board {
		if answers(a, b.SchoolID) && b.Status != Adopted {
			acts = append(acts, "answer")
			break
		}
	}
	return RuleDetail{Rule: r, Versions: vs, Board: board, Actions: acts}, nil
}

const selectVersion = `SELECT no, title, category, articles, note, status, effective_on, confirm_by, published_at, published_by, superseded_at FROM rule_versions`

func scanVersion(row interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var arts string
	var pub, sup sql.NullTime
	if err := row.Scan(&v.No, &v.Title, &v.Category, &arts, &v.Note, &v.Status, &v.EffectiveOn, &v.ConfirmBy, &pub, &v.PublishedBy, &sup); err != nil {
		return v, err
	}
	v.PublishedAt, v.SupersededAt = timePtr(pub), timePtr(sup)
	var err error
	v.Articles, err = decodeArticles(arts)
	return v, err
}

func (s *Service) version(ctx context.Context, q store.Reader, rule int64, no int) (Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, selectVersion+` WHERE rule_id = $1 AND no = $2`, rule, no))
	return v, notFound(err, "rule_version")
}

// versions lists a rule's versions, newest first; drafts only when withDraft.
func (s *Service) versions(ctx context.Context, q store.Reader, rule int64, withDraft bool) ([]Version, error) {
	text := selectVersion + ` WHERE rule_id = $1`
	if !withDraft {
		text += ` AND status <> 'draft'`
	}
	rows, err := q.QueryContext(ctx, text+` ORDER BY no DESC`, rule)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// board is the schools' answers to the current version, narrowed to the
// schools the actor sees, with the latest version each has adopted.
func (s *Service) board(ctx context.Context, q store.Reader, a auth.Actor, r Rule) ([]Adoption, error) {
	out := []Adoption{}
	if r.Current == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT ad.school_id, sc.name, ad.status, ad.reason, ad.answered_by, ad.answered_at, ad.reply, ad.replied_by, ad.replied_at,
		COALESCE((SELECT max(v2.no) FROM rule_adoptions a2 JOIN rule_versions v2 ON v2.id = a2.rule_version_id WHERE v2.rule_id = v.rule_id AND a2.school_id = ad.school_id AND a2.status = 'adopted'), 0)
		FROM rule_adoptions ad JOIN rule_versions v ON v.id = ad.rule_version_id JOIN schools sc ON sc.id = ad.school_id
		WHERE v.rule_id = $1 AND v.no = $2
		ORDER BY CASE WHEN sc.id = (SELECT lead_school_id FROM edu_groups WHERE id = $3) THEN 0 ELSE 1 END, sc.id`, r.ID, r.Current, r.GroupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	whole := wholeGroup(a, r.GroupID)
	reach := a.Reach(auth.PermRulesRead)
	today := s.Today()
	for rows.Next() {
		var ad Adoption
		var at, rep sql.NullTime
		if err := rows.Scan(&ad.SchoolID, &ad.SchoolName, &ad.Status, &ad.Reason, &ad.AnsweredBy, &at, &ad.Reply, &ad.RepliedBy, &rep, &ad.AdoptedNo); err != nil {
			return nil, err
		}
		if !whole && !reach.School(ad.SchoolID) {
			continue
		}
		ad.AnsweredAt, ad.RepliedAt = timePtr(at), timePtr(rep)
		ad.Late = ad.Status == Pending && !r.ConfirmBy.IsZero() && today.After(r.ConfirmBy.Time)
		out = append(out, ad)
	}
	return out, rows.Err()
}

// List is the rules in the actor's scope, filtered, sorted and paged.
func (s *Service) List(ctx context.Context, a auth.Actor, f RuleFilter) ([]Rule, int, error) {
	if !a.Has(auth.PermRulesRead) {
		return nil, 0, errs.ForbiddenError()
	}
	var w store.Where
	text := selectRule(&w, a)
	visibleRules(&w, a)
	if f.GroupID != 0 {
		w.Add("r.group_id = ?", f.GroupID)
	}
	if f.Category != "" {
		w.Add("r.category = ?", f.Category)
	}
	if f.Q = trim(f.Q); f.Q != "" {
		w.Add("r.title LIKE ? ESCAPE '\\'", store.Contains(f.Q))
	}
	order := ` ORDER BY r.updated_at DESC, r.id DESC`
	switch f.Sort {
	case "title":
		order = ` ORDER BY r.title, r.id`
	case "category":
		order = ` ORDER BY r.category, r.title, r.id`
	}
	rows, err := s.st.R.QueryContext(ctx, text+w.SQL()+order, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var all []Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, 0, err
		}
		if !wholeGroup(a, r.GroupID) {
			r.Draft = 0
		}
		keep := true
		switch f.Status {
		case Pending:
			keep = r.Pending > 0
		case Objected:
			keep = r.Objected > 0
		case Adopted:
			keep = r.Current > 0 && r.Pending == 0 && r.Objected == 0
		case VersionDraft:
			keep = r.Draft > 0
		}
		if keep {
			all = append(all, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	from, to := store.Window(f.Page, f.Size, len(all))
	return append([]Rule{}, all[from:to]...), len(all), nil
}
