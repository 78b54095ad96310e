package hugemem

import "syscall"

const hugePage = 2 << 20

// advise marks [start, start+size) rounded inward to 2 MiB as
// MADV_HUGEPAGE. The range is memory the Go runtime has mapped for the
// heap; the advice changes only how later faults are served.
func advise(start, size uintptr) {
	lo := (start + hugePage - 1) &^ (hugePage - 1)
	hi := (start + size) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE)
}
