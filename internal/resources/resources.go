// Package resources is the teaching-resource library of 四(四)1 and 五(一):
// 教学设计, 课件, 微课, 教学案例, 教学录像, 学习任务单, 作业练习, 试题 and the 精品课
// package, keyed to the textbook-node tree, stored in the blob store,
// reviewed school → group → county (校级优质 / 集团优质 / 县级精品), searched in
// Chinese, and counted by the school of each user who uses them, so the
// group sees which textbook nodes its resources cover and how much each
// member school uses what the group shares.
package resources

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/blob"
	"edugroup/internal/errs"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// The kinds of resource.
const (
	KindDesign     = "design"     // 教学设计
	KindCourseware = "courseware" // 课件
	KindMicro      = "micro"      // 微课 (video)
	KindCase       = "case"       // 教学案例
	KindRecording  = "recording"  // 教学录像 (video)
	KindTaskSheet  = "task_sheet" // 学习任务单
	KindExercise   = "exercise"   // 作业练习
	KindItem       = "item"       // 试题 (an item-bank entry, no file)
	KindPackage    = "package"    // 精品课: a bundle of other resources
)

// Kinds lists the kinds in menu order.
var Kinds = []string{KindDesign, KindCourseware, KindMicro, KindCase, KindRecording, KindTaskSheet, KindExercise, KindItem, KindPackage}

func validKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// videoKind: the kind's file is a video.
func videoKind(k string) bool { return k == KindMicro || k == KindRecording }

// fileKind: the kind carries a file.
func fileKind(k string) bool { return k != KindItem && k != KindPackage }

// The states of a resource. A draft (or a returned one) is its school's; it
// is submitted to review at its school, and each level accepts (moving it
// to the next level or finishing), returns it with comments, or rejects it.
const (
	Draft    = "draft"
	Pending  = "pending"
	Returned = "returned"
	Rejected = "rejected"
	Accepted = "accepted"
)

// The review levels, which are also the quality labels: 校级优质, 集团优质,
// 县级精品.
const (
	LevelSchool = "school"
	LevelGroup  = "group"
	LevelCounty = "county"
)

// The sharing scopes: who may see an accepted resource.
const (
	ScopeSchool = "school"
	ScopeGroup  = "group"
	ScopeCounty = "county"
)

// Service keeps the library.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service
	// Blobs is where the files are; nil refuses uploads and downloads.
	Blobs blob.Store
	// Notices receives the notifications of each step, in its transaction.
	Notices workbench.Poster
	// Now is the clock of usage months; tests set it.
	Now func() time.Time
}

// NewService wires the library.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service) *Service {
	return &Service{st: st, log: log, pol: pol, Now: time.Now}
}

func (s *Service) settings(ctx context.Context) (policy.Resources, error) {
	v, err := s.pol.Today(ctx)
	return v.Settings.Resources, err
}

func (s *Service) blobs() (blob.Store, error) {
	if s.Blobs == nil {
		return nil, errs.RuleError("files_store", "resources.no_store", nil)
	}
	return s.Blobs, nil
}

// Item is the item-bank part of a 试题.
type Item struct {
	Stem            string   `json:"stem"`
	Options         []string `json:"options" openapi:"nullable"`
	Answer          string   `json:"answer"`
	Analysis        string   `json:"analysis"`
	Difficulty      int      `json:"difficulty"` // 1 (easy) to 5
	KnowledgePoints []string `json:"knowledge_points" openapi:"nullable"`
}

// Resource is one entry of the library.
type Resource struct {
	ID              int64  `json:"id"`
	SchoolID        int64  `json:"school_id"`
	SchoolName      string `json:"school_name"`
	GroupID         int64  `json:"group_id"`
	Kind            string `json:"kind" enum:"design,courseware,micro,case,recording,task_sheet,exercise,item,package"`
	Title           string `json:"title"`
	Description     string `json:"description"`
	Stage           string `json:"stage"`
	Subject         string `json:"subject"`
	Grade           string `json:"grade"`
	TextbookVersion string `json:"textbook_version"`
	NodeID          int64  `json:"node_id"`
	NodePath        string `json:"node_path"`
	Tags            string `json:"tags"`
	Authors         string `json:"authors"`
	ShareScope      string `json:"share_scope" enum:"school,group,county"`
	Status          string `json:"status" enum:"draft,pending,returned,rejected,accepted"`
	ReviewLevel     string `json:"review_level" enum:",school,group,county"`
	Label           string `json:"label" enum:",school,group,county"`
	FileID          int64  `json:"file_id"`
	MediaType       string `json:"media_type"`
	Filename        string `json:"filename"`
	Size            int64  `json:"size"`
	DurationMS      int64  `json:"duration_ms"`
	HasThumb        bool   `json:"has_thumb"`
	Views           int    `json:"views"`
	Downloads       int    `json:"downloads"`
	Favourites      int    `json:"favourites"`
	CreatedBy       string `json:"created_by"`
	createdByID     int64
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Version         int       `json:"version"`
}

