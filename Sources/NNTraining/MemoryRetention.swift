// MemoryRetention: the allocator setting training steps need. A step allocates and frees the
// same tensors (megabytes each) every step; by default glibc maps every block above its mmap
// threshold afresh and unmaps it on free, so each step faults every page of them back in,
// zeroed: a quarter of the bundled student's step at batch 128 on 2 cores. The setting is
// process-wide, so the executable decides (`shears` sets it at start), not the library.

import CKernels

public enum MemoryRetention {
    /// Keeps freed memory for reuse: blocks up to 32 MB from the heap, whose free top is never
    /// returned to the system (glibc's `mallopt`; nothing elsewhere).
    public static func retainFreedMemory() { shears_retain_freed_memory() }
}
