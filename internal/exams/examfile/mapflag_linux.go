package examfile

import "syscall"

// mapPopulate has the kernel map the whole file at once: one pass over the
// page cache instead of a fault every few pages while the workers read.
const mapPopulate = syscall.MAP_POPULATE
