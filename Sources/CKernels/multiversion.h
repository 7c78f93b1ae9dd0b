// multiversion: what every CKernels source shares. A kernel's body is written once as a macro
// taking (SUFFIX, ATTRIBUTE), instantiated as `NAME_portable` and, on x86-64 with clang, as
// `NAME_avx2` with `SHEARS_AVX2` (AVX2 + FMA code generation); the public function calls the
// AVX2 clone when `shears_use_avx2()` says the CPU has both.
#ifndef SHEARS_MULTIVERSION_H
#define SHEARS_MULTIVERSION_H

#include <stdint.h>

#if defined(__x86_64__) && defined(__clang__)
#define SHEARS_MULTIVERSION 1
#define SHEARS_AVX2 __attribute__((target("avx2,fma")))
#else
#define SHEARS_MULTIVERSION 0
#endif

/// Eight floats (GCC/clang vector extensions: SSE pairs in the portable clone, one AVX
/// register in the AVX2 one), and the matching lane masks.
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

/// Whether the AVX2 clones may run here (asked once).
int shears_use_avx2(void);

#endif
