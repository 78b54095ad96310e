//go:build unix

package examfile

import (
	"os"
	"syscall"
)

// ReadPath returns the bytes of a file for Open, and a release function to
// call once nothing made from them (Data, Report) is used any more. On Unix
// a big file is mapped read-only rather than copied: the pages are already
// in the page cache, and a 1,000,000-student CSV is 140 MB that need not be
// allocated and touched again.
func ReadPath(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size < 1<<20 || size > MaxFileBytes || !st.Mode().IsRegular() {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	return b, func() { _ = syscall.Munmap(b) }, nil
}
