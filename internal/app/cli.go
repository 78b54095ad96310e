package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/blob"
	"edugroup/internal/demo"
	"edugroup/internal/errs"
	"edugroup/internal/exams"
	"edugroup/internal/exams/examfile"
	"edugroup/internal/i18n"
	"edugroup/internal/store"
	"edugroup/internal/web"
)

const usage = `edugroup — 集团化办学管理平台 EduGroup

Usage:
  edugroup serve   [--addr 127.0.0.1:8080] [--db DSN] [--data DIR] [--demo] [--demo-password P]
                   [--metrics-addr ADDR] [--trust-proxy] [--secure-cookies] [--max-upload-mb 512]
  edugroup demo    [--db DSN] [--data DIR] [--demo-password P] [--scale county|province]
  edugroup migrate [--db DSN] [--data DIR]
  edugroup user create --username U --name NAME [--role ROLE --scope-id N] [--db DSN]
  edugroup user disable --username U [--db DSN]
  edugroup user reset-password --username U [--password P] [--db DSN]
  edugroup user reset-totp --username U [--db DSN]
  edugroup token create --user U [--name NAME] [--days N] [--db DSN]
  edugroup audit verify [--db DSN]
  edugroup audit purge  [--db DSN]
  edugroup backup  --out FILE [--db DSN] [--data DIR]
  edugroup restore --from FILE [--db DSN] [--data DIR]
  edugroup analyze --in FILE [--exam exam.json] [--teachers FILE] [--prev FILE]… [--students] [--strict]
                   --out report.json|report.xlsx
  edugroup demo exam --students N --schools S --seed K [--term T] [--half] [--per-school] --out FILE.csv|FILE.xlsx
  edugroup version

--db takes a SQLite file path (default DIR/edugroup.db) or a postgres:// URL.
The demo password comes from --demo-password, else EDUGROUP_DEMO_PASSWORD, else Demo@2026.
`

// Run is the whole program; main only calls it. It returns the exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fprintf(stderr, "%s", usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	if cmd == "user" || cmd == "token" || cmd == "audit" {
		if len(rest) < 1 {
			fprintf(stderr, "%s", usage)
			return 2
		}
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	var err error
	switch cmd {
	case "serve":
		err = c.serve(ctx, rest)
	case "demo":
		if len(rest) > 0 && rest[0] == "exam" {
			err = c.demoExam(rest[1:])
			break
		}
		err = c.demo(ctx, rest)
	case "analyze":
		err = c.analyze(rest)
	case "migrate":
		err = c.migrate(ctx, rest)
	case "user create":
		err = c.userCreate(ctx, rest)
	case "user disable":
		err = c.userDisable(ctx, rest)
	case "user reset-password":
		err = c.userReset(ctx, rest)
	case "user reset-totp":
		err = c.userResetTOTP(ctx, rest)
	case "token create":
		err = c.tokenCreate(ctx, rest)
	case "audit verify":
		err = c.auditVerify(ctx, rest)
	case "audit purge":
		err = c.auditPurge(ctx, rest)
	case "backup":
		err = c.backup(ctx, rest)
	case "restore":
		err = c.restore(ctx, rest)
	case "version":
		fprintf(stdout, "edugroup %s\n", Version)
	case "help", "-h", "--help":
		fprintf(stdout, "%s", usage)
	default:
		fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fprintf(stderr, "%s\n", err)
			return 2
		}
		fprintf(stderr, "edugroup: %s\n", c.describe(err))
		return 1
	}
	return 0
}

type usageError string

func (u usageError) Error() string { return string(u) }

type cli struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// describe renders domain errors in Chinese for the operator.
func (c *cli) describe(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	cat := i18n.MustLoad()
	msg := cat.T(i18n.Default, e.Key, e.Args)
	for _, d := range e.Details {
		msg += fmt.Sprintf("\n  %s%s: %s", d.Field, d.Rule, cat.T(i18n.Default, d.Key, d.Args))
	}
	return msg
}

type storeFlags struct {
	db, data, files string
}

