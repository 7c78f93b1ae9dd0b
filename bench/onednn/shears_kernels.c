// shears_kernels: times Shears' own CKernels (the dense direct kernel and the depthwise kernel,
// called as ConvStep+Direct.swift and ConvStep's depthwise case call them, on one thread) on
// the pointwise and depthwise shapes of conv_bench.c, to compare with oneDNN kernel against
// kernel. Not part of the Swift package. The kernels fuse only ReLU: a ReLU6 layer's clamp (and
// a residual add) is the engine's separate epilogue pass, timed here as "clamp".
//
// Build (clang, so that the AVX2 clones are compiled) and run:
//   clang -O3 -o /tmp/shears_kernels -ISources/CKernels/include bench/onednn/shears_kernels.c \
//       $(find Sources/CKernels -name '*.c') -lopenblas -lm
//   OPENBLAS_NUM_THREADS=1 /tmp/shears_kernels   # OPENBLAS_CORETYPE=Haswell: the AVX2 kernels
// Output: shape, batch, fastest CPU ms of the kernel over the batch (one sample per call, as
// the engine's lane does), of a ReLU6 clamp pass over the output, and, for pointwise convs,
// of OpenBLAS's sgemm doing the same conv (y = W[oc x ic] · x[ic x hw] per sample, bias and
// activation not included): what oneDNN's NCHW path (gemm:jit) does.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>

#include "direct_conv.h"

typedef struct {
    const char *name;
    int ic, oc, h, k, s, p, g, relu6;
} shape;

static const shape shapes[] = {
    {"mnv2_pw_16_96_112", 16, 96, 112, 1, 1, 0, 1, 1},   {"mnv2_pw_24_144_56", 24, 144, 56, 1, 1, 0, 1, 1},
    {"mnv2_pw_144_24_56", 144, 24, 56, 1, 1, 0, 1, 0},   {"mnv2_pw_192_64_14", 192, 64, 14, 1, 1, 0, 1, 0},
    {"mnv2_pw_960_320_7", 960, 320, 7, 1, 1, 0, 1, 0},   {"mnv2_pw_320_1280_7", 320, 1280, 7, 1, 1, 0, 1, 1},
    {"mnv2_dw_32_112_s1", 32, 32, 112, 3, 1, 1, 32, 1},  {"mnv2_dw_96_112_s2", 96, 96, 112, 3, 2, 1, 96, 1},
    {"mnv2_dw_144_56_s1", 144, 144, 56, 3, 1, 1, 144, 1}, {"mnv2_dw_576_14_s1", 576, 576, 14, 3, 1, 1, 576, 1},
    {"mnv2_dw_960_7_s1", 960, 960, 7, 3, 1, 1, 960, 1},  {"r50_pw_64_256_56", 64, 256, 56, 1, 1, 0, 1, 0},
    {"r50_pw_256_64_56", 256, 64, 56, 1, 1, 0, 1, 0},    {"dn121_pw_256_128_56", 256, 128, 56, 1, 1, 0, 1, 0},
};

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static float *alloc(int64_t n) {
    float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
    for (int64_t i = 0; i < n; i++) p[i] = (float)((i * 7919) % 2001 - 1000) / 1000.f;
    return p;
}

int main(void) {
    printf("shape\tbatch\tkernel_cpu_ms\tclamp_cpu_ms\tsgemm_cpu_ms\n");
    for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        const shape *s = &shapes[si];
        int oh = (s->h + 2 * s->p - s->k) / s->s + 1;
        shears_window win = {s->h, s->h, oh, oh, s->k, s->k, s->s, s->s, s->p, s->p, 1, 1};
        int dw = s->g > 1;
        int64_t in = (int64_t)s->ic * s->h * s->h, out = (int64_t)s->oc * oh * oh;
        float *w = alloc((int64_t)s->oc * (s->ic / s->g) * s->k * s->k), *bias = alloc(s->oc);
        int64_t source = dw ? 0 : shears_direct_source_size(s->ic, win);
        int64_t scratch_n = dw ? shears_padded_plane_size(win) : shears_direct_scratch_size(s->ic, win);
        float *packed = dw ? NULL : alloc(shears_direct_packed_size(s->oc, s->ic, win));
        if (!dw) shears_direct_pack(w, s->oc, s->ic, win, packed);
        float *scratch = alloc(scratch_n), *src = source ? alloc(source) : NULL;
        for (int n = 1; n <= 8; n += 7) {
            float *x = alloc(in * n), *y = alloc(out * n);
            double best = 1e30, best_clamp = 1e30, best_gemm = 1e30;
            for (int round = 0; round < 30; round++) {
                double t = cpu_ms();
                for (int b = 0; b < n; b++) {
                    if (dw) {
                        shears_depthwise_conv(x + b * in, w, bias, y + b * out, s->ic, win, 0, scratch);
                    } else {
                        const float *input = x + b * in;
                        if (source) {
                            shears_direct_source(input, s->ic, win, src);
                            input = src;
                        }
                        shears_direct_conv(input, packed, bias, s->oc, s->ic, win, 0, s->oc, !s->relu6, scratch,
                                           y + b * out);
                    }
                }
                t = cpu_ms() - t;
                if (t < best) best = t;
                t = cpu_ms();
                if (s->relu6)
                    for (int64_t i = 0; i < out * n; i++) y[i] = fminf(fmaxf(y[i], 0.f), 6.f);
                t = cpu_ms() - t;
                if (t < best_clamp) best_clamp = t;
                if (s->k != 1) continue;
                t = cpu_ms();
                for (int b = 0; b < n; b++)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->oc, oh * oh, s->ic, 1.f, w, s->ic,
                                x + b * in, oh * oh, 0.f, y + b * out, oh * oh);
                t = cpu_ms() - t;
                if (t < best_gemm) best_gemm = t;
            }
            printf("%s\t%d\t%.4f\t%.4f\t%.4f\n", s->name, n, best, s->relu6 ? best_clamp : 0.0,
                   s->k == 1 ? best_gemm : 0.0);
            fflush(stdout);
            free(x);
            free(y);
        }
        free(w);
        free(bias);
        free(packed);
        free(scratch);
        free(src);
    }
    return 0;
}