const selectResource = `SELECT r.id, r.school_id, s.name, COALESCE(r.group_id, 0), r.kind, r.title, r.description, r.stage, r.subject, r.grade,
	r.textbook_version, COALESCE(r.node_id, 0), COALESCE(n.path, ''), r.tags, r.authors, r.share_scope, r.status, r.review_level, r.label,
	COALESCE(r.file_id, 0), COALESCE(f.media_type, ''), COALESCE(f.filename, ''), COALESCE(f.size, 0), COALESCE(f.duration_ms, 0), COALESCE(f.thumb_key, ''),
	r.views, r.downloads, r.favourites, COALESCE(u.display_name, ''), COALESCE(r.created_by, 0), r.created_at, r.updated_at, r.version
	FROM resources r JOIN schools s ON s.id = r.school_id LEFT JOIN textbook_nodes n ON n.id = r.node_id
	LEFT JOIN resource_files f ON f.id = r.file_id LEFT JOIN users u ON u.id = r.created_by`

func scanResource(row interface{ Scan(...any) error }) (Resource, error) {
	var r Resource
	var thumb string
	err := row.Scan(&r.ID, &r.SchoolID, &r.SchoolName, &r.GroupID, &r.Kind, &r.Title, &r.Description, &r.Stage, &r.Subject, &r.Grade,
		&r.TextbookVersion, &r.NodeID, &r.NodePath, &r.Tags, &r.Authors, &r.ShareScope, &r.Status, &r.ReviewLevel, &r.Label,
		&r.FileID, &r.MediaType, &r.Filename, &r.Size, &r.DurationMS, &thumb,
		&r.Views, &r.Downloads, &r.Favourites, &r.CreatedBy, &r.createdByID, &r.CreatedAt, &r.UpdatedAt, &r.Version)
	r.HasThumb = thumb != ""
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

func queryResources(ctx context.Context, q store.Reader, sqlText string, args ...any) ([]Resource, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// viewer is where the actor stands in the library: the schools whose whole
// library it sees (a school grant, or the teacher's own school for what is
// past draft), the groups whose shared resources it sees, and whether it
// reads the county's.
type viewer struct {
	county      bool
	adminSchool []int64 // school grants: every state of the school's resources
	ownSchool   int64   // the teacher's school: past draft
	groups      []int64 // member or group grant: the group's accepted shares
	groupReview []int64 // group grants: also the group's pending group review
	userID      int64
	system      bool // the system's own work (the demo, jobs) sees every state
}

func (s *Service) viewer(ctx context.Context, q store.Reader, a auth.Actor) (viewer, error) {
	r := a.Reach(auth.PermResourcesRead)
	v := viewer{county: r.County, adminSchool: r.Schools, groupReview: r.Groups, userID: a.UserID, system: a.System}
	v.groups = append(v.groups, r.Groups...)
	schools := append([]int64{}, r.Schools...)
	if a.StaffID != 0 {
		var school int64
		err := q.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, a.StaffID).Scan(&school)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return v, err
		}
		v.ownSchool = school
		if school != 0 {
			schools = append(schools, school)
		}
	}
	for _, sc := range schools {
		gs, err := registry.CurrentGroups(ctx, q, sc)
		if err != nil {
			return v, err
		}
		v.groups = append(v.groups, gs...)
	}
	return v, nil
}

// visible narrows a query on resources r to what the viewer may see: its
// school's library (a teacher: past draft, and their own drafts), the
// accepted shares of its groups, the accepted county-wide shares, and for a
// group's reviewers what waits on the group. Only accepted resources (a
// label earned) are seen beyond their school.
func (v viewer) visible(w *store.Where) {
	w.Add("r.deleted = FALSE")
	if v.system {
		return
	}
	if v.county {
		w.Add("(r.status <> 'draft' OR r.created_by = " + w.Arg(v.userID) + ")")
		return
	}
	alts := []string{"r.created_by = " + w.Arg(v.userID), "(r.share_scope = 'county' AND r.label <> '')"}
	if len(v.adminSchool) > 0 {
		alts = append(alts, "(r.school_id IN "+w.In(v.adminSchool)+" AND r.status <> 'draft')")
	}
	if v.ownSchool != 0 {
		alts = append(alts, "(r.school_id = "+w.Arg(v.ownSchool)+" AND r.status NOT IN ('draft', 'returned'))")
	}
	if len(v.groups) > 0 {
		alts = append(alts, "(r.group_id IN "+w.In(v.groups)+" AND r.label <> '' AND r.share_scope IN ('group', 'county'))")
	}
	if len(v.groupReview) > 0 {
		alts = append(alts, "(r.group_id IN "+w.In(v.groupReview)+" AND (r.review_level IN ('group', 'county') OR r.label <> ''))")
	}
	w.Add("(" + strings.Join(alts, " OR ") + ")")
}

// get reads one resource in the actor's scope; out of scope is not found.
func (s *Service) get(ctx context.Context, q store.Reader, a auth.Actor, id int64) (Resource, error) {
	v, err := s.viewer(ctx, q, a)
	if err != nil {
		return Resource{}, err
	}
	var w store.Where
	w.Add("r.id = ?", id)
	v.visible(&w)
	r, err := scanResource(q.QueryRowContext(ctx, selectResource+w.SQL(), w.Args...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.NotFoundError("resource")
	}
	return r, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func link(id int64) string { return "/resources/" + strconv.FormatInt(id, 10) }

func idStr(id int64) string { return strconv.FormatInt(id, 10) }
