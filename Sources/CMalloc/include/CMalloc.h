#ifndef CMALLOC_H
#define CMALLOC_H

#include <stddef.h>

/// glibc's allocator settings (<malloc.h>, which Swift's Glibc module leaves out).

/// Keeps up to `bytes` of freed memory at the top of the heap instead of giving it back to
/// the kernel (glibc's default: from 128 KiB) — for a process that frees and allocates the
/// same amounts in rounds until it ends. Returns 1 on success, 0 when glibc refused it.
int cmalloc_keep_freed_heap(size_t bytes);

#endif
