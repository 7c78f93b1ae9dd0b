// activation: the activations a kernel applies in its stores (shears_activation in
// include/ckernels.h), eight floats at a time, as the engine's Swift `Activation.apply` computes
// them up to float rounding: NaN stays NaN; sigmoid and SiLU through `exp8`, a vector exp.
#ifndef SHEARS_ACTIVATION_H
#define SHEARS_ACTIVATION_H

#include "ckernels.h"
#include "vector.h"

#include <math.h>
#include <string.h>

/// mask ? a : b, lane by lane (`mask` a vector comparison's all-ones or zero lanes).
static inline __attribute__((always_inline)) v8f select8(v8i mask, v8f a, v8f b) {
    return (v8f)((mask & (v8i)a) | (~mask & (v8i)b));
}

/// min(max(x, lower), upper) with a NaN kept (Swift's `min(max(x, lower), upper)`).
static inline __attribute__((always_inline)) v8f clamp8(v8f x, v8f lower, v8f upper) {
    x = select8(x < lower, lower, x);
    return select8(x > upper, upper, x);
}

/// e^x, within 2 ulp of expf for x in [−87.3, 88.3] (x clamped there: 2^±126 beyond, NaN kept):
/// x = n·ln 2 + r with n = round(x / ln 2), |r| <= ln 2 / 2, e^r by Cephes' expf polynomial,
/// 2^n built in the exponent bits.
static inline __attribute__((always_inline)) v8f exp8(v8f x) {
    x = clamp8(x, (v8f){0} - 87.3f, (v8f){0} + 88.3f);
    const float shifter = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer
    v8f t = x * 1.44269504088896341f + shifter;
    v8f n = t - shifter;
    v8f r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    v8f p = (v8f){0} + 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    v8f e = p * (r * r) + r + 1.0f;
    v8i bits = ((v8i)t - (v8i)((v8f){0} + shifter) + 127) << 23;  // 2^n, n in [−126, 127]
    return e * (v8f)bits;
}

/// The activation `a` of eight values: clip (ReLU, ReLU6), leaky ReLU, hard sigmoid, hard
/// swish, sigmoid, SiLU; the identity for `SHEARS_ACTIVATION_NONE`.
static inline __attribute__((always_inline)) v8f activate8(v8f x, shears_activation a) {
    v8f zero = {0};
    switch (a.kind) {
    case SHEARS_ACTIVATION_CLIP: return clamp8(x, zero + a.a, zero + a.b);
    case SHEARS_ACTIVATION_LEAKY: return select8(x < 0, x * a.a, x);
    case SHEARS_ACTIVATION_HARD_SIGMOID: return clamp8(x * a.a + a.b, zero, zero + 1.0f);
    case SHEARS_ACTIVATION_HARD_SWISH: return x * clamp8(x + 3.0f, zero, zero + 6.0f) / 6.0f;
    case SHEARS_ACTIVATION_SIGMOID: return 1.0f / (1.0f + exp8(-x));
    case SHEARS_ACTIVATION_SILU: return x / (1.0f + exp8(-x));
    default: return x;
    }
}

/// y[k] = activate(y[k]) for k < count, in place.
static inline __attribute__((always_inline)) void activate_floats(float *y, int64_t count, shears_activation a) {
    if (a.kind == SHEARS_ACTIVATION_NONE) return;
    int64_t k = 0;
    for (; k + 8 <= count; k += 8) {
        v8f v;
        memcpy(&v, y + k, sizeof v);
        v = activate8(v, a);
        memcpy(y + k, &v, sizeof v);
    }
    if (k < count) {
        v8f v = {0};
        memcpy(&v, y + k, sizeof(float) * (size_t)(count - k));
        v = activate8(v, a);
        memcpy(y + k, &v, sizeof(float) * (size_t)(count - k));
    }
}

#endif
