// pointwise: the pointwise conv kernel (shears_pointwise_conv in include/pointwise_conv.h, which
// gives its blocking), its weight packing and its fused epilogue.

#include "pointwise_conv.h"
#include "../common/activation.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

enum {
    PW_MR = SHEARS_POINTWISE_TILE_CHANNELS,  // most output channels per tile
    PW_NR = 16,                              // positions per panel (two vectors)
    PW_KC = 512,                             // most input channels per chunk (a panel: 32 KiB)
    PW_BLOCK_FLOATS = 1 << 15,               // most floats of X per block of positions (128 KiB)
    PW_MC = 96,                              // output channels per block (a multiple of PW_MR)
    PW_PACK_POSITIONS = 64,                  // maps with fewer positions have X's panels packed
};

/// Input channels per chunk (`most`, the in_c split evenly in chunks of at most PW_KC) and
/// positions per block (a multiple of PW_NR: a block of X for a chunk at most PW_BLOCK_FLOATS).
static inline __attribute__((always_inline)) int64_t pw_blocking(int32_t in_c, int32_t *most) {
    int32_t chunks = (in_c + PW_KC - 1) / PW_KC;
    *most = (in_c + chunks - 1) / chunks;
    int64_t block = PW_BLOCK_FLOATS / *most / PW_NR * PW_NR;
    return block < PW_NR ? PW_NR : block;
}

/// How the store applies the activation: clamped to [lo, hi] in registers (none, clip),
/// leaky in registers, hard sigmoid or hard swish in registers (`activate8`), or stored linear
/// and activated per tile row (`activate_floats`: sigmoid and SiLU, whose vector exp would
/// crowd the tile's sums out of the registers).
enum { PW_CLAMP, PW_LEAKY, PW_HARD, PW_ROWS };

