// GEMM: row-major `cblas_sgemm` behind one call with named sizes, for the conv and linear layers.

import COpenBLAS

/// `C[m, n] = op(A)[m, k] · op(B)[k, n] + beta · C[m, n]` in row-major storage, where `op`
/// transposes when `transposeA` / `transposeB`; `lda`, `ldb`, `ldc` are the row lengths as stored.
@inline(__always)
func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
          _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
          beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
