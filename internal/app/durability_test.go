package app_test

// These tests run the real binary as a child process, because what they check
// (a process killed by the kernel, a signal-driven shutdown, the data-directory
// lock released on death) cannot be observed inside one test process.

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"edugroup/internal/demo"
)

// TestDurability builds the binary once and runs the crash and shutdown
// scenarios against it.
func TestDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs servers; skipped with -short")
	}
	bin := durBuild(t)
	t.Run("SIGKILL during writes keeps every acknowledged write", func(t *testing.T) { durKillDuringWrites(t, bin) })
	t.Run("SIGTERM drains the request in flight and exits 0", func(t *testing.T) { durTermDrains(t, bin) })
}

// durKillDuringWrites: a 201 means committed. Concurrent writers create users
// until the server is SIGKILLed mid-burst; after a restart every user whose
// creation was acknowledged must be there, the file must pass integrity_check,
// and the audit chain must verify.
func durKillDuringWrites(t *testing.T, bin string) {
	const (
		writers = 8
		minAck  = 20                      // never kill before this many writes are acknowledged, or the test proves nothing
		maxAck  = 400                     // kill early once this many are acknowledged
		burst   = 1500 * time.Millisecond // otherwise kill after this much writing
	)
	dir := t.TempDir()
	srv := durStart(t, bin, dir, true)
	token := durToken(t, srv.url)

	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	defer hc.CloseIdleConnections()

	var acked, inflight atomic.Int64
	minReached, maxReached := make(chan struct{}), make(chan struct{})
	stop := make(chan struct{})
	acks := make([][]string, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// No "_" in the name: the user search drops "_" and "%" from
				// its query, so such a name could not be searched for below.
				name := fmt.Sprintf("kill%d-%d", w, i)
				inflight.Add(1)
				status, body, err := durCall(hc, "POST", srv.url+"/api/v1/users", token, map[string]string{"username": name, "display_name": "断电测试"})
				inflight.Add(-1)
				if err != nil {
					// No status line: the server died with this request in
					// flight. It was never acknowledged, so it may or may not
					// have been committed.
					return
				}
				if status != http.StatusCreated {
					t.Errorf("create %s: status %d %s", name, status, body)
					return
				}
				// The status line alone is the acknowledgement: the server
				// writes it only after the commit, even if the body is cut off.
				acks[w] = append(acks[w], name)
				switch acked.Add(1) {
				case minAck:
					close(minReached)
				case maxAck:
					close(maxReached)
				}
			}
		}()
	}

	start := time.Now()
	select {
	case <-minReached:
	case <-time.After(2 * time.Minute):
		close(stop)
		wg.Wait()
		t.Fatalf("only %d writes acknowledged in two minutes", acked.Load())
	}
	select {
	case <-maxReached:
	case <-time.After(burst - time.Since(start)):
	}
	inflightAtKill := inflight.Load()
	srv.kill()
	close(stop)
	wg.Wait()
	if t.Failed() {
		return
	}
	// The writers never pause, so requests must have been in flight; without
	// them the kill would only test an idle server.
	if inflightAtKill == 0 {
		t.Fatal("no write was in flight when the server was killed")
	}
	var want []string
	for _, a := range acks {
		want = append(want, a...)
	}
	t.Logf("killed after %s: %d writes acknowledged, %d in flight", time.Since(start).Round(time.Millisecond), len(want), inflightAtKill)

	// The same data directory must start again: the kernel released the lock
	// with the dead process, and SQLite recovers its WAL on open.
	srv = durStart(t, bin, dir, false)
	// The writes closest to the kill are the likeliest to be lost; read the
	// last acknowledged one of each writer back through the API.
	for _, a := range acks {
		if len(a) == 0 {
			continue
		}
		last := a[len(a)-1]
		status, body, err := durCall(hc, "GET", srv.url+"/api/v1/users?page_size=200&q="+url.QueryEscape(last), token, nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("list users after restart: %d %s %v", status, body, err)
		}
		var list struct {
			Items []struct {
				Username string `json:"username"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, u := range list.Items {
			found = found || u.Username == last
		}
		if !found {
			t.Errorf("acknowledged user %s is not served after restart", last)
		}
	}
	srv.term()

	// With the server stopped, read the file itself.
	db := durOpenRO(t, filepath.Join(dir, "edugroup.db"))
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Fatalf("integrity_check = %q, want ok", check)
	}
	present := map[string]bool{}
	rows, err := db.Query(`SELECT username FROM users WHERE username LIKE 'kill%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		present[u] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	var lost []string
	for _, u := range want {
		if !present[u] {
			lost = append(lost, u)
		}
	}
	if len(lost) != 0 {
		t.Fatalf("%d of %d acknowledged writes lost, e.g. %v", len(lost), len(want), lost[:min(len(lost), 10)])
	}
	t.Logf("%d users on disk: %d acknowledged, %d committed but unanswered", len(present), len(want), len(present)-len(want))

	// A user and its audit record are written in one transaction, so the
	// crash may keep both or neither, never one without the other.
	var orphanUsers, orphanAudit int
	if err := db.QueryRow(`SELECT count(*) FROM users u WHERE u.username LIKE 'kill%' AND NOT EXISTS
		(SELECT 1 FROM audit_log a WHERE a.action = 'user.create' AND a.object_id = CAST(u.id AS TEXT))`).Scan(&orphanUsers); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM audit_log a WHERE a.action = 'user.create' AND NOT EXISTS
		(SELECT 1 FROM users u WHERE CAST(u.id AS TEXT) = a.object_id)`).Scan(&orphanAudit); err != nil {
		t.Fatal(err)
	}
	if orphanUsers != 0 || orphanAudit != 0 {
		t.Fatalf("half-committed creations: %d users without audit record, %d audit records without user", orphanUsers, orphanAudit)
	}
	db.Close()

	out, err := exec.Command(bin, "audit", "verify", "--data", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("audit verify after the crash: %v\n%s", err, out)
	}
}

// durTermDrains: SIGTERM stops accepting, lets a request already inside its
// handler finish and commit, and exits 0.
func durTermDrains(t *testing.T, bin string) {
	dir := t.TempDir()
	srv := durStart(t, bin, dir, true)
	token := durToken(t, srv.url)
	host := strings.TrimPrefix(srv.url, "http://")

	// A request that is inside its handler when the signal arrives: with
	// "Expect: 100-continue" the server answers "100 Continue" only once the
	// handler starts reading the body, so receiving it proves the request got
	// past routing and authentication. The body is held back until the server
	// is shutting down.
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"username":"drained","display_name":"优雅停机"}`
	fmt.Fprintf(conn, "POST /api/v1/users HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		host, token, len(body))
	br := bufio.NewReader(conn)
	req, _ := http.NewRequest("POST", srv.url+"/api/v1/users", nil)
	cont, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	if cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %d", cont.StatusCode)
	}

	draining := srv.stderr.await("shutting down")
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-draining:
	case <-srv.done:
		t.Fatal("the server exited with a request in its handler")
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start shutting down within 10 s of SIGTERM")
	}
	// The log line comes just before the listener is closed; wait until new
	// connections are refused, which is also the "stop accepting" half of a
	// graceful shutdown.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", host)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 10 s after SIGTERM")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-srv.done:
		t.Fatal("the server exited without finishing the request in flight")
	default:
	}

	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the request in flight answered %d %s, want 201", resp.StatusCode, b)
	}
	sent := time.Now()
	srv.waitExit(10 * time.Second)
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, srv.stderr.String())
	}
	t.Logf("exited %s after the last response", time.Since(sent).Round(time.Millisecond))

	db := durOpenRO(t, filepath.Join(dir, "edugroup.db"))
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM users WHERE username = 'drained'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the drained request's user: %d rows, want 1", n)
	}
}

