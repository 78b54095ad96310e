// Package app is the composition root: it reads the command line, opens the
// store, builds the services and the HTTP server, and runs the background
// jobs. Nothing else wires dependencies.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/curriculum"
	"edugroup/internal/exams"
	"edugroup/internal/exchange"
	"edugroup/internal/governance"
	"edugroup/internal/growth"
	"edugroup/internal/i18n"
	"edugroup/internal/mentoring"
	"edugroup/internal/planning"
	"edugroup/internal/policy"
	"edugroup/internal/registry"
	"edugroup/internal/research"
	"edugroup/internal/resources"
	"edugroup/internal/store"
	"edugroup/internal/web"
	"edugroup/internal/workbench"
)

// Version is set at build time with -ldflags.
var Version = "dev"

// App is an opened EduGroup: the store and every service on it.
type App struct {
	Store    *store.Store
	Audit    *audit.Log
	Policy   *policy.Service
	Auth     *auth.Service
	Registry *registry.Service
	Exchange *exchange.Service
	Exams    *exams.Service
	Planning *planning.Service
	// Mentoring is 三(二) 教师结对.
	Mentoring *mentoring.Service
	// Growth is each teacher's 成长档案 and the recommendation list (四(三)2).
	Growth *growth.Service
	// Curriculum is 五(一) 开齐开足 and 五(四) 学科师资.
	Curriculum *curriculum.Service
	// Research is 四(四)2 / 五(二) joint teaching research.
	Research *research.Service
	// Resources is the teaching-resource library (四(四)1, 五(一)); its
	// Blobs are set by the command line (--files) or the test harness.
	Resources *resources.Service
	// Governance is 三(五) 制度共建: the group's rulebook.
	Governance *governance.Service
	// Workbench gathers every capability's to-dos and keeps notifications.
	Workbench *workbench.Service
	Catalog   *i18n.Catalog
	Log       *slog.Logger
}

// Open opens the store named by dsn, migrates it and builds the services.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*App, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	a, err := New(ctx, st, logger)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// New builds the services on an open, migrated store.
func New(ctx context.Context, st *store.Store, logger *slog.Logger) (*App, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	log := audit.New(st)
	pol := policy.NewService(st, log)
	if err := pol.EnsureDefault(ctx); err != nil {
		return nil, err
	}
	reg := registry.NewService(st, log, pol)
	ex := exchange.NewService(st, log, pol, reg)
	exm := exams.NewService(st, log)
	pl := planning.NewService(st, log, pol)
	men := mentoring.NewService(st, log, pol)
	gr := growth.NewService(st, pol, log, ex.Growth(), men.Growth())
	cur := curriculum.NewService(st, log, pol, ex)
	rs := research.NewService(st, log, pol)
	rs.SetTimetables(timetables{cur})
	res := resources.NewService(st, log, pol)
	gov := governance.NewService(st, log, pol)
	return &App{
		Store: st, Audit: log, Policy: pol, Auth: auth.NewService(st, log, pol),
		Registry: reg, Exchange: ex, Exams: exm, Planning: pl, Mentoring: men, Growth: gr, Curriculum: cur, Research: rs, Resources: res, Governance: gov,
		Workbench: newWorkbench(st, pol, reg, ex, exm, pl, men, cur, rs, res, gov),
		Catalog:   cat, Log: logger,
	}, nil
}

// denialDrain bounds how long Close waits for queued denied accesses to be
// written.
const denialDrain = 10 * time.Second

// Close stops following other instances, drains the queued denied accesses
// into the audit log, then closes the store.
func (a *App) Close() error {
	a.Policy.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), denialDrain)
	defer cancel()
	_ = a.Audit.StopDenials(ctx)
	if a.Resources.Blobs != nil {
		_ = a.Resources.Blobs.Close()
	}
	return a.Store.Close()
}

// Server builds the HTTP server of this app and starts its background work:
// the recorder its denied accesses go through (written after the response,
// so an out-of-scope object answers as fast as a missing one), and on
// PostgreSQL the listener that hears policy versions saved on other
// instances. Close, after the server has shut down, stops both.
func (a *App) Server(cfg web.Config) *web.Server {
	a.Audit.StartDenials(a.Log)
	a.Policy.Follow()
	cfg.Version = Version
	return web.New(cfg, web.Deps{
		Store: a.Store, Auth: a.Auth, Policy: a.Policy, Audit: a.Audit, Catalog: a.Catalog, Log: a.Log,
		Modules: []web.Module{registry.NewAPI(a.Registry), exchange.NewAPI(a.Exchange), exams.NewAPI(a.Exams), planning.NewAPI(a.Planning),
			mentoring.NewAPI(a.Mentoring), growth.NewAPI(a.Growth), curriculum.NewAPI(a.Curriculum), research.NewAPI(a.Research),
			resources.NewAPI(a.Resources), governance.NewAPI(a.Governance), workbench.NewAPI(a.Workbench)},
		Dashboards: []web.DashboardSource{a.Registry, a.Exchange},
	})
}

// bootstrapLock is the advisory lock key under which instances starting
// together on an empty PostgreSQL database take turns at Bootstrap.
const bootstrapLock int64 = 727301

// Bootstrap creates the first administrator on an empty install and returns
// its one-time password, or "" when accounts already exist. Instances
// starting together take turns: the first creates the account, the others
// then find it and leave it alone.
func (a *App) Bootstrap(ctx context.Context) (string, error) {
	var pw string
	err := a.Store.WithLock(ctx, bootstrapLock, func() error {
		n, err := a.Auth.CountUsers(ctx)
		if err != nil || n > 0 {
			return err
		}
		sys := auth.SystemActor("bootstrap")
		// The account and its role in one transaction: a start that dies
		// between the two must not leave an admin without the role, which
		// the next start (seeing an account) would never repair.
		_, once, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Username: "admin", DisplayName: "系统管理员",
			Grants: []auth.NewGrant{{Role: auth.SystemAdmin, ScopeType: auth.ScopeCounty}}})
		if err != nil {
			return err
		}
		pw = once
		return nil
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// dsnFor resolves --db and --data: an explicit DSN wins; otherwise the
// SQLite file in the data directory.
func dsnFor(db, dataDir string) string {
	if db != "" {
		return db
	}
	return filepath.Join(dataDir, "edugroup.db")
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func fprintf(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }
