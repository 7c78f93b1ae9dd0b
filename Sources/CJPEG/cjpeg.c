// CJPEG: libjpeg-turbo behind one function (see include/cjpeg.h).
// Error handling: libjpeg's error_exit and the warnings that must fail longjmp back to
// cjpeg_run; cjpeg_decode then destroys the decompressor and frees what was allocated.
#include "cjpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/// libjpeg's error manager extended with our jump target and state.
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    /// Where a failure's message goes (the caller's `cjpeg_image.message`).
    char *message;
    /// The status to report after a longjmp.
    int status;
    /// True until the last scanline is read: running out of data then means truncation.
    int need_data;
    /// The output buffer, kept here (not in a local) so that it survives a longjmp.
    uint8_t *pixels;
} cjpeg_context;

/// Fatal libjpeg error: keep its message and jump back.
static void cjpeg_error_exit(j_common_ptr cinfo) {
    cjpeg_context *ctx = (cjpeg_context *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, ctx->message);
    ctx->status = CJPEG_CORRUPT;
    longjmp(ctx->jump, 1);
}

/// Warnings (msg_level < 0) are counted; running out of data before the last scanline fails.
/// Trace messages (msg_level >= 0) are dropped. Nothing is printed.
static void cjpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    cjpeg_context *ctx = (cjpeg_context *)cinfo->err;
    if (msg_level >= 0) return;
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF && ctx->need_data) {
        snprintf(ctx->message, JMSG_LENGTH_MAX, "image file is truncated (premature end of JPEG data)");
        ctx->status = CJPEG_TRUNCATED;
        longjmp(ctx->jump, 1);
    }
}

/// libjpeg's default writes to stderr; Shears never lets it.
static void cjpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

/// Everything the decoder changes between setjmp and longjmp lives on the heap: C leaves
/// modified automatic variables indeterminate after a longjmp.
typedef struct {
    struct jpeg_decompress_struct cinfo;
    cjpeg_context ctx;
} cjpeg_state;

/// Decodes with `state` set up; returns a status, `out` filled on success.
static int cjpeg_run(cjpeg_state *state, const uint8_t *data, size_t size, uint64_t max_pixels, cjpeg_image *out) {
    struct jpeg_decompress_struct *cinfo = &state->cinfo;
    cjpeg_context *ctx = &state->ctx;
    if (setjmp(ctx->jump)) {
        return ctx->status;
    }
    jpeg_create_decompress(cinfo);
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);

    switch (cinfo->num_components) {
    case 1: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case 3: cinfo->out_color_space = JCS_RGB; break;
    case 4: cinfo->out_color_space = JCS_CMYK; break;
    default:
        snprintf(out->message, JMSG_LENGTH_MAX, "cannot handle %d-layer images", cinfo->num_components);
        return CJPEG_UNSUPPORTED;
    }
    uint64_t pixel_count = (uint64_t)cinfo->image_width * (uint64_t)cinfo->image_height;
    if (pixel_count > max_pixels) {
        out->width = cinfo->image_width;
        out->height = cinfo->image_height;
        snprintf(out->message, JMSG_LENGTH_MAX, "image of %ux%u pixels exceeds the limit of %llu pixels",
                 cinfo->image_width, cinfo->image_height, (unsigned long long)max_pixels);
        return CJPEG_TOO_LARGE;
    }

    jpeg_start_decompress(cinfo);
    size_t row_bytes = (size_t)cinfo->output_width * (size_t)cinfo->output_components;
    ctx->pixels = malloc(row_bytes * cinfo->output_height);
    if (ctx->pixels == NULL) {
        snprintf(out->message, JMSG_LENGTH_MAX, "out of memory for %zu bytes of pixels",
                 row_bytes * cinfo->output_height);
        return CJPEG_NO_MEMORY;
    }
    JSAMPROW rows[16];
    while (cinfo->output_scanline < cinfo->output_height) {
        JDIMENSION first = cinfo->output_scanline;
        JDIMENSION count = cinfo->output_height - first;
        if (count > 16) count = 16;
        for (JDIMENSION i = 0; i < count; i++) rows[i] = ctx->pixels + (size_t)(first + i) * row_bytes;
        jpeg_read_scanlines(cinfo, rows, count);
    }
    // PIL stops caring about missing data once every scanline is out (JpegDecode.c, state 4).
    ctx->need_data = 0;
    jpeg_finish_decompress(cinfo);

    out->width = (int)cinfo->output_width;
    out->height = (int)cinfo->output_height;
    out->components = cinfo->output_components;
    out->warnings = (int)ctx->pub.num_warnings;
    out->pixels = ctx->pixels;
    ctx->pixels = NULL;
    return CJPEG_OK;
}

int cjpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels, cjpeg_image *out) {
    memset(out, 0, sizeof(*out));
    cjpeg_state *state = calloc(1, sizeof(cjpeg_state));
    if (state == NULL) {
        snprintf(out->message, JMSG_LENGTH_MAX, "out of memory for the decoder");
        return CJPEG_NO_MEMORY;
    }
    state->ctx.message = out->message;
    state->ctx.need_data = 1;
    state->cinfo.err = jpeg_std_error(&state->ctx.pub);
    state->ctx.pub.error_exit = cjpeg_error_exit;
    state->ctx.pub.emit_message = cjpeg_emit_message;
    state->ctx.pub.output_message = cjpeg_output_message;

    int status = cjpeg_run(state, data, size, max_pixels, out);
    jpeg_destroy_decompress(&state->cinfo);
    free(state->ctx.pixels);
    free(state);
    return status;
}

void cjpeg_free(uint8_t *pixels) { free(pixels); }