// durBuild compiles cmd/edugroup into the test's temp dir.
func durBuild(t *testing.T) string {
	t.Helper()
	// Tests run in the package directory; the module root is two up.
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "edugroup")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/edugroup")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// durServer is one `edugroup serve` child process.
type durServer struct {
	t       *testing.T
	cmd     *exec.Cmd
	url     string
	stdout  *durWatch
	stderr  *durWatch
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// durStart runs `serve` on a kernel-chosen loopback port and waits until it
// says it is listening.
func durStart(t *testing.T, bin, dataDir string, withDemo bool) *durServer {
	t.Helper()
	args := []string{"serve", "--data", dataDir, "--addr", "127.0.0.1:0"}
	if withDemo {
		// Explicit, so an EDUGROUP_DEMO_PASSWORD in the environment does not
		// change the accounts' password.
		args = append(args, "--demo", "--demo-password", demo.DefaultPassword)
	}
	s := &durServer{t: t, cmd: exec.Command(bin, args...), stdout: &durWatch{}, stderr: &durWatch{}, done: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	listening := s.stdout.await("is running at ")
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server %s stderr:\n%s", strings.Join(args, " "), s.stderr.String())
		}
	})
	select {
	case u := <-listening:
		s.url = u
	case <-s.done:
		t.Fatalf("serve exited before listening (%v):\n%s", s.waitErr, s.stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not listen within two minutes:\n%s", s.stderr.String())
	}
	return s
}

