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

/// *best, or *value where it is greater or NaN: the max pools' rule over taps in row-major
/// order (the first of equal maxima, the last NaN; from −inf, which takes the first tap as is,
/// as the callers do). `v > best ? v : best` is one max instruction (whose NaN answer is
/// best), then the NaNs of v are blended in.
static inline __attribute__((always_inline)) void max_tap(v8f *best, const v8f *value) {
    v8f v = *value;
    v8i greater = v > *best, nan = v != v;
    v8f larger = (v8f)((greater & (v8i)v) | (~greater & (v8i)*best));
    *best = (v8f)((nan & (v8i)v) | (~nan & (v8i)larger));
}

/// Whether the AVX2 clones may run here (asked once).
int shears_use_avx2(void);

#endif
