// conv_bench: times oneDNN's fp32 forward convolution (Debian's libdnnl-dev 2.6, C API) on the
// zoo's layer shapes, to decide whether Shears should call it (issue 23; the findings are in
// docs/performance/onednn.md). Not part of the Swift package.
//
// For each shape, at batch 1 and 8, with the layer's activation (and residual sum) fused as
// post-ops:
//   plain   src and dst in NCHW (what Shears could call per layer without changing its layout),
//           weights in the primitive's preferred layout (reordered once, as at plan time);
//   blocked src, weights and dst all format_tag::any (the primitive's preferred blocked layout);
//   bare    plain without post-ops (oneDNN 2.6 applies them to an NCHW gemm convolution in a
//           slow separate loop: measured ~5 ns per output element; Shears would run its own pass);
//   reorders what the blocked primitive would pay per layer at NCHW boundaries: src NCHW ->
//           blocked, dst blocked -> NCHW, and (residual layers) the residual NCHW -> blocked.
// Time = the fastest single call of many (a shared, loaded machine: the minimum is the least
// disturbed run), as wall time and as CPU time of the process (with OMP_NUM_THREADS=1 the CPU
// time is the kernel's own cost even when other processes hold the cores; with 2 threads set
// OMP_WAIT_POLICY=passive so that spinning is not counted). Fidelity = max |y − ref| / max |ref| against a naive loop accumulating in
// double, at batch 1, for both primitives.
//
// Build and run (Debian's libdnnl is built with OpenMP: OMP_NUM_THREADS sets its threads;
// DNNL_MAX_CPU_ISA=AVX2 caps the JIT at AVX2 on an AVX-512 machine; DNNL_VERBOSE=1 logs each
// primitive's implementation):
//   apt-get install -y libdnnl-dev
//   cc -O2 -o /tmp/conv_bench bench/onednn/conv_bench.c -ldnnl -lm
//   OMP_NUM_THREADS=2 /tmp/conv_bench                         # the machine's best ISA
//   OMP_NUM_THREADS=2 DNNL_MAX_CPU_ISA=AVX2 /tmp/conv_bench   # what an AVX2 machine gets
// Output: one tab-separated line per shape and batch (see the header line it prints).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oneapi/dnnl/dnnl.h>

#define CHECK(call)                                                                      \
    do {                                                                                 \
        dnnl_status_t s_ = (call);                                                       \
        if (s_ != dnnl_success) {                                                        \
            fprintf(stderr, "conv_bench: %s failed (status %d) at line %d\n", #call, s_, \
                    __LINE__);                                                           \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

enum post { NONE, RELU, RELU6, SUM_RELU, SUM };
static const char *post_name[] = {"none", "relu", "relu6", "sum+relu", "sum"};

typedef struct {
    const char *name;
    int ic, oc, h, k, s, p, g;
    enum post post;
} shape;

// The zoo's layers (square maps: h is the input height and width).
static const shape shapes[] = {
    {"mnv2_pw_16_96_112", 16, 96, 112, 1, 1, 0, 1, RELU6},
    {"mnv2_pw_24_144_56", 24, 144, 56, 1, 1, 0, 1, RELU6},
    {"mnv2_pw_144_24_56", 144, 24, 56, 1, 1, 0, 1, SUM},
    {"mnv2_pw_192_64_14", 192, 64, 14, 1, 1, 0, 1, NONE},
    {"mnv2_pw_960_320_7", 960, 320, 7, 1, 1, 0, 1, NONE},
    {"mnv2_pw_320_1280_7", 320, 1280, 7, 1, 1, 0, 1, RELU6},
    {"mnv2_dw_32_112_s1", 32, 32, 112, 3, 1, 1, 32, RELU6},
    {"mnv2_dw_96_112_s2", 96, 96, 112, 3, 2, 1, 96, RELU6},
    {"mnv2_dw_144_56_s1", 144, 144, 56, 3, 1, 1, 144, RELU6},
    {"mnv2_dw_576_14_s1", 576, 576, 14, 3, 1, 1, 576, RELU6},
    {"mnv2_dw_960_7_s1", 960, 960, 7, 3, 1, 1, 960, RELU6},
    {"r50_pw_64_256_56", 64, 256, 56, 1, 1, 0, 1, SUM_RELU},
    {"r50_pw_256_64_56", 256, 64, 56, 1, 1, 0, 1, RELU},
    {"r50_3x3_64_56", 64, 64, 56, 3, 1, 1, 1, RELU},
    {"r50_3x3_256_14", 256, 256, 14, 3, 1, 1, 1, RELU},
    {"r50_3x3_512_7", 512, 512, 7, 3, 1, 1, 1, RELU},
    {"r50_stem_7x7s2", 3, 64, 224, 7, 2, 3, 1, RELU},
    {"rx50_g32_128_56", 128, 128, 56, 3, 1, 1, 32, RELU},
    {"dn121_pw_256_128_56", 256, 128, 56, 1, 1, 0, 1, NONE},
    {"dn121_3x3_128_32_56", 128, 32, 56, 3, 1, 1, 1, NONE},
};

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_now(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static int out_size(const shape *s) { return (s->h + 2 * s->p - s->k) / s->s + 1; }

static void fill(float *x, size_t n, float scale, unsigned *seed) {
    for (size_t i = 0; i < n; i++) x[i] = scale * ((float)rand_r(seed) / RAND_MAX * 2 - 1);
}

/// ref = post(conv(x, w) + b [+ res]) for sample 0, accumulated in double.
static void naive(const shape *s, const float *x, const float *w, const float *b, const float *res, float *ref) {
    int o_h = out_size(s), icg = s->ic / s->g, ocg = s->oc / s->g;
    for (int o = 0; o < s->oc; o++) {
        int g = o / ocg;
        for (int oy = 0; oy < o_h; oy++)
            for (int ox = 0; ox < o_h; ox++) {
                double acc = b[o];
                for (int c = 0; c < icg; c++)
                    for (int i = 0; i < s->k; i++) {
                        int iy = oy * s->s - s->p + i;
                        if (iy < 0 || iy >= s->h) continue;
                        for (int j = 0; j < s->k; j++) {
                            int ix = ox * s->s - s->p + j;
                            if (ix < 0 || ix >= s->h) continue;
                            acc += (double)w[((o * icg + c) * s->k + i) * s->k + j] *
                                   x[((size_t)(g * icg + c) * s->h + iy) * s->h + ix];
                        }
                    }
                size_t at = ((size_t)o * o_h + oy) * o_h + ox;
                if (s->post == SUM || s->post == SUM_RELU) acc += res[at];
                if (s->post == RELU || s->post == SUM_RELU) acc = acc > 0 ? acc : 0;
                if (s->post == RELU6) acc = acc < 0 ? 0 : acc > 6 ? 6 : acc;
                ref[at] = (float)acc;
            }
    }
}

/// Weight dims: [g, oc/g, ic/g, k, k] for grouped convs, [oc, ic, k, k] otherwise (returns ndims).
static int weight_dims(const shape *s, dnnl_dims_t d) {
    int64_t all[5] = {s->g, s->oc / s->g, s->ic / s->g, s->k, s->k};
    int skip = s->g == 1;
    for (int i = skip; i < 5; i++) d[i - skip] = all[i];
    return 5 - skip;
}

static dnnl_memory_t memory(const dnnl_memory_desc_t *md, void *handle) {
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, handle ? handle : DNNL_MEMORY_ALLOCATE));
    return m;
}

static void *data(dnnl_memory_t m) {
    void *p;
    CHECK(dnnl_memory_get_data_handle(m, &p));
    return p;
}

static dnnl_primitive_t reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t p;
    CHECK(dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL));
    CHECK(dnnl_primitive_create(&p, pd));
    CHECK(dnnl_primitive_desc_destroy(pd));
    return p;
}

static void run(dnnl_primitive_t p, int n, const dnnl_exec_arg_t *args) {
    CHECK(dnnl_primitive_execute(p, stream, n, args));
    CHECK(dnnl_stream_wait(stream));
}

static void run_reorder(dnnl_primitive_t p, dnnl_memory_t from, dnnl_memory_t to) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    run(p, 2, args);
}

/// One convolution primitive with its memories (src, weights, dst in the primitive's layouts).
typedef struct {
    dnnl_primitive_t conv;
    dnnl_memory_t src, wei, bias, dst, scratch; // scratch: the primitive's scratchpad, allocated once
    const char *impl;
    int src_same, dst_same; // the primitive's src / dst layout is plain NCHW
} prim;

static prim make(const shape *s, int n, int blocked, int fused, dnnl_memory_t user_w, dnnl_memory_t user_b) {
    int o_h = out_size(s);
    dnnl_dims_t w_d;
    dnnl_dims_t src_d = {n, s->ic, s->h, s->h}, dst_d = {n, s->oc, o_h, o_h}, b_d = {s->oc};
    dnnl_dims_t strides = {s->s, s->s}, pad = {s->p, s->p};
    dnnl_memory_desc_t src_md, dst_md, w_md, b_md, nchw_src, nchw_dst;
    dnnl_format_tag_t act_tag = blocked ? dnnl_format_tag_any : dnnl_nchw;
    CHECK(dnnl_memory_desc_init_by_tag(&src_md, 4, src_d, dnnl_f32, act_tag));
    CHECK(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_d, dnnl_f32, act_tag));
    CHECK(dnnl_memory_desc_init_by_tag(&w_md, weight_dims(s, w_d), w_d, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&b_md, 1, b_d, dnnl_f32, dnnl_x));
    CHECK(dnnl_memory_desc_init_by_tag(&nchw_src, 4, src_d, dnnl_f32, dnnl_nchw));
    CHECK(dnnl_memory_desc_init_by_tag(&nchw_dst, 4, dst_d, dnnl_f32, dnnl_nchw));
    dnnl_convolution_desc_t cd;
    CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &w_md,
                                             &b_md, &dst_md, strides, pad, pad));
    dnnl_post_ops_t po;
    dnnl_primitive_attr_t attr;
    CHECK(dnnl_post_ops_create(&po));
    if (fused && (s->post == SUM || s->post == SUM_RELU)) CHECK(dnnl_post_ops_append_sum(po, 1.f));
    if (fused && (s->post == RELU || s->post == SUM_RELU))
        CHECK(dnnl_post_ops_append_eltwise(po, 1.f, dnnl_eltwise_relu, 0.f, 0.f));
    if (fused && s->post == RELU6) CHECK(dnnl_post_ops_append_eltwise(po, 1.f, dnnl_eltwise_clip, 0.f, 6.f));
    CHECK(dnnl_primitive_attr_create(&attr));
    CHECK(dnnl_primitive_attr_set_post_ops(attr, po));
    CHECK(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_primitive_desc_create(&pd, &cd, attr, engine, NULL));
    prim r;
    const char *impl;
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    r.impl = strdup(impl);
    const dnnl_memory_desc_t *p_src = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *p_dst = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *p_w = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    r.src_same = dnnl_memory_desc_equal(p_src, &nchw_src);
    r.dst_same = dnnl_memory_desc_equal(p_dst, &nchw_dst);
    r.src = memory(p_src, NULL);
    r.dst = memory(p_dst, NULL);
    r.wei = memory(p_w, NULL);
    r.bias = user_b;
    r.scratch = memory(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0), NULL);
    const dnnl_memory_desc_t *uw;
    CHECK(dnnl_memory_get_memory_desc(user_w, &uw));
    dnnl_primitive_t wr = reorder(uw, p_w);
    run_reorder(wr, user_w, r.wei);
    dnnl_primitive_destroy(wr);
    CHECK(dnnl_primitive_create(&r.conv, pd));
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    dnnl_post_ops_destroy(po);
    return r;
}

static void exec_conv(prim *p) {
    dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, p->src},
                               {DNNL_ARG_WEIGHTS, p->wei},
                               {DNNL_ARG_BIAS, p->bias},
                               {DNNL_ARG_DST, p->dst},
                               {DNNL_ARG_SCRATCHPAD, p->scratch}};
    run(p->conv, 5, args);
}

static const dnnl_memory_desc_t *md_of(dnnl_memory_t m) {
    const dnnl_memory_desc_t *md;
    CHECK(dnnl_memory_get_memory_desc(m, &md));
    return md;
}

