// sparse: the sparse direct kernel (shears_direct_sparse_conv in include/direct_conv.h; its
// input panels: panels.h).
//
// Sparse kernel: for each chunk of up to 2048 taps, for each panel of 32 consecutive grid
// positions (one contiguous copy per tap, `pack_panel`; lanes on grid columns past out_w are
// computed and dropped), for each output channel, its nonzeros in the chunk times the panel
// rows they name, in two sets of four sums (alternate nonzeros, to cover the FMA latency).
// Reading 128 bytes of panel per nonzero, from L2 for big K, bounds it; see include/direct_conv.h for the
// crossover against the dense kernel.

#include "blocking.h"
#include "panels.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

/// The sparse kernel's store: *value += `old` unless `first`; when `last`, += the bias and
/// through the ReLU (max(v, 0), NaN kept).
static inline __attribute__((always_inline)) void finish(v8f *value, const v8f *old, int32_t first, int32_t last, float bias, int32_t relu) {
    if (!first) *value += *old;
    if (last) {
        *value += bias;
        if (relu) *value = (v8f)(~(v8i)(*value < 0) & (v8i)*value);
    }
}

/// The sparse tile: sum[u] = Σ over the nonzeros (tap, value) = (columns[e], values[e]), e in
/// [begin, end), of value · panel[(tap − first_tap)·SPARSE_NR + 8·u ...], u < vectors.
static inline __attribute__((always_inline)) void sparse_tile(const float *panel, int32_t first_tap, const int32_t *columns,
                                                              const float *values, int32_t begin, int32_t end, int32_t vectors,
                                                              v8f *sum) {
    // Even and odd nonzeros go to two sets of sums: one set alone would wait on the FMA latency.
    v8f even[SPARSE_NR / 8] = {0}, odd[SPARSE_NR / 8] = {0};
    int32_t e = begin;
    for (; e + 2 <= end; e += 2) {
        const float *a = panel + (int64_t)(columns[e] - first_tap) * SPARSE_NR;
        const float *b = panel + (int64_t)(columns[e + 1] - first_tap) * SPARSE_NR;
        float wa = values[e], wb = values[e + 1];
        for (int32_t u = 0; u < vectors; u++) {
            v8f xa, xb;
            memcpy(&xa, a + 8 * u, sizeof xa);
            memcpy(&xb, b + 8 * u, sizeof xb);
            even[u] += wa * xa;
            odd[u] += wb * xb;
        }
    }
    if (e < end) {
        const float *a = panel + (int64_t)(columns[e] - first_tap) * SPARSE_NR;
        for (int32_t u = 0; u < vectors; u++) {
            v8f xa;
            memcpy(&xa, a + 8 * u, sizeof xa);
            even[u] += values[e] * xa;
        }
    }
    for (int32_t u = 0; u < vectors; u++) sum[u] = even[u] + odd[u];
}

static inline __attribute__((always_inline)) void sparse_rows(const float *input, const int32_t *row_start, const int32_t *columns,
                                                              const float *values, const float *bias, int32_t in_c, shears_window v,
                                                              int32_t first_out, int32_t end_out, int32_t relu, float *scratch,
                                                              float *y) {
    direct_grid g = make_grid(in_c, v);
    direct_blocking b = make_blocking(in_c, v, v.out_h * v.out_w, SPARSE_NR, SPARSE_KC, SPARSE_NR);
    int64_t offsets[v.kernel_h * v.kernel_w], rows[b.chunk];
    tap_offsets(g, v, offsets);
    float *panel = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    int32_t outputs = end_out - first_out;
    int32_t begin[outputs > 0 ? outputs : 1], end[outputs > 0 ? outputs : 1];
    for (int32_t o = 0; o < outputs; o++) end[o] = row_start[first_out + o];
    int64_t span = (int64_t)(v.out_h - 1) * g.wq + v.out_w;  // grid positions up to the last output
    for (int32_t k0 = 0; k0 < b.taps; k0 += b.chunk) {
        int32_t taps = b.taps - k0 < b.chunk ? b.taps - k0 : b.chunk;
        int32_t first = k0 == 0, last = k0 + taps == b.taps;
        for (int32_t o = 0; o < outputs; o++) {  // the chunk's nonzeros of each row
            int32_t e = end[o], stop = row_start[first_out + o + 1];
            begin[o] = e;
            while (e < stop && columns[e] < k0 + taps) e++;
            end[o] = e;
        }
        chunk_rows(g, v, offsets, k0, taps, rows);
        for (int64_t p0 = 0; p0 < span; p0 += SPARSE_NR) {
            int32_t count = span - p0 < SPARSE_NR ? (int32_t)(span - p0) : SPARSE_NR, vectors = (count + 7) / 8;
            direct_run run = {0, count, p0}, stores[SPARSE_NR];
            pack_panel(input, g, rows, taps, &run, 1, count, SPARSE_NR, panel);
            int32_t n = output_runs(v, g, p0, count, stores);
            for (int32_t o = 0; o < outputs; o++) {
                v8f sum[SPARSE_NR / 8];
                switch (vectors) {
                case 4: sparse_tile(panel, k0, columns, values, begin[o], end[o], 4, sum); break;
                case 3: sparse_tile(panel, k0, columns, values, begin[o], end[o], 3, sum); break;
                case 2: sparse_tile(panel, k0, columns, values, begin[o], end[o], 2, sum); break;
                default: sparse_tile(panel, k0, columns, values, begin[o], end[o], 1, sum); break;
                }
                float *plane = y + (int64_t)(first_out + o) * b.positions, lanes[SPARSE_NR];
                v8f old[SPARSE_NR / 8] = {0};
                if (!first) {  // the sums of earlier chunks
                    float held[SPARSE_NR] = {0};
                    for (int32_t r = 0; r < n; r++) copy_run(held + stores[r].lane, plane + stores[r].grid, stores[r].length);
                    memcpy(old, held, sizeof held);
                }
                for (int32_t u = 0; u < vectors; u++) {
                    finish(&sum[u], &old[u], first, last, bias[first_out + o], relu);
                    memcpy(lanes + 8 * u, &sum[u], sizeof(v8f));
                }
                for (int32_t r = 0; r < n; r++) copy_run(plane + stores[r].grid, lanes + stores[r].lane, stores[r].length);
            }
        }
    }
}

static void sparse_portable(const float *input, const int32_t *row_start, const int32_t *columns, const float *values,
                            const float *bias, int32_t in_c, shears_window v, int32_t first_out, int32_t end_out, int32_t relu,
                            float *scratch, float *y) {
    sparse_rows(input, row_start, columns, values, bias, in_c, v, first_out, end_out, relu, scratch, y);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void sparse_avx2(const float *input, const int32_t *row_start, const int32_t *columns, const float *values,
                                    const float *bias, int32_t in_c, shears_window v, int32_t first_out, int32_t end_out,
                                    int32_t relu, float *scratch, float *y) {
    sparse_rows(input, row_start, columns, values, bias, in_c, v, first_out, end_out, relu, scratch, y);
}
#endif

void shears_direct_sparse_conv(const float *input, const int32_t *row_start, const int32_t *columns, const float *values,
                               const float *bias, int32_t out_c, int32_t in_c, shears_window window,
                               int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y) {
    (void)out_c;
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { sparse_avx2(input, row_start, columns, values, bias, in_c, window, first_out, end_out, relu, scratch, y); return; }
#endif
    sparse_portable(input, row_start, columns, values, bias, in_c, window, first_out, end_out, relu, scratch, y);
}
