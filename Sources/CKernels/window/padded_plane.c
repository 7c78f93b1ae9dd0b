// padded_plane: the size of the padded plane max pooling and depthwise convolution work on,
// and the clones of the function that fills it (padded_plane.h).

#include "padded_plane.h"

int64_t shears_padded_plane_size(shears_window window) {
    padded_layout l = layout_of(window);
    return (int64_t)l.rows * l.row;
}

void window_pad_plane_portable(const float *x, shears_window v, padded_layout l, float fill, int32_t first_plane, float *p) {
    pad_plane(x, v, l, fill, first_plane, p);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 void window_pad_plane_avx2(const float *x, shears_window v, padded_layout l, float fill, int32_t first_plane, float *p) {
    pad_plane(x, v, l, fill, first_plane, p);
}
#endif
