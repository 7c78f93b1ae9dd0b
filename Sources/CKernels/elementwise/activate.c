// activate: an activation over an array of floats in place (`shears_activate`), eight at a
// time through common/activation.h (sigmoid and SiLU by its vector exp), for the engine's
// activation steps and the conv epilogues its kernels do not fuse.

#include "ckernels.h"
#include "../common/activation.h"
#include "../common/multiversion.h"

static void activate_portable(float *y, int64_t count, shears_activation act) { activate_floats(y, count, act); }

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void activate_avx2(float *y, int64_t count, shears_activation act) { activate_floats(y, count, act); }
#endif

void shears_activate(float *y, int64_t count, shears_activation act) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { activate_avx2(y, count, act); return; }
#endif
    activate_portable(y, count, act);
}
