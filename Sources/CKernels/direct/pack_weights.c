// pack_weights: the dense kernel's weights packed in pairs of output channels
// (shears_direct_packed_size, shears_direct_pack in include/direct_conv.h), so that a tile
// starts at any even channel and reads three streams of pairs.

#include "blocking.h"

int64_t shears_direct_packed_size(int32_t out_c, int32_t in_c, shears_window window) {
    return (int64_t)(out_c + PAIR - 1) / PAIR * PAIR * in_c * window.kernel_h * window.kernel_w;
}

void shears_direct_pack(const float *w, int32_t out_c, int32_t in_c, shears_window window, float *packed) {
    int64_t taps = (int64_t)in_c * window.kernel_h * window.kernel_w;
    for (int32_t o0 = 0; o0 < out_c; o0 += PAIR) {
        float *block = packed + o0 * taps;
        for (int64_t k = 0; k < taps; k++)
            for (int32_t r = 0; r < PAIR; r++) block[k * PAIR + r] = o0 + r < out_c ? w[(o0 + r) * taps + k] : 0;
    }
}
