// Package registry is the map every other capability reads: schools, education
// groups with their membership history, and staff. Every read is narrowed to
// the actor's scope here, in the data layer: county roles see the county, a
// group leader the group's schools and staff, a school admin the own school's
// staff and the group's public school facts, a teacher their own record.
package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/mask"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

// Service reads and keeps the registry.
type Service struct {
	st  *store.Store
	log *audit.Log
	pol *policy.Service

	countMu sync.Mutex
	counts  map[string]cachedCount
}

type cachedCount struct {
	n  int
	at time.Time
}

// countTTL is how long a list's total may be reused. A page's rows are always
// fresh; only the "共 N 条" under it may lag a write by this much, which saves
// a full count of a province's 300,000 staff on every page turn.
const countTTL = 3 * time.Second

// NewService wires the registry. Scale limits come from the policy version
// in force on the date of each change.
func NewService(st *store.Store, log *audit.Log, pol *policy.Service) *Service {
	return &Service{st: st, log: log, pol: pol, counts: map[string]cachedCount{}}
}

// count runs a count(*) query, reusing a result younger than countTTL.
func (s *Service) count(ctx context.Context, q string, args []any) (int, error) {
	key := fmt.Sprint(q, args)
	s.countMu.Lock()
	c, ok := s.counts[key]
	s.countMu.Unlock()
	if ok && time.Since(c.at) < countTTL {
		return c.n, nil
	}
	var n int
	if err := s.st.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, err
	}
	s.countMu.Lock()
	if len(s.counts) > 5000 {
		s.counts = map[string]cachedCount{}
	}
	s.counts[key] = cachedCount{n, time.Now()}
	s.countMu.Unlock()
	return n, nil
}

// reverseMin is how many rows reading a page backward from the end must
// spare OFFSET before it is worth a second statement; closer to the start,
// or in a short list, the plain forward OFFSET is as cheap.
var reverseMin = 1000

// window is the LIMIT and OFFSET that read one page of a list. OFFSET costs
// one index step per skipped row, so a page in the back half of a long list
// is read backward from the end: the ORDER BY flipped (every sort ends with a
// unique column, so the flipped order is exactly the reverse), LIMIT the rows
// the page has and OFFSET the rows after it. The page is put back into the
// asked order (the outer query's ORDER BY, or inOrder). It uses the list's total, which may be up to
// countTTL old: a backward page then stands where the total shown says it
// does (see docs/registry.md, Performance).
type window struct {
	limit, offset int
	reverse       bool
}

// pageWindow is the window of page (from 1) of size rows in a list of total.
func pageWindow(page, size, total int) window {
	w := forwardWindow(page, size)
	off := w.offset
	end := min(off+w.limit, total)
	if off >= 0 && off < total && total-end < off && off-(total-end) >= reverseMin {
		return window{limit: end - off, offset: total - end, reverse: true}
	}
	return w
}

// forwardWindow is the plain LIMIT/OFFSET window of a page.
func forwardWindow(page, size int) window {
	if size <= 0 {
		size = 20
	}
	if page <= 0 {
		page = 1
	}
	return window{limit: size, offset: (page - 1) * size}
}

// readPage reads the page through read. When a backward window finds fewer
// rows than the total promised (rows left the list since it was counted), the
// page is read forward instead.
func readPage[T any](page, size, total int, read func(w window) ([]T, error)) ([]T, error) {
	w := pageWindow(page, size, total)
	out, err := read(w)
	if err == nil && w.reverse && len(out) != w.limit {
		return read(forwardWindow(page, size))
	}
	return out, err
}

// page is c's arguments followed by w's LIMIT and OFFSET, and the clause
// naming them. c itself is left as it was, so a list can run a second window.
// The numbers are parameters, so every page of a list runs the same statement
// text (and so the same cached statement).
func page(c *store.Where, w window) (string, []any) {
	n := len(c.Args)
	args := append(c.Args[:n:n], w.limit, w.offset)
	return " LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2), args
}

// reach is what part of the county an actor's grants open.
type reach struct {
	county     bool
	groups     []int64 // groups the actor leads
	schools    []int64 // schools whose staff the actor sees (school admin)
	peerGroups []int64 // groups whose schools' public facts the actor sees (school admin)
	selfStaff  int64   // the teacher's own staff record
	selfSchool int64   // the teacher's own school
}

