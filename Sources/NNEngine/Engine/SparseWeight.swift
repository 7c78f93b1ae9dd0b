// SparseWeight: a conv's weight matrix `[out, in·kh·kw]` in CSR form, for unstructured-pruned
// layers, which the direct sparse kernel (`shears_direct_sparse_conv`) multiplies in density ×
// the dense multiply-adds. The plan uses it for a layer whose density is at most the crossover
// of its kind (`SparseCrossover`, measured by `shears crossover`): below it the sparse kernel
// beats the dense one on these machines; above it the dense kernel runs, so a sparse model is
// never slower than the dense one.

import NNCore

/// A row-major matrix's nonzeros, row by row.
struct SparseWeight {
    private let rowStart: [Int32]
    private let columns: [Int32]
    private let values: [Float]

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
        (rowStart, self.columns, values) = (starts, indices, nonzeros)
    }

    /// Calls `body` with the row starts (`rows + 1`), column indices and values.
    func withCSR<R>(_ body: (UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Float>) -> R) -> R {
        rowStart.withUnsafeBufferPointer { starts in
            columns.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { nonzeros in
                    // An all-zero matrix has empty index arrays; the kernel reads none of them.
                    body(starts.baseAddress!, indices.baseAddress ?? UnsafePointer(starts.baseAddress!),
                         nonzeros.baseAddress ?? UnsafePointer(OpaquePointer(starts.baseAddress!)))
                }
            }
        }
    }
}
