// grouped: see include/grouped_conv.h. Per group, the taps read the group's source (grid.h:
// tap k = (c·kh + i)·kw + j at rows[k] = c·channel_stride + offsets[i·kw + j]) at grid
// positions m = oy·wq + ox, which are contiguous: the kernel computes every grid position of
// the group's output rows, the wq − out_w past each row's end included (they read the padding
// and the next row; their sums are dropped), eight to a vector, so each tap is one vector load
// per eight positions. A tile is four output channels (their packed weights broadcast) by up
// to two vectors: eight sums, six loads for eight fused multiply-adds (three vectors, twelve
// sums, spilled registers and ran 1.5x slower). The tiles are stored with the bias and ReLU to
// a grid-shaped buffer, then each output row is copied out. The source is always filled (x's
// planes copied when the grid is x itself), with zeros past it for the last vector's reads.

#include "grouped_conv.h"
#include "direct_conv.h"
#include "../direct/grid.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

enum {
    CHANNELS = 4,  // output channels of a tile (and of a block of packed weights)
    VECTORS = 2,   // vectors of eight grid positions of a tile, at most
};

/// Output channels of a group rounded up to a whole number of blocks.
static int32_t padded_channels(int32_t out_c, int32_t groups) {
    return (out_c / groups + CHANNELS - 1) / CHANNELS * CHANNELS;
}

int64_t shears_grouped_packed_size(int32_t out_c, int32_t in_c, int32_t groups, shears_window v) {
    return (int64_t)groups * padded_channels(out_c, groups) * (in_c / groups) * v.kernel_h * v.kernel_w;
}

void shears_grouped_pack(const float *w, int32_t out_c, int32_t in_c, int32_t groups, shears_window v, float *packed) {
    int32_t cout_g = out_c / groups, padded = padded_channels(out_c, groups);
    int64_t taps = (int64_t)(in_c / groups) * v.kernel_h * v.kernel_w;
    for (int32_t g = 0; g < groups; g++)
        for (int32_t b = 0; b < padded; b += CHANNELS) {
            float *block = packed + ((int64_t)g * padded + b) * taps;
            for (int64_t k = 0; k < taps; k++)
                for (int32_t r = 0; r < CHANNELS; r++) {
                    int32_t o = b + r;
                    block[k * CHANNELS + r] = o < cout_g ? w[((int64_t)g * cout_g + o) * taps + k] : 0;
                }
        }
}

/// Grid positions of a group's output: out_h rows of wq.
static int64_t grid_positions(direct_grid g, shears_window v) { return (int64_t)v.out_h * g.wq; }

/// Floats of a group's source: its channels' grid, then zeros for the reads of the grid
/// positions past the last row's end (at most wq − 1 columns of the widest tap, and the last
/// vector's seven lanes), at least the SLACK `shears_direct_source` clears.
static int64_t source_size(direct_grid g, int32_t channels) {
    return channels * g.channel_stride + (g.wq + 8 > SLACK ? g.wq + 8 : SLACK);
}

int64_t shears_grouped_scratch_size(int32_t out_c, int32_t in_c, int32_t groups, shears_window v) {
    direct_grid g = make_grid(in_c / groups, v);
    int64_t vectors = (grid_positions(g, v) + 7) / 8;
    return source_size(g, in_c / groups) + (int64_t)padded_channels(out_c, groups) * vectors * 8;
}

