package blob_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"edugroup/internal/blob"
)

// The S3 tests run against a real S3-compatible server on loopback:
// SeaweedFS's `weed` (named by EDUGROUP_S3_SERVER, or found on the PATH),
// started once per test binary in a temporary directory and stopped by
// TestMain. Without the binary the S3 half is skipped, except under
// CI=true, where it fails.
var (
	s3Once sync.Once
	s3Cfg  blob.S3Config
	s3Err  error
	s3Cmd  *exec.Cmd
	s3Dir  string
)

const (
	s3Access = "edugroup-test"
	s3Secret = "edugroup-test-secret"
)

func s3Binary() string {
	if p := os.Getenv("EDUGROUP_S3_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	return ""
}

func s3Server(t *testing.T) blob.S3Config {
	t.Helper()
	bin := s3Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no S3-compatible server binary (weed) on the PATH or in EDUGROUP_S3_SERVER; .ci/run installs it")
		}
		t.Skip("no S3-compatible server binary (weed); set EDUGROUP_S3_SERVER or put weed on the PATH")
	}
	s3Once.Do(func() { s3Cfg, s3Err = startWeed(bin) })
	if s3Err != nil {
		t.Fatalf("starting the S3 server: %v", s3Err)
	}
	return s3Cfg
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for len(out) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		p := l.Addr().(*net.TCPAddr).Port
		// weed listens for gRPC on port+10000 unless told otherwise; keep
		// every port low enough that the default would still be valid.
		if p > 55000 {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func startWeed(bin string) (blob.S3Config, error) {
	dir, err := os.MkdirTemp("", "edugroup-s3-")
	if err != nil {
		return blob.S3Config{}, err
	}
	s3Dir = dir
	conf := filepath.Join(dir, "s3.json")
	ident := fmt.Sprintf(`{"identities":[{"name":"edugroup","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","Write","List","Tagging"]}]}`, s3Access, s3Secret)
	if err := os.WriteFile(conf, []byte(ident), 0o600); err != nil {
		return blob.S3Config{}, err
	}
	ports, err := freePorts(8)
	if err != nil {
		return blob.S3Config{}, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return blob.S3Config{}, err
	}
	args := []string{"server", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		fmt.Sprintf("-master.port=%d", ports[0]), fmt.Sprintf("-master.port.grpc=%d", ports[1]),
		fmt.Sprintf("-volume.port=%d", ports[2]), fmt.Sprintf("-volume.port.grpc=%d", ports[3]),
		"-filer", fmt.Sprintf("-filer.port=%d", ports[4]), fmt.Sprintf("-filer.port.grpc=%d", ports[5]),
		"-s3", fmt.Sprintf("-s3.port=%d", ports[6]), fmt.Sprintf("-s3.port.grpc=%d", ports[7]), "-s3.config=" + conf,
		"-volume.max=50", "-master.volumeSizeLimitMB=64"}
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		return blob.S3Config{}, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return blob.S3Config{}, err
	}
	s3Cmd = cmd
	cfg := blob.S3Config{Endpoint: fmt.Sprintf("127.0.0.1:%d", ports[6]), AccessKey: s3Access, SecretKey: s3Secret, Region: "us-east-1"}
	// Ready when a bucket can be made and written to: the S3 gateway answers
	// before the filer and a volume are up.
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		c := cfg
		c.Bucket, c.Prefix, c.TempDir = "edugroup-test", "ready/", dir
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, err := blob.NewS3(ctx, c)
		if err == nil {
			var st *blob.Staged
			if st, err = s.Stage(ctx, strings.NewReader("ready"), 10); err == nil {
				_, err = s.Commit(ctx, st)
			}
		}
		cancel()
		if err == nil {
			return cfg, nil
		}
		last = err
		time.Sleep(300 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "weed.log"))
	if len(log) > 2000 {
		log = log[len(log)-2000:]
	}
	return blob.S3Config{}, fmt.Errorf("not ready in 60 s: %v\n%s", last, log)
}

func stopS3() {
	if s3Cmd != nil && s3Cmd.Process != nil {
		_ = s3Cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s3Cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s3Cmd.Process.Kill()
			<-done
		}
	}
	if s3Dir != "" {
		os.RemoveAll(s3Dir)
	}
}
