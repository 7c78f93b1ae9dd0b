// SparseWeight: a conv's weight matrix `[out, in·kh·kw]` in CSR form, for unstructured-pruned
// layers: `C[o, :] = Σ_{k : W[o,k] ≠ 0} W[o, k] · B[k, :]` (`shears_sparse_gemm`), which does
// density × the dense multiply-adds. The plan uses it for a layer whose density is at most
// `Executor.sparseCrossoverDensity`, measured by `shears crossover` (docs/PERFORMANCE.md):
// below it the sparse kernel beats OpenBLAS's dense GEMM on these machines; above it the
// dense kernel runs, so a sparse model is never slower than the dense one.

import NNCore
import CKernels

/// A row-major matrix's nonzeros, row by row.
struct SparseWeight {
    let rows: Int
    private let rowStart: [Int32]
    private let columns: [Int32]
    private let values: [Float]

    /// Nonzeros over all entries.
    let density: Double

    /// The CSR form of `dense` (`[rows, columns]`, row-major).
    init(dense: [Float], rows: Int, columns: Int) {
        var starts: [Int32] = [0], indices: [Int32] = [], nonzeros: [Float] = []
        for r in 0..<rows {
            for k in 0..<columns where dense[r * columns + k] != 0 {
                indices.append(Int32(k))
                nonzeros.append(dense[r * columns + k])
            }
            starts.append(Int32(indices.count))
        }
        self.rows = rows
        (rowStart, self.columns, values) = (starts, indices, nonzeros)
        density = dense.isEmpty ? 1 : Double(nonzeros.count) / Double(dense.count)
    }

    /// `c[r, 0 ..< n] = Σ_k W[r, k] · b[k, 0 ..< n]`; rows of b are `ldb` apart, of c `ldc`.
    func multiply(_ b: UnsafePointer<Float>, ldb: Int, n: Int, into c: UnsafeMutablePointer<Float>, ldc: Int) {
        rowStart.withUnsafeBufferPointer { starts in
            columns.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { nonzeros in
                    shears_sparse_gemm(starts.baseAddress!, indices.baseAddress!, nonzeros.baseAddress!, Int32(rows),
                                       b, Int64(ldb), Int32(n), c, Int64(ldc))
                }
            }
        }
    }
}
