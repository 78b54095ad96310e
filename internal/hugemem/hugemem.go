// Package hugemem makes the big, short-lived arrays of a batch computation
// (an exam's columns, ranks and statistic rows) cheaper to bring into
// memory.
//
// A fresh page of memory costs a page fault on first touch. With 4 KiB
// pages a 1,000,000-student analysis takes about 100,000 of them, and on a
// virtual machine each one can cost several microseconds: measured here,
// that was a third of the whole run. Where the kernel offers transparent
// huge pages on request (Linux, "madvise" mode, the common default), Make
// asks for them on the array's whole 2 MiB blocks, so one fault brings in
// 512 pages. Everywhere else it is a plain make.
package hugemem

import "unsafe"

// Threshold is the smallest array, in bytes, that is worth the advice.
const Threshold = 4 << 20

// Make returns make([]T, n), advised to use huge pages when it is big.
func Make[T any](n int) []T {
	s := make([]T, n)
	Advise(s)
	return s
}

// Advise asks for huge pages under the 2 MiB blocks that s covers whole.
// It must come before the array is first written to have its full effect;
// the contents are untouched and nothing fails if the kernel says no.
func Advise[T any](s []T) {
	var zero T
	size := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if size < Threshold {
		return
	}
	advise(uintptr(unsafe.Pointer(unsafe.SliceData(s))), size)
}
