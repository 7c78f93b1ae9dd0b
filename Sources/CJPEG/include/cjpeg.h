// CJPEG: decode one JPEG held in memory with libjpeg-turbo at its default settings, as PIL does.
// The only place in Shears that sees setjmp/longjmp. Filled in by the image pipeline.
#ifndef CJPEG_H
#define CJPEG_H
#include <stddef.h>
#include <stdint.h>

/// Returns libjpeg's version number (JPEG_LIB_VERSION), proving the library links.
int cjpeg_lib_version(void);

#endif