/// max |y − ref| / max |ref| over sample 0 of p's dst (reordered to NCHW), after one call with
/// src = x and (residual layers) dst = res, both given in NCHW.
static double fidelity(const shape *s, prim *p, dnnl_memory_t x_nchw, dnnl_memory_t res_nchw,
                       dnnl_memory_t y_nchw, const float *ref) {
    dnnl_primitive_t in = reorder(md_of(x_nchw), md_of(p->src));
    run_reorder(in, x_nchw, p->src);
    dnnl_primitive_destroy(in);
    if (res_nchw) {
        dnnl_primitive_t r = reorder(md_of(res_nchw), md_of(p->dst));
        run_reorder(r, res_nchw, p->dst);
        dnnl_primitive_destroy(r);
    }
    exec_conv(p);
    dnnl_primitive_t out = reorder(md_of(p->dst), md_of(y_nchw));
    run_reorder(out, p->dst, y_nchw);
    dnnl_primitive_destroy(out);
    int o_h = out_size(s);
    size_t count = (size_t)s->oc * o_h * o_h;
    const float *y = data(y_nchw);
    double err = 0, top = 0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs((double)y[i] - ref[i]);
        if (d > err || d != d) err = d;
        if (fabs(ref[i]) > top) top = fabs(ref[i]);
    }
    return top > 0 ? err / top : err;
}

/// Fastest single call, in ms, of repeated calls of each of `count` actions, interleaved: wall
/// time in best, CPU time of the process (all its threads) in best_cpu.
typedef void (*action)(void *);
static void fastest(int count, action *fs, void **args, double *best, double *best_cpu, double budget) {
    for (int a = 0; a < count; a++) best[a] = best_cpu[a] = 1e30;
    double start = now();
    int rounds = 0;
    while (rounds < 5 || (now() - start < budget && rounds < 400)) {
        for (int a = 0; a < count; a++) {
            double t = now(), c = cpu_now();
            fs[a](args[a]);
            t = (now() - t) * 1e3;
            c = (cpu_now() - c) * 1e3;
            if (t < best[a]) best[a] = t;
            if (c < best_cpu[a]) best_cpu[a] = c;
        }
        rounds++;
    }
}

