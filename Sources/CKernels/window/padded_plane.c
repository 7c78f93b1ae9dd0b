// padded_plane: the size of the padded plane max pooling and depthwise convolution work on
// (padded_plane.h).

#include "padded_plane.h"

int64_t shears_padded_plane_size(shears_window window) {
    padded_layout l = layout_of(window);
    return (int64_t)l.rows * l.row;
}
