// plane_mean: see shears_plane_means in include/ckernels.h (global average pooling, the
// squeeze of squeeze-excite blocks): four eight-float sums per plane, so that the adds do not
// wait on one another, then the rest one float at a time.

#include "ckernels.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

static inline __attribute__((always_inline)) void plane_means(const float *x, float *y, int64_t planes, int64_t spatial) {
    for (int64_t p = 0; p < planes; p++) {
        const float *row = x + p * spatial;
        v8f sum[4] = {{0}};
        int64_t k = 0;
        for (; k + 32 <= spatial; k += 32)
#pragma clang loop unroll(full)
            for (int u = 0; u < 4; u++) {
                v8f v;
                memcpy(&v, row + k + 8 * u, sizeof v);
                sum[u] += v;
            }
        for (int u = 0; k + 8 <= spatial; k += 8, u++) {
            v8f v;
            memcpy(&v, row + k, sizeof v);
            sum[u] += v;
        }
        v8f all = (sum[0] + sum[1]) + (sum[2] + sum[3]);
        float total = ((all[0] + all[1]) + (all[2] + all[3])) + ((all[4] + all[5]) + (all[6] + all[7]));
        for (; k < spatial; k++) total += row[k];
        y[p] = total / (float)spatial;
    }
}

static void plane_means_portable(const float *x, float *y, int64_t planes, int64_t spatial) { plane_means(x, y, planes, spatial); }

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void plane_means_avx2(const float *x, float *y, int64_t planes, int64_t spatial) {
    plane_means(x, y, planes, spatial);
}
#endif

void shears_plane_means(const float *x, float *y, int64_t planes, int64_t spatial) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { plane_means_avx2(x, y, planes, spatial); return; }
#endif
    plane_means_portable(x, y, planes, spatial);
}
