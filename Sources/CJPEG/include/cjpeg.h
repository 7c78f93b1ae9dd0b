// CJPEG: decode one JPEG held in memory with libjpeg-turbo at its default settings, as PIL does.
// The only place in Shears that sees setjmp/longjmp. It prints nothing: libjpeg's errors and
// warnings are formatted into the result's message buffer. It does no colour conversion
// beyond libjpeg's own (YCbCr->RGB, YCCK->CMYK); PIL's CMYK inversion lives in Swift.
#ifndef CJPEG_H
#define CJPEG_H
#include <stddef.h>
#include <stdint.h>

/// Outcome of `cjpeg_decode`.
typedef enum {
    CJPEG_OK = 0,
    /// libjpeg refused the stream (not a JPEG, corrupt markers, bad tables, ...).
    CJPEG_CORRUPT = 1,
    /// The data ended before the last scanline was decoded (PIL: "image file is truncated").
    CJPEG_TRUNCATED = 2,
    /// width * height exceeds the caller's `max_pixels`; refused before allocating.
    CJPEG_TOO_LARGE = 3,
    /// A component count other than 1, 3 or 4 (PIL: "cannot handle N-layer images").
    CJPEG_UNSUPPORTED = 4,
    /// malloc failed for the output pixels.
    CJPEG_NO_MEMORY = 5,
} cjpeg_status;

/// A decoded image: rows top to bottom, `components` interleaved bytes per pixel.
typedef struct {
    /// Also set when the header is refused as CJPEG_TOO_LARGE, so the caller can say how large.
    int width;
    int height;
    /// 1 (grayscale, JCS_GRAYSCALE), 3 (JCS_RGB) or 4 (JCS_CMYK as libjpeg writes it, not inverted).
    int components;
    /// Number of warnings libjpeg raised and that PIL ignores too (e.g. "Corrupt JPEG data").
    int warnings;
    /// `height * width * components` bytes from malloc, or NULL on failure; free with `cjpeg_free`.
    uint8_t *pixels;
    /// On failure, one line saying why (libjpeg's own message where it has one); empty on success.
    char message[200];
} cjpeg_image;

/// Decodes `size` bytes at `data` into `out`, with libjpeg defaults and only `out_color_space`
/// set (GRAYSCALE for 1 component, RGB for 3, CMYK for 4), as PIL's JPEG decoder does.
///
/// Running out of data before the last scanline is an error (PIL raises OSError for truncated
/// files); data missing after the last scanline (e.g. the EOI marker alone, when libjpeg did not
/// need it) is not, as in PIL. Corrupt-data warnings are counted, not errors, as in PIL.
/// Returns a `cjpeg_status`; on anything but CJPEG_OK, `out->pixels` is NULL.
int cjpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels, cjpeg_image *out);

/// Frees the pixels of a successful `cjpeg_decode`.
void cjpeg_free(uint8_t *pixels);

#endif
