// grouped_conv: grouped convolution (groups > 1, not depthwise) of one NCHW float32 sample,
// for any kernel size, stride, top/left padding and dilation (bottom/right padding implied by
// out_h, out_w), with the bias and an optional ReLU fused into the store. Per group, its
// channels' padded, phase-split source (the layout of `shears_direct_source`, direct_conv.h)
// is filled in scratch, in whole vectors at strides 1 and 2 (1.3-1.5x `shears_direct_source`
// on 7x7 to 28x28 maps, where the fill was a third of the time); then tiles of four output channels by sixteen contiguous source-grid positions sum
// the taps (one vector load per eight positions, the weights packed once and broadcast), and
// each output row is copied out of the grid. No im2col, no GEMM call per group.
//
// Per sample, per range of groups (each thread its own scratch): `shears_grouped_conv`.
// Speed on one core (AVX2 clone; a loaded AVX-512 Xeon) against per-group im2col + sgemm,
// 3x3 convs of RegNetY-400MF (8 channels a group) and ResNeXt-50 32x4d (4 to 32): 1.4-2.0x
// strided, 2.0-3.0x at stride 1 with 4 or 8 channels a group, 1.5-1.8x with 16 and 32; and
// 1.6-1.8x the per-group direct kernel's speed at stride 1 (par with 32 channels a group at
// 56x56, 0.9x with 64).
#ifndef SHEARS_GROUPED_CONV_H
#define SHEARS_GROUPED_CONV_H

#include "ckernels.h"

/// The most taps per output, (in_c / groups)·kh·kw, the kernel takes (their offsets are on its stack).
#define SHEARS_GROUPED_MAX_TAPS 2048

/// Floats of the packed weights: groups · ⌈(out_c / groups) / 4⌉ · 4 · (in_c / groups) · kh · kw.
int64_t shears_grouped_packed_size(int32_t out_c, int32_t in_c, int32_t groups, shears_window window);

/// Packs w [out_c, in_c / groups, kh, kw] as [groups][⌈cout_g / 4⌉][K][4] with cout_g = out_c / groups,
/// K = (in_c / groups)·kh·kw: packed[((g·B + b)·K + k)·4 + r] = w[g·cout_g + 4·b + r, k] (k = (c·kh + i)·kw + j),
/// 0 where 4·b + r ≥ cout_g.
void shears_grouped_pack(const float *w, int32_t out_c, int32_t in_c, int32_t groups, shears_window window, float *packed);

/// Floats of scratch one call needs: one group's source and its sums in rows of the source's width.
int64_t shears_grouped_scratch_size(int32_t out_c, int32_t in_c, int32_t groups, shears_window window);

/// For groups g in [first_group, end_group) and their output channels o (cout_g = out_c / groups,
/// cin_g = in_c / groups): y[o, oy, ox] = act(Σ_{c,i,j} w[o,c,i,j] · x[g·cin_g + c, oy·sh − ph + i·dh,
/// ox·sw − pw + j·dw] + bias[o]) (taps outside the input read 0; taps summed in (c, i, j) order),
/// act = ReLU (max(v, 0), NaN kept) when `relu` is nonzero, else the identity. x is the sample
/// [in_c, in_h, in_w], y [out_c, out_h, out_w] (other groups' channels not touched), `packed` from
/// `shears_grouped_pack`, `scratch` `shears_grouped_scratch_size` floats. Needs
/// cin_g·kh·kw ≤ SHEARS_GROUPED_MAX_TAPS.
void shears_grouped_conv(const float *x, const float *packed, const float *bias, int32_t out_c, int32_t in_c, int32_t groups,
                         shears_window window, int32_t first_group, int32_t end_group, int32_t relu, float *scratch, float *y);

#endif
