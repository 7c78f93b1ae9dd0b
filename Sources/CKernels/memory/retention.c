// retention: see shears_retain_freed_memory in include/memory_retention.h.

#include "memory_retention.h"

#include <limits.h>  // defines __GLIBC__ under glibc (through features.h)
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void shears_retain_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
