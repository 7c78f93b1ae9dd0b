// ckernels: the engine's hot loops in C, over NCHW float planes. Each kernel has a portable
// body compiled twice, once for AVX2+FMA, and the AVX2 clone is chosen at run time when the
// CPU has it (`__builtin_cpu_supports`). Shapes are given per plane; every offset is checked
// by the Swift caller (ShapeInference), so the kernels do no bounds checks of their own.
#ifndef SHEARS_CKERNELS_H
#define SHEARS_CKERNELS_H

#include <stdint.h>

/// A sliding window over one plane: kernel, stride, top/left padding, dilation, and the
/// input and output sizes.
typedef struct {
    int32_t in_h, in_w, out_h, out_w;
    int32_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
} shears_window;

/// Floats of scratch `shears_max_pool` needs: one padded plane.
int64_t shears_padded_plane_size(shears_window window);

/// Max pooling of `planes` planes: y[oy, ox] = max over in-bounds taps (i, j), taps in
/// row-major order, of x[oy·sh − ph + i·dh, ox·sw − pw + j·dw]; a NaN wins; −inf when no
/// tap is in bounds. `scratch` holds `shears_padded_plane_size(window)` floats.
void shears_max_pool(const float *x, float *y, int32_t planes, shears_window window, float *scratch);

/// Global average pooling: y[p] = (Σ_k x[p·spatial + k]) / spatial for p < planes (the sum
/// in four interleaved vector parts, so within float rounding of a sum in order).
void shears_plane_means(const float *x, float *y, int64_t planes, int64_t spatial);

/// An activation a kernel applies in its stores: `kind` and its parameters `a`, `b`.
typedef enum {
    SHEARS_ACTIVATION_NONE,
    /// min(max(x, a), b): ReLU (a = 0, b = +inf), ReLU6, clip.
    SHEARS_ACTIVATION_CLIP,
    /// x < 0 ? a·x : x.
    SHEARS_ACTIVATION_LEAKY,
    /// min(max(a·x + b, 0), 1).
    SHEARS_ACTIVATION_HARD_SIGMOID,
    /// x · min(max(x + 3, 0), 6) / 6.
    SHEARS_ACTIVATION_HARD_SWISH,
    /// 1 / (1 + e^−x).
    SHEARS_ACTIVATION_SIGMOID,
    /// x / (1 + e^−x).
    SHEARS_ACTIVATION_SILU,
} shears_activation_kind;

typedef struct {
    int32_t kind;
    float a, b;
} shears_activation;

/// y[k] = act(y[k]) for k < count, in place (sigmoid and SiLU within a few ulp of expf's).
void shears_activate(float *y, int64_t count, shears_activation act);

/// Floats of scratch `shears_depthwise_conv` needs: a few padded rows (wide maps), a padded
/// block of eight channels (narrow ones) or a padded plane (dilated or very large windows).
int64_t shears_depthwise_scratch_size(shears_window window);

/// Depthwise convolution of `channels` planes, each with its own kh·kw filter `w[c]`:
/// y[c, oy, ox] = act((Σ over taps (i, j) of w[c, i, j] · x[c, iy, ix], 0 outside the input)
/// + bias[c]), taps summed in row-major order. `scratch` holds
/// `shears_depthwise_scratch_size(window)` floats.
void shears_depthwise_conv(const float *x, const float *w, const float *bias, float *y,
                           int32_t channels, shears_window window, shears_activation act, float *scratch);

/// im2col of `channels` planes for output rows [first_row, first_row + rows): row
/// (c·kh + i)·kw + j of `cols` (rows `row_stride` floats apart) holds
/// x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] at column (oy − first_row)·out_w + ox, 0 in
/// the padding.
void shears_im2col(const float *x, float *cols, int64_t row_stride, int32_t channels, int32_t first_row, int32_t rows,
                   shears_window window);

#endif
