//go:build unix

package examfile

// The speed targets of issue 5, as benchmarks (never run by plain go test):
//
//	go test -run '^$' -bench Analyze -benchtime 3x ./internal/exams/examfile/
//
// BenchmarkAnalyze1M:     1,000,000 students × 9 subjects, wide CSV: read,
//                         guess, parse, validate and compute the complete
//                         report data (all levels, distributions, ranks).
//                         Target ≤ 1.0 s on 2 cores, peak memory ≤ 1 GB.
// BenchmarkAnalyzeXLSX100k: the same for 100,000 students in an .xlsx;
//                         target ≤ 3 s.
//
// The data is generated once into a temporary directory. Each benchmark
// reports, besides ns/op (wall time in this process, warm), the CPU time
// per op, the time to write the JSON report, and a cold run in a fresh
// child process: its wall time and its peak resident memory.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"edugroup/internal/exams/analysis"
	"edugroup/internal/exams/examgen"
)

var benchData struct {
	once sync.Once
	dir  string
	err  error
}

// benchFile generates (once per test binary) the named file.
func benchFile(b *testing.B, name string, gen func(w io.Writer) error) string {
	b.Helper()
	benchData.once.Do(func() {
		benchData.dir, benchData.err = os.MkdirTemp("", "exams-bench-")
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	path := filepath.Join(benchData.dir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	start := time.Now()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gen(w); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.Logf("generated %s: %.0f MB in %s", name, float64(st.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
	return path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchData.dir != "" {
		os.RemoveAll(benchData.dir)
	}
	os.Exit(code)
}

// batchGC is what `edugroup analyze` does: no collection during the run,
// a memory limit as the backstop.
func batchGC() func() {
	gc := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(900 << 20)
	return func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }
}

// analyzePath is the work being timed: everything from the path to the
// complete report data.
func analyzePath(path string) (*analysis.Report, error) {
	rep, _, err := analyzeTimed(path)
	return rep, err
}

// analyzeTimed is analyzePath that also says how long reading and parsing
// took (the rest is the analysis).
func analyzeTimed(path string) (*analysis.Report, time.Duration, error) {
	start := time.Now()
	data, _, err := ReadPath(path)
	if err != nil {
		return nil, 0, err
	}
	res, _, err := ReadFile(filepath.Base(path), data, Options{})
	if err != nil {
		return nil, 0, err
	}
	parse := time.Since(start)
	rep, err := analysis.Analyze(res.Exam, res.ValidData())
	return rep, parse, err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchAnalyze times analyzePath in this process, then once cold in a child.
func benchAnalyze(b *testing.B, path string, students int) {
	defer batchGC()()
	var rep *analysis.Report
	var cpu time.Duration
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		c0 := cpuTime()
		var err error
		if rep, err = analyzePath(path); err != nil {
			b.Fatal(Describe(err))
		}
		cpu += cpuTime() - c0
		b.StopTimer()
		if rep.Data().Len() != students {
			b.Fatalf("students %d", rep.Data().Len())
		}
		rep = nil
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	rep, _ = analyzePath(path)
	start := time.Now()
	if err := rep.WriteJSON(io.Discard, false); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "json-ms")
	b.ReportMetric(float64(len(rep.Stats)), "stat-rows")
	rep = nil
	// Give this process's memory back before the child starts, so that the
	// runtime's background scavenger does not compete with it for a core.
	debug.FreeOSMemory()

	// A fresh process: the first run pays for fresh memory, and its peak
	// resident set is the honest memory figure.
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EXAMS_BENCH_CHILD="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	peak := 0.0
	for _, line := range strings.Split(string(out), "\n") {
		for _, m := range [][2]string{{"cold-seconds ", "cold-s"}, {"cold-parse-seconds ", "cold-parse-s"}} {
			if v, ok := strings.CutPrefix(line, m[0]); ok {
				s, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
				b.ReportMetric(s, m[1])
			}
		}
		if v, ok := strings.CutPrefix(line, "peak-rss-kb "); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			peak = kb / 1024
		}
	}
	// The child's own high-water mark; rusage would count the parent's
	// memory too (Linux keeps the pre-exec peak).
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && peak == 0 {
		peak = float64(ru.Maxrss) / 1024
	}
	b.ReportMetric(peak, "peak-RSS-MB")
}

// peakRSSKB is this process's peak resident set (VmHWM), 0 where /proc
// does not say.
func peakRSSKB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	return 0
}

// TestBenchChild is the child process of the benchmarks; it does nothing
// under plain go test.
func TestBenchChild(t *testing.T) {
	path := os.Getenv("EXAMS_BENCH_CHILD")
	if path == "" {
		t.Skip("only run by the benchmarks")
	}
	defer batchGC()()
	start := time.Now()
	_, parse, err := analyzeTimed(path)
	if err != nil {
		t.Fatal(Describe(err))
	}
	fmt.Printf("cold-seconds %.3f\ncold-parse-seconds %.3f\npeak-rss-kb %d\n", time.Since(start).Seconds(), parse.Seconds(), peakRSSKB())
}

func BenchmarkAnalyze1M(b *testing.B) {
	plan := examgen.NewPlan(examgen.Config{Students: 1_000_000, Schools: 400, Seed: 2026})
	path := benchFile(b, "exam-1m.csv", func(w io.Writer) error { return examgen.WriteCSV(w, plan) })
	benchAnalyze(b, path, 1_000_000)
}

func BenchmarkAnalyzeXLSX100k(b *testing.B) {
	plan := examgen.NewPlan(examgen.Config{Students: 100_000, Schools: 60, Seed: 2026, HalfPoints: true})
	path := benchFile(b, "exam-100k.xlsx", func(w io.Writer) error { return examgen.WriteXLSX(w, plan, false) })
	benchAnalyze(b, path, 100_000)
}
