package policy

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/store"
)

// Version is one saved version of the settings.
type Version struct {
	ID            int64      `json:"id"`
	Version       int        `json:"version"`
	EffectiveFrom store.Date `json:"effective_from"`
	Note          string     `json:"note"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	Settings      Settings   `json:"settings"`
}

// Service reads and saves policy versions. The version in force today is
// cached because every request's session check reads it; on PostgreSQL a
// saved version is announced on Channel and every instance following it
// drops its cache at once.
type Service struct {
	st  *store.Store
	log *audit.Log

	mu       sync.Mutex
	cached   *Version
	cachedOn store.Date
	cachedAt time.Time
	gen      uint64 // bumped by every invalidation; a read begun before one is not cached

	listener atomic.Pointer[store.Listener]
}

// Channel is the PostgreSQL notification channel a saved version is
// announced on.
const Channel = "edugroup_policy"

// CacheTTL bounds how long the cached version lives while this instance
// hears other instances' saves (SQLite's one process, or a live listener on
// PostgreSQL): a safety net, not the way changes arrive.
const CacheTTL = 10 * time.Second

// UnheardTTL bounds how long another instance's new version can go unseen
// while nothing tells this one about it (on PostgreSQL before Follow, or
// while the listening connection is down).
const UnheardTTL = time.Second

// NewService wires the policy service.
func NewService(st *store.Store, log *audit.Log) *Service { return &Service{st: st, log: log} }

// Follow starts listening for versions other instances save, until Stop or
// the store closes. Calling it again replaces the listener.
func (s *Service) Follow() {
	if old := s.listener.Swap(s.st.Listen(Channel, s.Invalidate)); old != nil {
		old.Stop()
	}
}

// Stop ends Follow's listener.
func (s *Service) Stop() {
	if l := s.listener.Swap(nil); l != nil {
		l.Stop()
	}
}

// Following reports whether saves on other instances reach this one as
// they happen (always on SQLite, where there are none).
func (s *Service) Following() bool {
	if s.st.Dialect != store.Postgres {
		return true
	}
	l := s.listener.Load()
	return l != nil && l.Live()
}

// Invalidate drops the cached version; the next read loads it again.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.cached = nil
	s.gen++
	s.mu.Unlock()
}

func (s *Service) ttl() time.Duration {
	if s.Following() {
		return CacheTTL
	}
	return UnheardTTL
}

// policyLock is the store.LockKey namespace that serializes the first
// version of a fresh install between instances starting together.
const policyLock int32 = 201

// EnsureDefault saves Huaiyuan's defaults as version 1 on a fresh install.
func (s *Service) EnsureDefault(ctx context.Context) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.st.LockKey(ctx, tx, policyLock, 0); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM policy_versions`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		b, _ := json.Marshal(Defaults())
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_versions (version, effective_from, settings, note, created_at) VALUES (1, $1, $2, $3, $4)`,
			store.MustDate("2000-01-01"), string(b), "怀远县默认值 / Huaiyuan defaults", store.Now()); err != nil {
			return err
		}
		return s.log.Append(ctx, tx, auth.SystemActor("system").Who(), audit.Entry{Action: "policy.create", ObjectType: "policy_version", ObjectID: "1",
			Detail: map[string]any{"note": "defaults"}})
	})
}

const versionCols = `p.id, p.version, p.effective_from, p.note, COALESCE(u.username, ''), p.created_at, p.settings`

func scanVersion(row interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var raw string
	if err := row.Scan(&v.ID, &v.Version, &v.EffectiveFrom, &v.Note, &v.CreatedBy, &v.CreatedAt, &raw); err != nil {
		return v, err
	}
	v.CreatedAt = v.CreatedAt.UTC()
	// Start from the defaults so a key added in a later release has a value
	// in versions saved before it existed.
	v.Settings = Defaults()
	err := json.Unmarshal([]byte(raw), &v.Settings)
	return v, err
}

// InForce returns the version in force on date d.
func (s *Service) InForce(ctx context.Context, d store.Date) (Version, error) {
	v, err := scanVersion(s.st.R.QueryRowContext(ctx, `SELECT `+versionCols+` FROM policy_versions p LEFT JOIN users u ON u.id = p.created_by
		WHERE p.effective_from <= $1 ORDER BY p.effective_from DESC, p.version DESC LIMIT 1`, d))
	if errors.Is(err, sql.ErrNoRows) {
		return Version{Settings: Defaults()}, nil
	}
	return v, err
}

// Today returns the version in force today, cached for CacheTTL (UnheardTTL
// while saves elsewhere may go unheard).
func (s *Service) Today(ctx context.Context) (Version, error) {
	today := store.Today()
	ttl := s.ttl()
	s.mu.Lock()
	if s.cached != nil && s.cachedOn == today && time.Since(s.cachedAt) < ttl {
		v := *s.cached
		s.mu.Unlock()
		return v, nil
	}
	gen := s.gen
	s.mu.Unlock()
	v, err := s.InForce(ctx, today)
	if err != nil {
		return v, err
	}
	s.mu.Lock()
	if s.gen == gen {
		s.cached, s.cachedOn, s.cachedAt = &v, today, time.Now()
	}
	s.mu.Unlock()
	return v, nil
}

// Security implements auth.SecuritySource.
func (s *Service) Security(ctx context.Context) (auth.SecurityPolicy, error) {
	v, err := s.Today(ctx)
	return v.Settings.Security, err
}

// Versions lists every version, newest first.
func (s *Service) Versions(ctx context.Context) ([]Version, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT `+versionCols+` FROM policy_versions p LEFT JOIN users u ON u.id = p.created_by ORDER BY p.version DESC`)
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