/// One tile: `vectors` (a constant) vectors of grid positions from m for the four channels of the
/// packed block `w`, over the `taps` offsets `rows` of `input`; + bias, ReLU when asked, stored
/// at out (channel rows `stride` floats apart).
static inline __attribute__((always_inline)) void tile(const float *input, const int64_t *rows, int32_t taps, const float *w,
                                                       const float *bias, int32_t relu, float *out, int64_t stride, int32_t vectors) {
    v8f acc[CHANNELS][VECTORS];
    for (int32_t r = 0; r < CHANNELS; r++)
        for (int32_t q = 0; q < vectors; q++) acc[r][q] = (v8f){0} + bias[r];
    for (int32_t k = 0; k < taps; k++) {
        const float *source = input + rows[k];
        v8f x[VECTORS];
        for (int32_t q = 0; q < vectors; q++) memcpy(&x[q], source + 8 * q, sizeof x[q]);
        for (int32_t r = 0; r < CHANNELS; r++) {
            float weight = w[k * CHANNELS + r];
            for (int32_t q = 0; q < vectors; q++) acc[r][q] += weight * x[q];
        }
    }
    for (int32_t r = 0; r < CHANNELS; r++)
        for (int32_t q = 0; q < vectors; q++) {
            v8f value = acc[r][q];
            if (relu) value = (v8f)((v8i)value & ~(value < 0));  // NaN kept (as torch.relu)
            memcpy(out + r * stride + 8 * q, &value, sizeof value);
        }
}

/// Stores zeros over row[from ..< to] in whole vectors (up to seven floats past `to`).
static inline __attribute__((always_inline)) void zero_vectors(float *row, int32_t from, int32_t to) {
    v8f zero = {0};
    for (int32_t q = from; q < to; q += 8) memcpy(row + q, &zero, sizeof zero);
}

/// Fills a group's source (x: its `channels` planes) as `shears_direct_source` does, at strides
/// 1 and 2 in whole vectors: each row its zeros before the input's columns, the columns (at
/// stride 2 the even floats of two vectors), its zeros after. Vectors run up to seven floats
/// past a row's end; the next row, phase or channel rewrites them, and past the last one the
/// caller clears the source's tail. A row whose vector reads would pass x's last float is
/// copied float by float. Larger strides: `shears_direct_source`.
static inline __attribute__((always_inline)) void fill_group_source(const float *x, int32_t channels, shears_window v,
                                                                    direct_grid g, float *source) {
    int32_t sh = v.stride_h, sw = v.stride_w;
    if (sh > 2 || sw > 2) {
        shears_direct_source(x, channels, v, source);
        return;
    }
    // The row phases some tap reads, and the column phases with their columns, in order.
    int32_t row_phases[2], row_count = 0, column_count = 0;
    phase_columns column_phases[2];
    for (int32_t a = 0; a < sh; a++)
        if (phase_used(a, sh, v.kernel_h, v.dilation_h)) row_phases[row_count++] = a;
    for (int32_t b = 0; b < sw; b++)
        if (phase_used(b, sw, v.kernel_w, v.dilation_w)) column_phases[column_count++] = columns_of_phase(b, g.wq, v);
    const float *end = x + (int64_t)channels * v.in_h * v.in_w;
    float *phase = source;
    for (int32_t c = 0; c < channels; c++) {
        const float *plane = x + (int64_t)c * v.in_h * v.in_w;
        for (int32_t pa = 0; pa < row_count; pa++) {
            int32_t a = row_phases[pa];
            for (int32_t pb = 0; pb < column_count; pb++) {
                phase_columns columns = column_phases[pb];
                int32_t lo = columns.lo, hi = columns.hi;
                for (int32_t r = 0; r < g.hq; r++, phase += g.wq) {
                    int32_t iy = r * sh + a - v.pad_h;
                    if (iy < 0 || iy >= v.in_h || lo == hi) {
                        zero_vectors(phase, 0, g.wq);
                        continue;
                    }
                    const float *line = plane + (int64_t)iy * v.in_w + columns.shift;
                    zero_vectors(phase, 0, lo);
                    if (line + (int64_t)sw * hi + 14 > end) {
                        for (int32_t q = lo; q < hi; q++) phase[q] = line[q * sw];
                    } else if (sw == 1) {
                        for (int32_t q = lo; q < hi; q += 8) memcpy(phase + q, line + q, sizeof(v8f));
                    } else {
                        for (int32_t q = lo; q < hi; q += 8) {
                            v8f even, odd;
                            memcpy(&even, line + 2 * q, sizeof even);
                            memcpy(&odd, line + 2 * q + 8, sizeof odd);
                            v8f value = __builtin_shufflevector(even, odd, 0, 2, 4, 6, 8, 10, 12, 14);
                            memcpy(phase + q, &value, sizeof value);
                        }
                    }
                    zero_vectors(phase, hi, g.wq);
                }
            }
        }
    }
}