func (s *durServer) waitExit(limit time.Duration) {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(limit):
		s.t.Fatalf("server still running %s after the signal", limit)
	}
}

// kill sends SIGKILL and checks that this, not something else, ended it.
func (s *durServer) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatal(err)
	}
	s.waitExit(10 * time.Second)
	ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		s.t.Fatalf("server ended with %v, not by SIGKILL", s.cmd.ProcessState)
	}
}

// term sends SIGTERM and expects a clean exit 0 within a few seconds.
func (s *durServer) term() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	s.waitExit(10 * time.Second)
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		s.t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, s.stderr.String())
	}
}

// durWatch collects a child's output and tells waiters when a line with a
// given text has been written.
type durWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wants []durWant
}

type durWant struct {
	text string
	ch   chan string // gets the rest of the line after text
}

func (w *durWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	w.match()
	return len(p), nil
}

func (w *durWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// await returns a channel that receives the rest of the first complete line
// containing text, whether it was written before or after the call.
func (w *durWatch) await(text string) <-chan string {
	ch := make(chan string, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wants = append(w.wants, durWant{text, ch})
	w.match()
	return ch
}

func (w *durWatch) match() {
	s := w.buf.String()
	kept := w.wants[:0]
	for _, want := range w.wants {
		i := strings.Index(s, want.text)
		if i < 0 {
			kept = append(kept, want)
			continue
		}
		rest := s[i+len(want.text):]
		j := strings.IndexByte(rest, '\n')
		if j < 0 {
			kept = append(kept, want) // the line is not complete yet
			continue
		}
		want.ch <- strings.TrimSpace(rest[:j])
	}
	w.wants = kept
}

// durToken logs in as the system administrator and creates a bearer token, so
// the writers need neither cookies nor CSRF tokens.
func durToken(t *testing.T, base string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	b, _ := json.Marshal(map[string]string{"username": "sysadmin", "password": demo.DefaultPassword})
	resp, err := hc.Post(base+"/api/v1/session", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &sess); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(map[string]any{"name": "durability", "expires_days": 1})
	req, _ := http.NewRequest("POST", base+"/api/v1/tokens", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", sess.CSRF)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create token: %d %s", resp.StatusCode, body)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// durCall sends one request with a bearer token. err is set only when no
// status line came back; a body cut short still returns the status.
func durCall(hc *http.Client, method, u, token string, in any) (int, []byte, error) {
	var rd io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, nil
}

// durOpenRO opens a stopped server's SQLite file read-only.
func durOpenRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
