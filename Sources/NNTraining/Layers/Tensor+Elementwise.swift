// Tensor+Elementwise: the two loops every element-wise forward and backward of the layers is
// written with (one value in, one out; two equal-shape tensors in, one out), over unsafe
// buffers with nothing allocated per element, spread over the cores.

import NNCore

extension Tensor {
    /// `f` applied to every element; the same shape.
    @inline(__always)
    func mapped(_ f: (Float) -> Float) -> Tensor {
        let n = count
        let result = [Float](unsafeUninitializedCapacity: n) { out, initialized in
            scalars.withUnsafeBufferPointer { x in
                forEachRangeInParallel(n, work: 1) { range in
                    for i in range { out[i] = f(x[i]) }
                }
            }
            initialized = n
        }
        return Tensor(shape: shape, scalars: result)
    }

    /// `f(a[i], b[i])` for every element, with `a`'s shape; `b` must have as many elements
    /// (else `TrainingError.shapeMismatch`, saying what the two are).
    @inline(__always)
    static func zipped(_ a: Tensor, _ b: Tensor, _ what: @autoclosure () -> String, _ f: (Float, Float) -> Float) throws -> Tensor {
        let n = a.count
        guard b.count == n else { throw TrainingError.shapeMismatch("\(what()): \(a.shape) and \(b.shape)") }
        let result = [Float](unsafeUninitializedCapacity: n) { out, initialized in
            a.scalars.withUnsafeBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    forEachRangeInParallel(n, work: 1) { range in
                        for i in range { out[i] = f(x[i], y[i]) }
                    }
                }
            }
            initialized = n
        }
        return Tensor(shape: a.shape, scalars: result)
    }
}
