package policy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"edugroup/internal/apptest"
	"edugroup/internal/policy"
	"edugroup/internal/store"
)

func TestPolicyVersionsByEffectiveDate(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		sys := e.Login("sysadmin")
		s, b := sys.Do("GET", "/api/v1/policy", nil)
		if s != 200 {
			t.Fatal(s)
		}
		cur := apptest.Decode[policy.Version](t, b)
		if cur.Version != 1 || cur.Settings.Exchange.TrainingMaxDays != 14 || cur.Settings.Exchange.QuotaCadre != 5 ||
			cur.Settings.Exchange.QuotaTeacher != 7 || cur.Settings.Exchange.CooldownYears != 2 || cur.Settings.Security.LockoutThreshold != 5 {
			t.Fatalf("shipped defaults are not Huaiyuan's: %+v", cur.Settings)
		}
		next := cur.Settings
		next.Exchange.QuotaTeacher = 9
		future := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
		s, b = sys.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": future, "note": "扩大教师名额", "settings": next})
		if s != 201 {
			t.Fatalf("save: %d %s", s, b)
		}
		// Today the old version is in force; from the effective date the new one.
		_, b = sys.Do("GET", "/api/v1/policy", nil)
		if v := apptest.Decode[policy.Version](t, b); v.Settings.Exchange.QuotaTeacher != 7 {
			t.Fatalf("today: quota %d", v.Settings.Exchange.QuotaTeacher)
		}
		_, b = sys.Do("GET", "/api/v1/policy?date="+future, nil)
		if v := apptest.Decode[policy.Version](t, b); v.Settings.Exchange.QuotaTeacher != 9 || v.Version != 2 || v.CreatedBy != "sysadmin" {
			t.Fatalf("on %s: %+v", future, v)
		}
		if s, _ := sys.Do("GET", "/api/v1/policy?date=2026-13-01", nil); s != 422 {
			t.Fatalf("bad date: %d", s)
		}
		if n := e.AuditCount("policy.create", ""); n != 2 {
			t.Fatalf("policy versions audited: %d", n)
		}
	})
}

func TestPolicySectionsBelongToTheirAdmins(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		sys, sec := e.Login("sysadmin"), e.Login("secadmin")
		_, b := sys.Do("GET", "/api/v1/policy", nil)
		base := apptest.Decode[policy.Version](t, b).Settings
		today := store.Today().String()

		touchSecurity := base
		touchSecurity.Security.LockoutThreshold = 3
		s, b := sys.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": today, "settings": touchSecurity})
		if s != 422 || apptest.ParseErr(t, b).Error.Details[0].Rule != "policy_section_permission" {
			t.Fatalf("sysadmin changed security numbers: %d %s", s, b)
		}
		if s, b := sec.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": today, "settings": touchSecurity}); s != 201 {
			t.Fatalf("secadmin: %d %s", s, b)
		}
		touchExchange := touchSecurity
		touchExchange.Exchange.CooldownYears = 3
		if s, _ := sec.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": today, "settings": touchExchange}); s != 422 {
			t.Fatalf("secadmin changed county policy: %d", s)
		}
		// The security change is in force today: three failures now lock.
		e.App.Policy.Today(t.Context()) // cache is dropped on save; this reads the new version
		for i := 0; i < 3; i++ {
			e.Anon().Do("POST", "/api/v1/session", map[string]string{"username": "leader", "password": "Wrong#Pass2026"})
		}
		if n := e.AuditCount("account.lock", ""); n != 1 {
			t.Fatalf("lockout threshold from the new version not applied: %d locks", n)
		}
	})
}

func TestPolicyValidationNamesFields(t *testing.T) {
	t.Parallel()
	e := apptest.NewEnv(t, apptest.SQLite(t))
	sys := e.Login("sysadmin")
	_, b := sys.Do("GET", "/api/v1/policy", nil)
	bad := apptest.Decode[policy.Version](t, b).Settings
	bad.Exchange.TrainingMaxDays = 0
	bad.Group.Modes = append(bad.Group.Modes, bad.Group.Modes[0])
	bad.Security.AuditRetentionDays = 100
	s, b := sys.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": "2020-01-01", "settings": bad})
	if s != 422 {
		t.Fatalf("%d %s", s, b)
	}
	// Date problems are reported first, alone; fix the date and see the settings.
	if f := apptest.ParseErr(t, b).Error.Details[0].Field; f != "effective_from" {
		t.Fatalf("backdated: field %q", f)
	}
	s, b = sys.Do("POST", "/api/v1/policy/versions", map[string]any{"effective_from": store.Today().String(), "settings": bad})
	if s != 422 {
		t.Fatalf("%d %s", s, b)
	}
	var fields []string
	for _, d := range apptest.ParseErr(t, b).Error.Details {
		fields = append(fields, d.Field)
	}
	got := strings.Join(fields, ",")
	for _, want := range []string{"settings.exchange.training_max_days", "settings.group.modes[9]", "settings.security.audit_retention_days"} {
		if !strings.Contains(got, want) {
			t.Errorf("details %s lack %s", got, want)
		}
	}
	raw, _ := json.Marshal(map[string]any{"effective_from": store.Today().String(), "settings": map[string]any{"exchange": map[string]any{"quota_cadre": "five"}}})
	if s, b := sys.Do("POST", "/api/v1/policy/versions", string(raw)); s != 422 || apptest.ParseErr(t, b).Error.Details[0].Field != "settings.exchange.quota_cadre" {
		t.Fatalf("wrong type: %d %s", s, b)
	}
	if n := e.One(`SELECT count(*) FROM policy_versions`); n != 1 {
		t.Fatalf("a refused version was saved: %d versions", n)
	}
}