// NewVersion is the input of Save.
type NewVersion struct {
	EffectiveFrom store.Date `json:"effective_from"`
	Note          string     `json:"note"`
	Settings      Settings   `json:"settings"`
}

// Save adds a version. The county-policy sections need policy.edit (system
// admin) and the security section security.edit (security admin): a change
// touching a section the actor may not edit is refused, naming the section.
func (s *Service) Save(ctx context.Context, a auth.Actor, in NewVersion) (Version, error) {
	if !a.Has(auth.PermPolicyEdit) && !a.Has(auth.PermSecurityEdit) {
		return Version{}, errs.ForbiddenError()
	}
	var f errs.Fields
	if in.EffectiveFrom.IsZero() {
		f.Add("effective_from", "field.required", nil)
	} else if in.EffectiveFrom.Before(store.Today().Time) {
		f.Add("effective_from", "policy.backdated", nil)
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "field.max", errs.Args{"max": 500})
	}
	if err := f.Err(); err != nil {
		return Version{}, err
	}
	if err := in.Settings.Validate(); err != nil {
		return Version{}, err
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		latest, err := scanVersion(tx.QueryRowContext(ctx, `SELECT `+versionCols+` FROM policy_versions p LEFT JOIN users u ON u.id = p.created_by ORDER BY p.version DESC LIMIT 1`))
		if errors.Is(err, sql.ErrNoRows) {
			latest = Version{Settings: Defaults()}
		} else if err != nil {
			return err
		}
		changed := diffSections(latest.Settings, in.Settings)
		if len(changed) == 0 {
			return errs.RuleError("policy_unchanged", "policy.unchanged", nil)
		}
		for _, sec := range changed {
			need := auth.PermPolicyEdit
			if sec == "security" {
				need = auth.PermSecurityEdit
			}
			if !a.Has(need) {
				return errs.RuleError("policy_section_permission", "policy.section_forbidden", errs.Args{"section": sec})
			}
		}
		b, _ := json.Marshal(in.Settings)
		err = tx.QueryRowContext(ctx, `INSERT INTO policy_versions (version, effective_from, settings, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			latest.Version+1, in.EffectiveFrom, string(b), in.Note, a.UserID, store.Now()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return errs.ConflictError("error.stale_version", nil)
		}
		if err != nil {
			return err
		}
		before, _ := json.Marshal(latest.Settings)
		var beforeMap, afterMap map[string]any
		_ = json.Unmarshal(before, &beforeMap)
		_ = json.Unmarshal(b, &afterMap)
		if err := s.log.Append(ctx, tx, a.Who(), audit.Entry{Action: "policy.create", ObjectType: "policy_version", ObjectID: strconv.Itoa(latest.Version + 1),
			Detail: map[string]any{"effective_from": in.EffectiveFrom.String(), "sections": changed, "before": beforeMap, "after": afterMap}}); err != nil {
			return err
		}
		// Delivered at commit: the other instances drop their caches then.
		return s.st.Notify(ctx, tx, Channel)
	})
	if err != nil {
		return Version{}, err
	}
	s.Invalidate()
	return scanVersion(s.st.W.QueryRowContext(ctx, `SELECT `+versionCols+` FROM policy_versions p LEFT JOIN users u ON u.id = p.created_by WHERE p.id = $1`, id))
}

func diffSections(a, b Settings) []string {
	var out []string
	eq := func(x, y any) bool {
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		return bytes.Equal(bx, by)
	}
	if !eq(a.Exchange, b.Exchange) {
		out = append(out, "exchange")
	}
	if !eq(a.Group, b.Group) {
		out = append(out, "group")
	}
	if !eq(a.Security, b.Security) {
		out = append(out, "security")
	}
	if !eq(a.Reminders, b.Reminders) {
		out = append(out, "reminders")
	}
	if !eq(a.Planning, b.Planning) {
		out = append(out, "planning")
	}
	if !eq(a.Mentoring, b.Mentoring) {
		out = append(out, "mentoring")
	}
	if !eq(a.Rulebook, b.Rulebook) {
		out = append(out, "rulebook")
	}
	if !eq(a.Meetings, b.Meetings) {
		out = append(out, "meetings")
	}
	if !eq(a.Reports, b.Reports) {
		out = append(out, "reports")
	}
	return out
}
