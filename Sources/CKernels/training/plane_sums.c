// plane_sums: see shears_plane_sum and shears_plane_gradient_sums in include/training.h
// (BatchNorm's statistics and its backward's sums), in double vectors of four, two at a time.

#include "training.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

typedef double v4d __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/// x[p ..< p + 4] widened to double, minus `center`.
static inline __attribute__((always_inline)) v4d centered(const float *x, v4d center) {
    v4f f;
    memcpy(&f, x, sizeof f);
    return __builtin_convertvector(f, v4d) - center;
}

/// The lanes of `a` and `b` summed in order.
static inline __attribute__((always_inline)) double lanes(v4d a, v4d b) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((b[0] + b[1]) + (b[2] + b[3]));
}

static inline __attribute__((always_inline)) double plane_sum_body(const float *x, int64_t count, double center, int32_t squared) {
    v4d c = {center, center, center, center}, a = {0, 0, 0, 0}, b = a;
    int64_t p = 0;
    for (; p + 8 <= count; p += 8) {
        v4d u = centered(x + p, c), w = centered(x + p + 4, c);
        if (squared) {
            a += u * u;
            b += w * w;
        } else {
            a += u;
            b += w;
        }
    }
    double sum = lanes(a, b);
    for (; p < count; p++) {
        double d = (double)x[p] - center;
        sum += squared ? d * d : d;
    }
    return sum;
}

static inline __attribute__((always_inline)) void gradient_sums_body(const float *g, const float *x, int64_t count, double center,
                                                                     double *sum, double *dot) {
    v4d c = {center, center, center, center}, zero = {0, 0, 0, 0};
    v4d s0 = zero, s1 = zero, d0 = zero, d1 = zero;
    int64_t p = 0;
    for (; p + 8 <= count; p += 8) {
        v4d g0 = centered(g + p, zero), g1 = centered(g + p + 4, zero);
        s0 += g0;
        s1 += g1;
        d0 += g0 * centered(x + p, c);
        d1 += g1 * centered(x + p + 4, c);
    }
    double s = lanes(s0, s1), d = lanes(d0, d1);
    for (; p < count; p++) {
        s += (double)g[p];
        d += (double)g[p] * ((double)x[p] - center);
    }
    *sum = s;
    *dot = d;
}

static double plane_sum_portable(const float *x, int64_t count, double center, int32_t squared) {
    return plane_sum_body(x, count, center, squared);
}

static void gradient_sums_portable(const float *g, const float *x, int64_t count, double center, double *sum, double *dot) {
    gradient_sums_body(g, x, count, center, sum, dot);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static double plane_sum_avx2(const float *x, int64_t count, double center, int32_t squared) {
    return plane_sum_body(x, count, center, squared);
}

SHEARS_AVX2 static void gradient_sums_avx2(const float *g, const float *x, int64_t count, double center, double *sum, double *dot) {
    gradient_sums_body(g, x, count, center, sum, dot);
}
#endif

double shears_plane_sum(const float *x, int64_t count, double center, int32_t squared) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) return plane_sum_avx2(x, count, center, squared);
#endif
    return plane_sum_portable(x, count, center, squared);
}

void shears_plane_gradient_sums(const float *g, const float *x, int64_t count, double center, double *sum, double *dot) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { gradient_sums_avx2(g, x, count, center, sum, dot); return; }
#endif
    gradient_sums_portable(g, x, count, center, sum, dot);
}