func (c *cli) flags(name string, sf *storeFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&sf.db, "db", "", "SQLite file or postgres:// URL (default DIR/edugroup.db)")
	fs.StringVar(&sf.data, "data", "./data", "data directory")
	fs.StringVar(&sf.files, "files", "", "where uploaded files go: DIR/files (default), or s3://BUCKET?endpoint=HOST:PORT (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)")
	return fs
}

func (c *cli) open(ctx context.Context, sf storeFlags) (*App, error) {
	a, err := Open(ctx, dsnFor(sf.db, sf.data), newLogger(c.stderr))
	if err != nil {
		return nil, err
	}
	bs, err := blob.Open(ctx, sf.files, sf.data, c.getenv)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Resources.Blobs = bs
	return a, nil
}

// openWith parses a subcommand's flags, runs its checks of them, and opens
// the store they name.
func (c *cli) openWith(ctx context.Context, fs *flag.FlagSet, sf *storeFlags, args []string, checks ...func() error) (*App, error) {
	if err := fs.Parse(args); err != nil {
		return nil, usageError(err.Error())
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return c.open(ctx, *sf)
}

func (c *cli) demoPassword(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := c.getenv("EDUGROUP_DEMO_PASSWORD"); v != "" {
		return v
	}
	return demo.DefaultPassword
}

// printAccounts lists the demo logins. Only accounts this run created have
// the password given now; the others keep the one they already have.
func (c *cli) printAccounts(res demo.Result, password string) {
	created := 0
	for _, a := range res.Accounts {
		if a.Created {
			created++
		}
	}
	if created == len(res.Accounts) {
		fprintf(c.stdout, "\nDemo accounts (password %s):\n", password)
	} else {
		fprintf(c.stdout, "\nDemo accounts (seeded before: they keep the password they have, a demo password given now is not\n"+
			"applied to them; `edugroup user reset-password --username U` changes one):\n")
	}
	for _, a := range res.Accounts {
		note := a.Note
		if a.Created && created < len(res.Accounts) {
			note += " (new, password " + password + ")"
		}
		fprintf(c.stdout, "  %-11s %-6s %s\n", a.Username, a.DisplayName, note)
	}
	fprintf(c.stdout, "\n")
}

func (c *cli) serve(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("serve", &sf)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	withDemo := fs.Bool("demo", false, "seed the demo county at start")
	demoPw := fs.String("demo-password", "", "password of the demo accounts")
	metricsAddr := fs.String("metrics-addr", "", "optional admin listener serving /metrics without login (bind it to a private address)")
	trustProxy := fs.Bool("trust-proxy", false, "take the client address from X-Forwarded-For (behind a reverse proxy)")
	secure := fs.Bool("secure-cookies", false, "mark the session cookie Secure (behind a TLS-terminating proxy)")
	maxUpload := fs.Int("max-upload-mb", exams.DefaultMaxUpload>>20, "largest score file an import accepts, in MB")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *maxUpload < 1 || *maxUpload > examfile.MaxFileBytes>>20 {
		return usageError(fmt.Sprintf("--max-upload-mb is 1 to %d", examfile.MaxFileBytes>>20))
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := c.open(ctx, sf)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Exams.MaxUpload = int64(*maxUpload) << 20
	// The address first: a port already taken fails here, before any seeding
	// or banner claims a server that never came up.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if *withDemo {
		pw := c.demoPassword(*demoPw)
		res, err := demo.Load(ctx, a.Store, a.Audit, pw)
		if err != nil {
			return err
		}
		if res.Created {
			if err := demo.LoadResources(ctx, a.Store, a.Audit, a.Resources); err != nil {
				return fmt.Errorf("demo resources: %w", err)
			}
		}
		if err := demo.Notices(ctx, a.Store); err != nil {
			return err
		}
		if err := a.Store.Analyze(ctx); err != nil {
			return err
		}
		c.printAccounts(res, pw)
	}
	if pw, err := a.Bootstrap(ctx); err != nil {
		return err
	} else if pw != "" {
		fprintf(c.stdout, "\n%s\n\n", a.Catalog.T(i18n.Default, "bootstrap.admin_created", map[string]any{"password": pw}))
	} else {
		fprintf(c.stdout, "%s\n", a.Catalog.T(i18n.Default, "bootstrap.admin_exists", nil))
	}
	srv := a.Server(web.Config{TrustProxy: *trustProxy, SecureCookies: *secure})
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	var ms *http.Server
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		ms = &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- ms.ListenAndServe() }()
	}
	go a.runJobs(ctx)
	go a.runWorkbenchJobs(ctx, c.getenv)
	go a.runMediaJobs(ctx)
	a.Log.Info("EduGroup is listening", "url", "http://"+ln.Addr().String(), "store", string(a.Store.Dialect), "version", Version)
	fprintf(c.stdout, "EduGroup 集团化办学管理平台 is running at http://%s\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	// A second Ctrl-C or SIGTERM now kills the process instead of waiting
	// for the drain.
	stop()
	a.Log.Info("shutting down: draining requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if ms != nil {
		_ = ms.Shutdown(shutCtx)
	}
	if err := hs.Shutdown(shutCtx); err != nil {
		return err
	}
	a.Log.Info("stopped cleanly")
	return nil
}

