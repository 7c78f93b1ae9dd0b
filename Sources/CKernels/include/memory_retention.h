// memory_retention: glibc's malloc told to keep freed memory for reuse (see
// shears_retain_freed_memory). Not a kernel: the one allocator setting training needs, here
// because Swift's Glibc module does not import malloc.h.
#ifndef SHEARS_MEMORY_RETENTION_H
#define SHEARS_MEMORY_RETENTION_H

/// With glibc: blocks up to 32 MB (its largest mmap threshold) come from the heap instead of
/// fresh mappings, and the heap's free top is never returned to the system, so memory freed
/// and allocated again (a training step's tensors, every step) is reused without page faults.
/// Process-wide; does nothing with other C libraries.
void shears_retain_freed_memory(void);

#endif
