package hugemem

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestMakeIsAPlainSlice(t *testing.T) {
	for _, n := range []int{0, 1, 1000, Threshold} {
		s := Make[int32](n)
		if len(s) != n || cap(s) < n {
			t.Fatalf("Make(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i, v := range s {
			if v != 0 {
				t.Fatalf("Make(%d)[%d] = %d", n, i, v)
			}
		}
	}
	Advise([]string(nil)) // nothing to advise, nothing fails
}

// vmFlags reads the VmFlags of the mapping that holds addr.
func vmFlags(t *testing.T, addr uintptr) string {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(line, ":") && !strings.Contains(strings.Fields(line)[0], ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uintptr(a) <= addr && addr < uintptr(b)
			continue
		}
		if v, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return v
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}

func TestAdviceReachesTheKernel(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge page advice is Linux only")
	}
	if b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil || strings.Contains(string(b), "[never]") {
		t.Skip("transparent huge pages are off on this machine")
	}
	s := Make[byte](16 << 20)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	inner := (start + hugePage - 1) &^ (hugePage - 1)
	if flags := vmFlags(t, inner); !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the array's whole 2 MiB blocks are not advised: VmFlags %s", flags)
	}
	runtime.KeepAlive(s)
}
