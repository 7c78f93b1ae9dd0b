// multiversion: how every CKernels kernel is compiled for more than one instruction set. A
// kernel's body is an `static inline __attribute__((always_inline))` function without target
// attributes; each kernel file instantiates it as `NAME_portable` (plain) and, on x86-64 with
// clang, as `NAME_avx2` marked `SHEARS_AVX2` (AVX2 + FMA code generation: the body is inlined
// into it, so every helper it calls is compiled for AVX2 too). The public function calls the
// AVX2 clone when `shears_use_avx2()` (cpu_features.c) says the CPU has both.
#ifndef SHEARS_MULTIVERSION_H
#define SHEARS_MULTIVERSION_H

#if defined(__x86_64__) && defined(__clang__)
#define SHEARS_MULTIVERSION 1
#define SHEARS_AVX2 __attribute__((target("avx2,fma")))
#else
#define SHEARS_MULTIVERSION 0
#endif

/// Whether the AVX2 clones may run here (asked once).
int shears_use_avx2(void);

#endif
