// vector: the eight-float vectors every kernel computes with (GCC/clang vector extensions: SSE
// pairs in the portable clone, one AVX register in the AVX2 one), and the matching lane masks.
#ifndef SHEARS_VECTOR_H
#define SHEARS_VECTOR_H

#include <stdint.h>

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

// Helpers that take or return a v8f are `static inline __attribute__((always_inline))`: they are
// inlined into each clone and never called across the portable/AVX2 boundary, so the ABI
// change clang warns of for 32-byte vector arguments without AVX cannot occur.
#pragma clang diagnostic ignored "-Wpsabi"

#endif
