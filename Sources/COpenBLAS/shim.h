// COpenBLAS: the CBLAS interface of OpenBLAS (Debian's libopenblas-dev).
#include <cblas.h>