/// The eight floats at p (any alignment).
static inline __attribute__((always_inline)) v8f pw_load(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/// One tile: `height` (6 or 4) output channels x 8·vectors positions, of which `rows` channels
/// and `count` positions are stored at y (rows `positions` floats apart), from the packed
/// weights at w (channel r of input c at w[c·6 + r]) and `kc` rows of positions at x (rows
/// `stride` floats apart). Added to what y holds unless `first`; when `last`, + bias, + skip
/// (rows `positions` apart, unless NULL), then the activation of `mode` (clamp to [lo, hi],
/// leaky with slope `act.a`, `act` by activate8; else left to `pw_tiles`).
static inline __attribute__((always_inline)) void pw_tile(const float *w, const float *x, int64_t stride, int32_t kc, int32_t height,
                                                          int32_t vectors, int32_t mode, float *y, int64_t positions, int32_t rows,
                                                          int32_t count, int32_t first, int32_t last, const float *bias,
                                                          const float *skip, shears_activation act, float low, float high) {
    v8f lo = (v8f){0} + low, hi = (v8f){0} + high;
    v8f sum[PW_MR][2] = {{{0}}};
    if (vectors == 1) {
        // `height` chains of FMAs alone would wait on the FMA latency: even inputs go to
        // sum[r][0], odd ones to sum[r][1], added at the end.
        int32_t k = 0;
        for (; k + 2 <= kc; k += 2) {
            v8f even = pw_load(x + k * stride), odd = pw_load(x + (k + 1) * stride);
#pragma clang loop unroll(full)
            for (int32_t r = 0; r < height; r++) {
                sum[r][0] += w[k * PW_MR + r] * even;
                sum[r][1] += w[(k + 1) * PW_MR + r] * odd;
            }
        }
        if (k < kc) {
            v8f even = pw_load(x + k * stride);
#pragma clang loop unroll(full)
            for (int32_t r = 0; r < height; r++) sum[r][0] += w[k * PW_MR + r] * even;
        }
#pragma clang loop unroll(full)
        for (int32_t r = 0; r < height; r++) sum[r][0] += sum[r][1];
    } else {
        // Loads first, then one broadcast weight at a time, every loop unrolled: the sums stay
        // in registers.
        for (int32_t k = 0; k < kc; k++) {
            v8f in0 = pw_load(x + k * stride), in1 = pw_load(x + k * stride + 8);
#pragma clang loop unroll(full)
            for (int32_t r = 0; r < height; r++) {
                float weight = w[k * PW_MR + r];
                sum[r][0] += weight * in0;
                sum[r][1] += weight * in1;
            }
        }
    }
    // A full tile goes straight to y; a partial one through `part` (what y and skip hold, then
    // the results). The loops over the sums are unrolled so that they stay in registers.
    int32_t full = rows == height && count == 8 * vectors;
    float part[PW_MR][PW_NR], extra[PW_MR][PW_NR];
    float *to = y, *add = (float *)skip;
    int64_t step = positions;
    if (!full) {
        for (int32_t r = 0; r < rows; r++) {
            if (!first) memcpy(part[r], y + r * positions, sizeof(float) * (size_t)count);
            if (last && skip) memcpy(extra[r], skip + r * positions, sizeof(float) * (size_t)count);
        }
        to = part[0], add = extra[0], step = PW_NR;
    }
#pragma clang loop unroll(full)
    for (int32_t r = 0; r < height; r++) {
        float b = last && r < rows ? bias[r] : 0;
#pragma clang loop unroll(full)
        for (int32_t u = 0; u < vectors; u++) {
            v8f value = sum[r][u];
            if (!first) value += pw_load(to + r * step + 8 * u);
            if (last) {
                value += b;
                if (skip) value += pw_load(add + r * step + 8 * u);
                if (mode == PW_CLAMP) {
                    v8i below = value < lo;
                    value = (v8f)((below & (v8i)lo) | (~below & (v8i)value));
                    v8i above = value > hi;
                    value = (v8f)((above & (v8i)hi) | (~above & (v8i)value));
                } else if (mode == PW_LEAKY) {
                    v8i below = value < 0;
                    v8f scaled = value * act.a;
                    value = (v8f)((below & (v8i)scaled) | (~below & (v8i)value));
                } else if (mode == PW_HARD) {
                    value = activate8(value, act);
                }
            }
            if (full || r < rows) memcpy(to + r * step + 8 * u, &value, sizeof value);
        }
    }
    if (!full)
        for (int32_t r = 0; r < rows; r++) memcpy(y + r * positions, part[r], sizeof(float) * (size_t)count);
}

/// The tiles of output channels [m0, m1) over one panel of `count` positions (pw_tile): 6
/// channels at a time, 4 for a rest of 4 or fewer (rows past m1 computed, not stored). Each
/// case has constant height, vectors and mode, so that its sums stay in registers. In the
/// last chunk, an activation of neither clip nor leaky then runs on the panel's rows (in L1).
static inline __attribute__((always_inline)) void pw_tiles(const float *w, int32_t in_c, const float *x, int64_t stride, int32_t kc,
                                                           int32_t m0, int32_t m1, float *y, int64_t positions, int32_t count,
                                                           int32_t first, int32_t last, const float *bias, const float *skip,
                                                           shears_activation act, int32_t mode, float lo, float hi) {
    for (int32_t o = m0; o < m1; o += PW_MR) {
        int32_t rows = m1 - o < PW_MR ? m1 - o : PW_MR, wide = count > 8;
        const float *wo = w + (int64_t)(o - m0) * in_c, *so = skip ? skip + (o - m0) * positions : 0;
        float *yo = y + (o - m0) * positions;
        const float *bo = bias + (o - m0);
#define PW_TILE(height, vectors, mode) \
    pw_tile(wo, x, stride, kc, height, vectors, mode, yo, positions, rows, count, first, last, bo, so, act, lo, hi)
        if (rows > 4) {
            if (mode == PW_CLAMP) wide ? PW_TILE(6, 2, PW_CLAMP) : PW_TILE(6, 1, PW_CLAMP);
            else if (mode == PW_LEAKY) wide ? PW_TILE(6, 2, PW_LEAKY) : PW_TILE(6, 1, PW_LEAKY);
            else if (mode == PW_HARD) wide ? PW_TILE(6, 2, PW_HARD) : PW_TILE(6, 1, PW_HARD);
            else wide ? PW_TILE(6, 2, PW_ROWS) : PW_TILE(6, 1, PW_ROWS);
        } else {
            if (mode == PW_CLAMP) wide ? PW_TILE(4, 2, PW_CLAMP) : PW_TILE(4, 1, PW_CLAMP);
            else if (mode == PW_LEAKY) wide ? PW_TILE(4, 2, PW_LEAKY) : PW_TILE(4, 1, PW_LEAKY);
            else if (mode == PW_HARD) wide ? PW_TILE(4, 2, PW_HARD) : PW_TILE(4, 1, PW_HARD);
            else wide ? PW_TILE(4, 2, PW_ROWS) : PW_TILE(4, 1, PW_ROWS);
        }
#undef PW_TILE
    }
    if (last && mode == PW_ROWS)
        for (int32_t o = m0; o < m1; o++) activate_floats(y + (int64_t)(o - m0) * positions, count, act);
}

typedef void pw_tiles_fn(const float *w, int32_t in_c, const float *x, int64_t stride, int32_t kc, int32_t m0, int32_t m1, float *y,
                         int64_t positions, int32_t count, int32_t first, int32_t last, const float *bias, const float *skip,
                         shears_activation act, int32_t mode, float lo, float hi);

static __attribute__((noinline)) void pw_tiles_portable(const float *w, int32_t in_c, const float *x, int64_t stride, int32_t kc,
                                                        int32_t m0, int32_t m1, float *y, int64_t positions, int32_t count,
                                                        int32_t first, int32_t last, const float *bias, const float *skip,
                                                        shears_activation act, int32_t mode, float lo, float hi) {
    pw_tiles(w, in_c, x, stride, kc, m0, m1, y, positions, count, first, last, bias, skip, act, mode, lo, hi);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static __attribute__((noinline)) void pw_tiles_avx2(const float *w, int32_t in_c, const float *x, int64_t stride,
                                                                int32_t kc, int32_t m0, int32_t m1, float *y, int64_t positions,
                                                                int32_t count, int32_t first, int32_t last, const float *bias,
                                                                const float *skip, shears_activation act, int32_t mode, float lo,
                                                                float hi) {
    pw_tiles(w, in_c, x, stride, kc, m0, m1, y, positions, count, first, last, bias, skip, act, mode, lo, hi);
}
#endif

/// shears_pointwise_conv with the tiles of one instruction set.
static void pw_run(const float *x, const float *packed, const float *bias, const float *skip, int32_t in_c, int64_t positions,
                   int32_t first_out, int32_t end_out, int64_t first_pos, int64_t end_pos, shears_activation act, float *scratch,
                   float *y, pw_tiles_fn *tiles) {
    int32_t clip = act.kind == SHEARS_ACTIVATION_CLIP;
    int32_t hard = act.kind == SHEARS_ACTIVATION_HARD_SIGMOID || act.kind == SHEARS_ACTIVATION_HARD_SWISH;
    int32_t mode = act.kind == SHEARS_ACTIVATION_LEAKY ? PW_LEAKY
                   : clip || act.kind == SHEARS_ACTIVATION_NONE ? PW_CLAMP
                   : hard ? PW_HARD
                   : PW_ROWS;
    float low = clip ? act.a : -INFINITY, high = clip ? act.b : INFINITY;
    int32_t most;
    int64_t block = pw_blocking(in_c, &most);
    // Panels are packed (contiguous, [panel][k][16]) on small maps, whose rows in place are
    // short runs across cache lines (7x7: 1.1-1.15x with 160 to 2048 channels; 14x14 and up run
    // slower packed), else read in place but for a last partial one.
    int32_t pack = positions < PW_PACK_POSITIONS;
    float *panels = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    for (int64_t p0 = first_pos; p0 < end_pos; p0 += block) {
        int64_t width = end_pos - p0 < block ? end_pos - p0 : block, whole = width / PW_NR * PW_NR;
        for (int32_t k0 = 0; k0 < in_c; k0 += most) {
            int32_t kc = in_c - k0 < most ? in_c - k0 : most, first = k0 == 0, last = k0 + kc == in_c;
            const float *xk = x + (int64_t)k0 * positions + p0;
            for (int64_t p = pack ? 0 : whole; p < width; p += PW_NR) {
                int64_t count = width - p < PW_NR ? width - p : PW_NR;
                float *panel = panels + p * kc;
                for (int32_t k = 0; k < kc; k++) {
                    memcpy(panel + k * PW_NR, xk + k * positions + p, sizeof(float) * (size_t)count);
                    memset(panel + k * PW_NR + count, 0, sizeof(float) * (size_t)(PW_NR - count));
                }
            }
            for (int32_t m0 = first_out; m0 < end_out; m0 += PW_MC) {
                int32_t m1 = end_out - m0 < PW_MC ? end_out : m0 + PW_MC;
                const float *w = packed + ((int64_t)m0 * in_c + (int64_t)k0 * PW_MR);
                for (int64_t p = 0; p < width; p += PW_NR) {
                    int32_t count = width - p < PW_NR ? (int32_t)(width - p) : PW_NR;
                    int64_t at = (int64_t)m0 * positions + p0 + p;
                    int32_t here = !pack && count == PW_NR;
                    tiles(w, in_c, here ? xk + p : panels + p * kc, here ? positions : PW_NR, kc, m0, m1, y + at,
                          positions, count, first, last, bias + m0, skip ? skip + at : 0, act, mode, low, high);
                }
            }
        }
    }
}

int64_t shears_pointwise_packed_size(int32_t out_c, int32_t in_c) {
    return (int64_t)(out_c + PW_MR - 1) / PW_MR * PW_MR * in_c;
}

void shears_pointwise_pack(const float *w, int32_t out_c, int32_t in_c, float *packed) {
    int32_t tiles = (out_c + PW_MR - 1) / PW_MR;
    for (int32_t t = 0; t < tiles; t++)
        for (int32_t c = 0; c < in_c; c++)
            for (int32_t r = 0; r < PW_MR; r++) {
                int32_t o = t * PW_MR + r;
                packed[((int64_t)t * in_c + c) * PW_MR + r] = o < out_c ? w[(int64_t)o * in_c + c] : 0;
            }
}

int64_t shears_pointwise_scratch_size(int32_t in_c) {
    int32_t most;
    int64_t block = pw_blocking(in_c, &most);
    return block * most + 16;  // 16: room to align the panels to 64 bytes
}

void shears_pointwise_conv(const float *x, const float *packed, const float *bias, const float *skip, int32_t out_c,
                           int32_t in_c, int64_t positions, int32_t first_out, int32_t end_out, int64_t first_pos,
                           int64_t end_pos, shears_activation activation, float *scratch, float *y) {
    (void)out_c;
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) {
        pw_run(x, packed, bias, skip, in_c, positions, first_out, end_out, first_pos, end_pos, activation, scratch, y,
               pw_tiles_avx2);
        return;
    }
#endif
    pw_run(x, packed, bias, skip, in_c, positions, first_out, end_out, first_pos, end_pos, activation, scratch, y,
           pw_tiles_portable);
}
