// Package governance is how a school group runs itself as one (三(五) 制度共建,
// 五(三) 管理一体化). This file and rules.go are the group's rulebook: the
// group drafts a rule (title, category, text by articles) and publishes a
// version; every current member school must confirm adoption of that exact
// version (确认执行) or object with a reason, which the group may answer; a
// new version supersedes the last and asks every school again. Each version
// is kept, with each school's answer to it.
package governance

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
	"edugroup/internal/policy"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The states of a rule version.
const (
	VersionDraft      = "draft"
	VersionPublished  = "published"  // the version in force, schools asked to adopt it
	VersionSuperseded = "superseded" // a later version was published
)

// The states of a school's answer to a published version.
const (
	Pending  = "pending"
	Adopted  = "adopted"
	Objected = "objected"
)

// Service keeps the group's rules, their versions and each school's answer.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service
	// Today is the calendar date deadlines are judged on; tests set it.
	Today func() store.Date
	// Notices receives the notifications of each step, in its transaction;
	// nil sends none.
	Notices workbench.Poster
}

// NewService wires the governance capability.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service) *Service {
	return &Service{st: st, log: log, pol: pol, Today: store.Today}
}

// Article is one article (条) of a rule: an optional heading and its text.
type Article struct {
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

// Rule is one rule of a group's rulebook with its version in force and, for
// the caller's schools, how many have adopted, are pending or objected.
type Rule struct {
	ID        int64  `json:"id"`
	GroupID   int64  `json:"group_id"`
	GroupName string `json:"group_name"`
	Title     string `json:"title"`
	Category  string `json:"category"`
	// Current is the number of the published version (0 before the first
	// publication); Draft the number of the draft being written (0 none; a
	// school never sees it).
	Current     int        `json:"current"`
	Draft       int        `json:"draft"`
	EffectiveOn store.Date `json:"effective_on"`
	ConfirmBy   store.Date `json:"confirm_by"`
	// The answers to the current version of the schools the caller sees
	// (every member for the group and the county, its own for a school).
	Adopted   int       `json:"adopted"`
	Pending   int       `json:"pending"`
	Objected  int       `json:"objected"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// Version is one version of a rule.
type Version struct {
	No           int        `json:"no"`
	Title        string     `json:"title"`
	Category     string     `json:"category"`
	Articles     []Article  `json:"articles"`
	Note         string     `json:"note"`
	Status       string     `json:"status" enum:"draft,published,superseded"`
	EffectiveOn  store.Date `json:"effective_on"`
	ConfirmBy    store.Date `json:"confirm_by"`
	PublishedAt  *time.Time `json:"published_at"`
	PublishedBy  string     `json:"published_by"`
	SupersededAt *time.Time `json:"superseded_at"`
}

// Adoption is one school's answer to a published version.
type Adoption struct {
	SchoolID   int64      `json:"school_id"`
	SchoolName string     `json:"school_name"`
	Status     string     `json:"status" enum:"pending,adopted,objected"`
	Reason     string     `json:"reason"`
	AnsweredBy string     `json:"answered_by"`
	AnsweredAt *time.Time `json:"answered_at"`
	Reply      string     `json:"reply"`
	RepliedBy  string     `json:"replied_by"`
	RepliedAt  *time.Time `json:"replied_at"`
	// Late: still pending after the confirmation date.
	Late bool `json:"late"`
	// AdoptedNo is the latest version of the rule the school has adopted
	// (0 none), so the board shows a school still on an older version.
	AdoptedNo int `json:"adopted_no"`
}

func (s *Service) settings(ctx context.Context) (policy.Rulebook, error) {
	v, err := s.pol.Today(ctx)
	return v.Settings.Rulebook, err
}

// School is a school as the rulebook names it.
type School struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// members lists a group's current member schools, the lead school first.
func members(ctx context.Context, q store.Reader, group int64) ([]School, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name FROM group_members m JOIN schools s ON s.id = m.school_id
		WHERE m.group_id = $1 AND m.left_on IS NULL ORDER BY CASE m.role WHEN 'lead' THEN 0 ELSE 1 END, s.id`, group)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []School{}
	for rows.Next() {
		var sc School
		if err := rows.Scan(&sc.ID, &sc.Name); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// isMember reports whether school is a current member of group.
func isMember(ctx context.Context, q store.Reader, school, group int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE group_id = $1 AND school_id = $2 AND left_on IS NULL`, group, school).Scan(&n)
	return n > 0, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func actorName(a auth.Actor) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}

func stale() error { return errs.ConflictError("error.stale_version", nil) }

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func decodeArticles(raw string) ([]Article, error) {
	out := []Article{}
	if raw == "" {
		return out, nil
	}
	err := json.Unmarshal([]byte(raw), &out)
	return out, err
}

// notFound maps a missing row to the named not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundError(what)
	}
	return err
}

func trim(s string) string { return strings.TrimSpace(s) }
