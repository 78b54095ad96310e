package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"edugroup/internal/app"
	"edugroup/internal/auth"
)

// An account and the role it is made for are written together: the first
// admin has its role, and `user create --role` with a scope that does not
// exist leaves no account without one behind.
func TestAccountsAreCreatedWithTheirRoles(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	code, out, errOut := runCLI(t, "user", "create", "--data", dir, "--username", "li", "--name", "李老师", "--role", "school_admin", "--scope-id", "424242")
	if code != 1 || strings.Contains(out, "one-time password") {
		t.Fatalf("user create with a missing school: %d %s %s", code, out, errOut)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, filepath.Join(dir, "edugroup.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if id, err := a.Auth.UserIDByName(ctx, "li"); err == nil {
		t.Fatalf("the refused create left account %d behind", id)
	}
	pw, err := a.Bootstrap(ctx)
	if err != nil || pw == "" {
		t.Fatalf("bootstrap: %q %v", pw, err)
	}
	sess, _, err := a.Auth.Login(ctx, "admin", pw, "", "", auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Grants) != 1 || sess.Grants[0].Role != auth.SystemAdmin || sess.Grants[0].ScopeType != auth.ScopeCounty {
		t.Fatalf("the first admin's grants: %+v", sess.Grants)
	}
}