typedef struct {
    dnnl_primitive_t r;
    dnnl_memory_t from, to;
} reorder_call;
static void do_conv(void *p) { exec_conv(p); }
static void do_reorder(void *p) {
    reorder_call *c = p;
    run_reorder(c->r, c->from, c->to);
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    printf("# oneDNN %d.%d.%d, effective ISA %d (dnnl_cpu_isa_t)\n", dnnl_version()->major, dnnl_version()->minor,
           dnnl_version()->patch, (int)dnnl_get_effective_cpu_isa());
    printf("shape\tpost\tbatch\tMFLOP\tplain_ms\tplain_cpu_ms\tplain_impl\tblocked_ms\tblocked_cpu_ms\tblocked_impl"
           "\treorder_src_ms\treorder_src_cpu_ms\treorder_dst_ms\treorder_dst_cpu_ms\treorder_res_ms\treorder_res_cpu_ms"
           "\tplain_fid\tblocked_fid\tbare_ms\tbare_cpu_ms\tbare_impl\n");
    fflush(stdout);
    for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        const shape *s = &shapes[si];
        if (only && !strstr(s->name, only)) continue;
        int o_h = out_size(s), icg = s->ic / s->g;
        size_t w_count = (size_t)s->oc * icg * s->k * s->k;
        unsigned seed = 1234 + si;
        dnnl_dims_t w_d, b_d = {s->oc};
        dnnl_memory_desc_t w_md, b_md;
        int w_n = weight_dims(s, w_d);
        CHECK(dnnl_memory_desc_init_by_tag(&w_md, w_n, w_d, dnnl_f32, w_n == 5 ? dnnl_goihw : dnnl_oihw));
        CHECK(dnnl_memory_desc_init_by_tag(&b_md, 1, b_d, dnnl_f32, dnnl_x));
        dnnl_memory_t user_w = memory(&w_md, NULL), user_b = memory(&b_md, NULL);
        fill(data(user_w), w_count, 2.f / sqrtf((float)icg * s->k * s->k), &seed);
        fill(data(user_b), s->oc, 0.1f, &seed);
        for (int n = 1; n <= 8; n += 7) {
            size_t x_count = (size_t)n * s->ic * s->h * s->h, y_count = (size_t)n * s->oc * o_h * o_h;
            dnnl_dims_t src_d = {n, s->ic, s->h, s->h}, dst_d = {n, s->oc, o_h, o_h};
            dnnl_memory_desc_t x_md, y_md;
            CHECK(dnnl_memory_desc_init_by_tag(&x_md, 4, src_d, dnnl_f32, dnnl_nchw));
            CHECK(dnnl_memory_desc_init_by_tag(&y_md, 4, dst_d, dnnl_f32, dnnl_nchw));
            dnnl_memory_t x = memory(&x_md, NULL), y = memory(&y_md, NULL), res = memory(&y_md, NULL);
            fill(data(x), x_count, 1.f, &seed);
            fill(data(res), y_count, 1.f, &seed);
            int has_res = s->post == SUM || s->post == SUM_RELU;
            prim plain = make(s, n, 0, 1, user_w, user_b), blocked = make(s, n, 1, 1, user_w, user_b);
            prim bare = make(s, n, 0, 0, user_w, user_b);
            double fid_plain = 0, fid_blocked = 0;
            if (n == 1) {
                float *ref = malloc(y_count * sizeof *ref);
                naive(s, data(x), data(user_w), data(user_b), data(res), ref);
                fid_plain = fidelity(s, &plain, x, has_res ? res : NULL, y, ref);
                fid_blocked = fidelity(s, &blocked, x, has_res ? res : NULL, y, ref);
                free(ref);
            }
            // Reorders of the blocked primitive at NCHW boundaries (none when its layout is NCHW).
            reorder_call rs = {reorder(&x_md, md_of(blocked.src)), x, blocked.src};
            reorder_call rd = {reorder(md_of(blocked.dst), &y_md), blocked.dst, y};
            reorder_call rr = {reorder(&y_md, md_of(blocked.dst)), res, blocked.dst};
            action fs[6] = {do_conv, do_conv, do_conv, do_reorder, do_reorder, do_reorder};
            void *args[6] = {&plain, &blocked, &bare, &rs, &rd, &rr};
            double all[6], all_cpu[6];
            fastest(has_res ? 6 : 5, fs, args, all, all_cpu, 1.5);
            double best[5] = {all[0], all[1], all[3], all[4], all[5]}, cpu[5] = {all_cpu[0], all_cpu[1], all_cpu[3], all_cpu[4], all_cpu[5]};
            if (blocked.src_same) best[2] = cpu[2] = 0;
            if (blocked.dst_same) best[3] = cpu[3] = 0;
            if (!has_res || blocked.dst_same) best[4] = cpu[4] = 0;
            double mflop = 2e-6 * n * s->oc * o_h * o_h * icg * s->k * s->k;
            printf("%s\t%s\t%d\t%.1f\t%.4f\t%.4f\t%s\t%.4f\t%.4f\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.2e\t%.2e\t%.4f\t%.4f\t%s\n",
                   s->name, post_name[s->post], n, mflop, best[0], cpu[0], plain.impl, best[1], cpu[1], blocked.impl,
                   best[2], cpu[2], best[3], cpu[3], best[4], cpu[4], fid_plain, fid_blocked, all[2], all_cpu[2], bare.impl);
            fflush(stdout);
            dnnl_primitive_destroy(rs.r);
            dnnl_primitive_destroy(rd.r);
            dnnl_primitive_destroy(rr.r);
            prim *ps[3] = {&plain, &blocked, &bare};
            for (int i = 0; i < 3; i++) {
                dnnl_primitive_destroy(ps[i]->conv);
                dnnl_memory_destroy(ps[i]->src);
                dnnl_memory_destroy(ps[i]->wei);
                dnnl_memory_destroy(ps[i]->dst);
                dnnl_memory_destroy(ps[i]->scratch);
                free((void *)ps[i]->impl);
            }
            dnnl_memory_destroy(x);
            dnnl_memory_destroy(y);
            dnnl_memory_destroy(res);
        }
        dnnl_memory_destroy(user_w);
        dnnl_memory_destroy(user_b);
    }
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(engine);
    return 0;
}
