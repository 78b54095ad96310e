//go:build !linux

package hugemem

func advise(start, size uintptr) {}