// job is one periodic task and how often it runs across all instances.
type job struct {
	name  string
	every time.Duration
	run   func(ctx context.Context) error
}

// jobs are the periodic tasks: expired sessions, spent login throttle
// buckets, the workbench's reminders and audit retention.
func (a *App) jobs() []job {
	return []job{
		{"sessions.purge", time.Hour, func(ctx context.Context) error {
			_, err := a.Auth.PurgeExpiredSessions(ctx)
			return err
		}},
		{"throttle.purge", time.Hour, func(ctx context.Context) error {
			_, err := a.Auth.PurgeLoginThrottle(ctx)
			return err
		}},
		// Each reminder is also recorded once (sent_reminders), so a run
		// that overlaps another sends nothing twice.
		{"workbench.remind", time.Hour, func(ctx context.Context) error {
			n, err := a.Workbench.RemindOnce(ctx)
			if n > 0 {
				a.Log.Info("reminders sent", "count", n)
			}
			return err
		}},
		// Blobs no live file version references (a deleted resource's, an
		// upload whose transaction failed) go after a grace period.
		{"resources.sweep", 6 * time.Hour, func(ctx context.Context) error {
			n, err := a.Resources.Sweep(ctx)
			if n > 0 {
				a.Log.Info("orphan files removed", "count", n)
			}
			return err
		}},
		{"audit.retention", time.Hour, func(ctx context.Context) error {
			sec, err := a.Policy.Security(ctx)
			if err != nil {
				return err
			}
			n, err := a.Audit.Purge(ctx, auth.SystemActor("retention").Who(), sec.AuditRetentionDays)
			if n > 0 {
				a.Log.Info("audit retention purged old records", "count", n)
			}
			return err
		}},
	}
}

// mediaEvery is how often the media job looks for new videos to read.
const mediaEvery = 10 * time.Second