func (s *Service) reachOf(ctx context.Context, a auth.Actor) (reach, error) {
	if a.System {
		// The System actor has always read no registry list (it writes, and
		// its reads go through the write paths' own checks); auth.Reach would
		// give it the county, so it is kept out here until that is decided.
		return reach{}, nil
	}
	// Every business role carries registry.read and staff.read, so the
	// grants carrying registry.read are the grants that open the registry.
	g := a.Reach(auth.PermRegistryRead)
	r := reach{county: g.County, groups: g.Groups, schools: g.Schools, selfStaff: g.Self}
	for _, sc := range g.Schools {
		var gid int64
		err := s.st.R.QueryRowContext(ctx, `SELECT group_id FROM group_members WHERE school_id = $1 AND left_on IS NULL`, sc).Scan(&gid)
		if err == nil {
			r.peerGroups = append(r.peerGroups, gid)
		}
	}
	if g.Self != 0 {
		_ = s.st.R.QueryRowContext(ctx, `SELECT school_id FROM staff WHERE id = $1`, g.Self).Scan(&r.selfSchool)
	}
	return r, nil
}

// orNone turns an empty alternative list into a condition matching nothing:
// no grant, no rows.
func orNone(alts []string) string {
	if len(alts) == 0 {
		return "1 = 0"
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// denied records an attempt to read an object outside the actor's scope and
// answers not found, exactly as for an object that does not exist: the
// record is queued and written after the response (audit.Log.Deny), so the
// answer is not slower than a missing object's either.
func (s *Service) denied(ctx context.Context, a auth.Actor, objType string, id int64) error {
	if err := s.log.Deny(ctx, a.Who(), audit.Entry{Action: "access.denied", ObjectType: objType, ObjectID: strconv.FormatInt(id, 10),
		Outcome: audit.Denied, Detail: map[string]any{"reason": "out_of_scope"}}); err != nil {
		return err
	}
	return errs.NotFoundError(objType)
}

// scopedGet reads one object and decides whether the actor may see it. It
// does the same work whether the object exists or not (the row, the actor's
// reach, the scoped count), so a missing object and one outside the scope
// answer the same 404 in the same time; only the second is recorded as a
// denied access, after the answer (audit.Log.Deny).
func scopedGet[T any](ctx context.Context, s *Service, a auth.Actor, objType string, id int64,
	read func() (T, error), scoped func(r reach) (string, []any)) (T, error) {
	var zero T
	x, err := read()
	missing := errors.Is(err, sql.ErrNoRows)
	if err != nil && !missing {
		return zero, err
	}
	r, err := s.reachOf(ctx, a)
	if err != nil {
		return zero, err
	}
	q, args := scoped(r)
	var n int
	if err := s.st.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return zero, err
	}
	switch {
	case missing:
		return zero, errs.NotFoundError(objType)
	case n == 0:
		return zero, s.denied(ctx, a, objType, id)
	}
	return x, nil
}

func like(q string) string {
	return store.Contains(q)
}

// MaskPhone shows the first three and last four digits: 138****5678.
func MaskPhone(p string) string { return mask.Phone(p) }

// MaskIDCard shows the region's first four characters and the last four:
// 3403**********123X.
func MaskIDCard(id string) string { return mask.IDCard(id) }

// Township is a 乡镇 of the county.
type Township struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Townships lists the county's townships by code.
func (s *Service) Townships(ctx context.Context) ([]Township, error) {
	rows, err := s.st.R.QueryContext(ctx, `SELECT id, code, name FROM townships ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Township{}
	for rows.Next() {
		var t Township
		if err := rows.Scan(&t.ID, &t.Code, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// pageIDs runs q, which selects the ids of one page of a list in the page's
// order, and returns them.
//
// A list reads its page in two statements: the ids (from an index, with
// OFFSET), then the page's rows by id. The single statement they replace,
// "WHERE x.id IN (SELECT x.id … LIMIT … OFFSET …)", was planned by
// PostgreSQL as a hash semi join over a sequential scan of the whole table
// (its cost model prices twenty index probes above one scan of a small
// table, though every page is cached): 2.5 ms a page of staff against 0.3 ms
// for the two statements. An IN list of constants is an index lookup on
// both engines whatever the table's size.
func (s *Service) pageIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.st.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// inOrder returns the rows arranged as ids are, or in the reverse of that
// order when reverse (a page read backward): the order the page's ids query
// gave them. A row whose id is not in ids (none is read so) is dropped, as is
// an id whose row has gone since.
func inOrder[T any](rows []T, id func(T) int64, ids []int64, reverse bool) []T {
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		at[id(r)] = i
	}
	out := make([]T, 0, len(ids))
	for k := range ids {
		if reverse {
			k = len(ids) - 1 - k
		}
		if i, ok := at[ids[k]]; ok {
			out = append(out, rows[i])
		}
	}
	return out
}
