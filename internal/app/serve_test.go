package app_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"edugroup/internal/app"
)

// TestServeTakenPortFailsBeforeSeeding: with the address in use, serve --demo
// fails on it before it seeds the demo or prints any account.
func TestServeTakenPortFailsBeforeSeeding(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "serve", "--demo", "--data", dir, "--addr", ln.Addr().String())
	if code == 0 {
		t.Fatalf("serve on a taken port exited 0: %s %s", out, errOut)
	}
	if !strings.Contains(errOut, "address already in use") {
		t.Errorf("the error does not name the taken address: %q", errOut)
	}
	if strings.Contains(out, "Demo accounts") || strings.Contains(out, "is running at") {
		t.Errorf("serve printed a banner for a server that never listened: %q", out)
	}
	a, err := app.Open(context.Background(), filepath.Join(dir, "edugroup.db"), nil)
	if err != nil {
		return // nothing was even created
	}
	defer a.Close()
	var n int
	if err := a.Store.R.QueryRowContext(context.Background(), `SELECT count(*) FROM schools`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the demo was seeded (%d schools) before the listen failed", n)
	}
}

// TestDemoPasswordBannerTellsTheTruth: a second seeding with another password
// does not claim the accounts now have it.
func TestDemoPasswordBannerTellsTheTruth(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "demo", "--data", dir)
	if code != 0 || !strings.Contains(out, "Demo accounts (password Demo@2026)") {
		t.Fatalf("first demo: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "demo", "--data", dir, "--demo-password", "Other#2027pw")
	if code != 0 {
		t.Fatalf("second demo: %d %s %s", code, out, errOut)
	}
	if strings.Contains(out, "Other#2027pw") {
		t.Errorf("the banner names a password the accounts do not have: %s", out)
	}
	if !strings.Contains(out, "seeded before") || !strings.Contains(out, "keep the password they have") {
		t.Errorf("the banner does not say the accounts keep their password: %s", out)
	}
}