static inline __attribute__((always_inline)) void grouped_conv(const float *x, const float *packed, const float *bias, int32_t out_c,
                                                               int32_t in_c, int32_t groups, shears_window v, int32_t first_group,
                                                               int32_t end_group, int32_t relu, float *scratch, float *y) {
    int32_t cin_g = in_c / groups, cout_g = out_c / groups, padded = padded_channels(out_c, groups);
    int32_t per_channel = v.kernel_h * v.kernel_w, taps = cin_g * per_channel;
    int64_t plane = (int64_t)v.out_h * v.out_w, in_plane = (int64_t)v.in_h * v.in_w;
    direct_grid grid = make_grid(cin_g, v);
    int64_t positions = grid_positions(grid, v), stride = (positions + 7) / 8 * 8;
    int64_t filled = cin_g * grid.channel_stride, size = source_size(grid, cin_g);
    float *source = scratch, *sums = scratch + size;
    int64_t offsets[per_channel], rows[taps];
    tap_offsets(grid, v, offsets);
    chunk_rows(grid, v, offsets, 0, taps, rows);
    for (int32_t g = first_group; g < end_group; g++) {
        const float *xg = x + (int64_t)g * cin_g * in_plane;
        if (grid.direct) memcpy(source, xg, sizeof(float) * (size_t)filled);
        else fill_group_source(xg, cin_g, v, grid, source);
        memset(source + filled, 0, sizeof(float) * (size_t)(size - filled));
        for (int32_t b = 0; b < padded; b += CHANNELS) {
            const float *w = packed + ((int64_t)g * padded + b) * taps;
            float lanes[CHANNELS] = {0};
            for (int32_t r = 0; r < CHANNELS && b + r < cout_g; r++) lanes[r] = bias[g * cout_g + b + r];
            float *out = sums + b * stride;
            for (int64_t m = 0; m < positions; m += 8 * VECTORS) {
                if (positions - m > 8) tile(source + m, rows, taps, w, lanes, relu, out + m, stride, VECTORS);
                else tile(source + m, rows, taps, w, lanes, relu, out + m, stride, 1);
            }
        }
        for (int32_t o = 0; o < cout_g; o++)
            for (int32_t oy = 0; oy < v.out_h; oy++)
                memcpy(y + (int64_t)(g * cout_g + o) * plane + (int64_t)oy * v.out_w, sums + o * stride + (int64_t)oy * grid.wq,
                       sizeof(float) * (size_t)v.out_w);
    }
}

static void grouped_portable(const float *x, const float *packed, const float *bias, int32_t out_c, int32_t in_c, int32_t groups,
                             shears_window v, int32_t first_group, int32_t end_group, int32_t relu, float *scratch, float *y) {
    grouped_conv(x, packed, bias, out_c, in_c, groups, v, first_group, end_group, relu, scratch, y);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void grouped_avx2(const float *x, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                                     int32_t groups, shears_window v, int32_t first_group, int32_t end_group, int32_t relu,
                                     float *scratch, float *y) {
    grouped_conv(x, packed, bias, out_c, in_c, groups, v, first_group, end_group, relu, scratch, y);
}
#endif

void shears_grouped_conv(const float *x, const float *packed, const float *bias, int32_t out_c, int32_t in_c, int32_t groups,
                         shears_window window, int32_t first_group, int32_t end_group, int32_t relu, float *scratch, float *y) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) {
        grouped_avx2(x, packed, bias, out_c, in_c, groups, window, first_group, end_group, relu, scratch, y);
        return;
    }
#endif
    grouped_portable(x, packed, bias, out_c, in_c, groups, window, first_group, end_group, relu, scratch, y);
}