// runMediaJobs reads new videos' length, size and thumbnail in the
// background (ffprobe, ffmpeg); each file is claimed by one instance.
func (a *App) runMediaJobs(ctx context.Context) {
	t := time.NewTicker(mediaEvery)
	defer t.Stop()
	for {
		if _, err := a.Resources.ProbeOnce(ctx, 20); err != nil && ctx.Err() == nil {
			a.Log.Error("media probe", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// jobTick is how often an instance asks whether a job is due. A job runs
// once per its period across all instances (Store.Claim), so a tick shorter
// than the period only means the job runs less than a tick late after the
// instance that ran it last goes away.
const jobTick = 5 * time.Minute

// runJobs runs each job when it is due and this instance wins its claim.
func (a *App) runJobs(ctx context.Context) {
	t := time.NewTicker(jobTick)
	defer t.Stop()
	for {
		a.runDueJobs(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runDueJobs runs the jobs this instance claims at now and returns their
// names.
func (a *App) runDueJobs(ctx context.Context, now time.Time) []string {
	var ran []string
	for _, j := range a.jobs() {
		mine, err := a.Store.Claim(ctx, j.name, j.every, now)
		if err != nil {
			if ctx.Err() == nil {
				a.Log.Error("job claim", "job", j.name, "err", err)
			}
			continue
		}
		if !mine {
			continue
		}
		ran = append(ran, j.name)
		if err := j.run(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("job", "job", j.name, "err", err)
		}
	}
	return ran
}

func (c *cli) demo(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("demo", &sf)
	demoPw := fs.String("demo-password", "", "password of the demo accounts")
	scale := fs.String("scale", "county", "county (the demo county) or province (2,000 groups, 10,000 schools, 300,000 staff, into an empty store)")
	a, err := c.openWith(ctx, fs, &sf, args, func() error {
		if *scale != "county" && *scale != "province" {
			return usageError("--scale is county or province")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer a.Close()
	pw := c.demoPassword(*demoPw)
	var res demo.Result
	if *scale == "province" {
		start := time.Now()
		res, err = demo.LoadProvince(ctx, a.Store, a.Audit, pw, demo.Province)
		if err == nil {
			fprintf(c.stdout, "Province registry loaded in %s.\n", time.Since(start).Round(time.Second))
		}
	} else {
		res, err = demo.Load(ctx, a.Store, a.Audit, pw)
		if err == nil && res.Created {
			err = demo.LoadResources(ctx, a.Store, a.Audit, a.Resources)
		}
		if err == nil {
			err = demo.Notices(ctx, a.Store)
		}
	}
	if err == nil {
		err = a.Store.Analyze(ctx) // a freshly loaded county is planned from statistics
	}
	if err != nil {
		return err
	}
	switch {
	case *scale == "province":
	case res.Created:
		fprintf(c.stdout, "Demo county loaded.\n")
	default:
		fprintf(c.stdout, "Demo county was already there; nothing changed.\n")
	}
	c.printAccounts(res, pw)
	return nil
}

func (c *cli) migrate(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("migrate", &sf)
	a, err := c.openWith(ctx, fs, &sf, args)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fprintf(c.stdout, "schema is at version %d\n", v)
	return nil
}

func cliActor() auth.Actor {
	name := "cli"
	if u := os.Getenv("USER"); u != "" {
		name = "cli:" + u
	}
	return auth.SystemActor(name)
}

func (c *cli) userCreate(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("user create", &sf)
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role to grant (e.g. system_admin)")
	scopeID := fs.Int64("scope-id", 0, "group or school id for group/school roles")
	a, err := c.openWith(ctx, fs, &sf, args, func() error {
		if *username == "" || *name == "" {
			return usageError("user create needs --username and --name")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer a.Close()
	in := auth.NewUser{Username: *username, DisplayName: *name}
	if *role != "" {
		info, ok := auth.Info(auth.Role(*role))
		if !ok {
			return usageError("unknown role " + *role)
		}
		in.Grants = []auth.NewGrant{{Role: info.Role, ScopeType: info.ScopeType, ScopeID: *scopeID}}
	}
	// One transaction: a refused grant (a missing scope) leaves no account behind.
	u, pw, err := a.Auth.CreateUser(ctx, cliActor(), in)
	if err != nil {
		return err
	}
	fprintf(c.stdout, "created %s; one-time password: %s (must be changed at first login)\n", u.Username, pw)
	return nil
}

// openUser opens the store the flags name and finds the account *username,
// for the commands that act on one account.
func (c *cli) openUser(ctx context.Context, fs *flag.FlagSet, sf *storeFlags, args []string, username *string) (*App, int64, error) {
	a, err := c.openWith(ctx, fs, sf, args)
	if err != nil {
		return nil, 0, err
	}
	id, err := a.Auth.UserIDByName(ctx, *username)
	if err != nil {
		_ = a.Close()
		return nil, 0, err
	}
	return a, id, nil
}

func (c *cli) userDisable(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("user disable", &sf)
	username := fs.String("username", "", "login name")
	a, id, err := c.openUser(ctx, fs, &sf, args, username)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := cliActor()
	u, err := a.Auth.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	yes := true
	if _, err := a.Auth.UpdateUser(ctx, actor, id, auth.UserPatch{Disabled: &yes, Version: u.Version}); err != nil {
		return err
	}
	fprintf(c.stdout, "disabled %s; their sessions have ended\n", u.Username)
	return nil
}

func (c *cli) userReset(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("user reset-password", &sf)
	username := fs.String("username", "", "login name")
	password := fs.String("password", "", "new password (default: a random one-time password)")
	a, id, err := c.openUser(ctx, fs, &sf, args, username)
	if err != nil {
		return err
	}
	defer a.Close()
	pw, err := a.Auth.SetPassword(ctx, cliActor(), id, *password)
	if err != nil {
		return err
	}
	if pw != "" {
		fprintf(c.stdout, "one-time password for %s: %s (must be changed at next login)\n", *username, pw)
	} else {
		fprintf(c.stdout, "password of %s set\n", *username)
	}
	return nil
}

// userResetTOTP removes a user's second factor from the server's command
// line: the way back for an administrator whom no other account may touch
// (三权分立), audited as the command line's user.
func (c *cli) userResetTOTP(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("user reset-totp", &sf)
	username := fs.String("username", "", "login name")
	a, id, err := c.openUser(ctx, fs, &sf, args, username)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Auth.ResetTOTP(ctx, cliActor(), id); err != nil {
		return err
	}
	fprintf(c.stdout, "second factor of %s removed; they enrol again at next login\n", *username)
	return nil
}

func (c *cli) tokenCreate(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("token create", &sf)
	username := fs.String("user", "", "the token's user")
	name := fs.String("name", "cli", "what the token is for")
	days := fs.Int("days", 90, "validity in days")
	a, id, err := c.openUser(ctx, fs, &sf, args, username)
	if err != nil {
		return err
	}
	defer a.Close()
	t, secret, err := a.Auth.CreateToken(ctx, cliActor(), id, *name, *days)
	if err != nil {
		return err
	}
	fprintf(c.stdout, "%s\n", secret)
	fprintf(c.stderr, "token %d for %s, expires %s; shown only once\n", t.ID, t.Username, t.ExpiresAt.Format(time.DateOnly))
	return nil
}

func (c *cli) auditVerify(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("audit verify", &sf)
	a, err := c.openWith(ctx, fs, &sf, args)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	if !res.OK {
		return fmt.Errorf("audit log TAMPERED at record %d: %s (%d records verified before it)", *res.FirstBadID, res.Problem, res.Checked)
	}
	fprintf(c.stdout, "audit log intact: %d records verified\n", res.Checked)
	return nil
}

func (c *cli) auditPurge(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("audit purge", &sf)
	a, err := c.openWith(ctx, fs, &sf, args)
	if err != nil {
		return err
	}
	defer a.Close()
	sec, err := a.Policy.Security(ctx)
	if err != nil {
		return err
	}
	n, err := a.Audit.Purge(ctx, cliActor().Who(), sec.AuditRetentionDays)
	if err != nil {
		return err
	}
	fprintf(c.stdout, "purged %d audit records older than %d days\n", n, sec.AuditRetentionDays)
	return nil
}

func (c *cli) backup(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("backup", &sf)
	out := fs.String("out", "", "backup file to write")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *out == "" {
		return usageError("backup needs --out FILE")
	}
	dsn := dsnFor(sf.db, sf.data)
	if store.IsPostgresDSN(dsn) {
		return errors.New("for PostgreSQL use pg_dump: pg_dump --format=custom --file=edugroup.dump \"$DATABASE_URL\" (restore with pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" edugroup.dump)")
	}
	// A backup may run beside a live server: read the file without taking
	// the data-directory lock, through SQLite's own snapshot.
	if err := store.BackupFile(ctx, dsn, *out); err != nil {
		return err
	}
	fprintf(c.stdout, "backup written to %s\n", *out)
	return nil
}

func (c *cli) restore(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := c.flags("restore", &sf)
	from := fs.String("from", "", "backup file to restore")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *from == "" {
		return usageError("restore needs --from FILE")
	}
	dsn := dsnFor(sf.db, sf.data)
	if store.IsPostgresDSN(dsn) {
		return errors.New("for PostgreSQL use pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" edugroup.dump")
	}
	if err := store.Restore(ctx, dsn, *from); err != nil {
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w: stop the server before restoring", err)
		}
		return err
	}
	fprintf(c.stdout, "restored %s from %s\n", dsn, *from)
	return nil
}
