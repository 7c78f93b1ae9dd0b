// cpu_features: which instruction sets the kernels' clones may use on this CPU (see
// multiversion.h).

#include "multiversion.h"

int shears_use_avx2(void) {
#if SHEARS_MULTIVERSION
    static int answer = -1;
    if (answer < 0) answer = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return answer;
#else
    return 0;
#endif
}
