import XCTest
import TestSupport
@testable import NNCore
@testable import NNONNX
@testable import NNEngine

/// The steps a single image splits over the lane's threads (activation, add with and without
/// an epilogue, mul, per-channel mul and affine, concat, linear, a 1x1 conv on 1x1 maps)
/// against plain loops (average pools against their unsplit run), on odd sizes above and below `Step.splitElements`, with a
/// pool of three threads (uneven shares) and none; and every zoo architecture's ONNX file one
/// image at a time on two threads (squeeze-excite, linear heads, concat split) against
/// PyTorch's logits.
final class SplitStepTests: ConvKernelTestCase {
    /// Sizes below and above the split threshold, none a multiple of the range alignment.
    let counts = [13, Step.splitElements + 5, 3 * Step.splitElements + 7]

    /// Runs `step` on `batch` samples over buffers holding `inputs` (then an output of
    /// `outputCount` NaNs, the last buffer, which the step must overwrite), with and without a
    /// pool; returns both outputs.
    func run(_ step: Step, inputs: [[Float]], outputCount: Int, batch: Int = 1, scratch: Int = 0) -> [[Float]] {
        [WorkerPool(threads: 3), nil].map { pool in
            let buffers = (inputs + [[Float](repeating: .nan, count: outputCount)]).map { values in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
                p.initialize(from: values, count: values.count)
                return p
            }
            let scratchBuffer = UnsafeMutablePointer<Float>.allocate(capacity: max(scratch, 1))
            defer { buffers.forEach { $0.deallocate() }; scratchBuffer.deallocate() }
            step.run(batch: batch, buffers: buffers, scratch: scratchBuffer, pool: pool)
            return Array(UnsafeBufferPointer(start: buffers[inputs.count], count: outputCount))
        }
    }

    func values(_ count: Int) -> [Float] { random([count]).scalars.map { $0 * 8 } }

    func testActivationsAddAndMul() {
        for count in counts {
            let (a, b) = (values(count), values(count))
            for kind in [Activation.relu, .relu6, .leaky(0.1), .clip(-1, 2), .hardSwish, .hardSigmoid(1 / 6, 0.5), .silu, .sigmoid] {
                let outputs = run(.activation(kind, count: count, source: 0, destination: 1), inputs: [a], outputCount: count)
                let expected = a.map { kind.apply($0) }
                // Sigmoid and SiLU run on a vector exp: within a few ulp of expf's.
                let (rtol, atol): (Float, Float) = kind == .sigmoid || kind == .silu ? (1e-6, 1e-7) : (0, 0)
                assertClose(outputs[0], expected, rtol: rtol, atol: atol, "\(kind), \(count) with a pool")
                assertClose(outputs[1], expected, rtol: rtol, atol: atol, "\(kind), \(count) inline")
            }
            for epilogue in [nil, Activation.relu, .hardSwish] {
                let outputs = run(.add(count: count, first: 0, second: 1, destination: 2, epilogue: epilogue), inputs: [a, b], outputCount: count)
                let expected = zip(a, b).map { epilogue?.apply($0 + $1) ?? $0 + $1 }
                XCTAssertEqual(outputs[0], expected, "add \(String(describing: epilogue)), \(count)")
                XCTAssertEqual(outputs[1], expected, "add \(String(describing: epilogue)), \(count) inline")
            }
            let product = run(.mul(count: count, channels: 1, perChannel: false, first: 0, second: 1, destination: 2), inputs: [a, b],
                              outputCount: count)
            XCTAssertEqual(product, [zip(a, b).map(*), zip(a, b).map(*)], "mul, \(count)")
        }
    }

    func testPerChannelStepsAndConcat() {
        for (batch, channels, spatial) in [(1, 3, 5), (1, 37, 529), (2, 37, 529), (1, 1001, 1)] {
            let x = values(batch * channels * spatial), gates = values(batch * channels)
            let (scale, shift) = (values(channels), values(channels))
            var gated: [Float] = [], affine: [Float] = []
            for n in 0..<batch {
                for c in 0..<channels {
                    for k in 0..<spatial {
                        let v = x[(n * channels + c) * spatial + k]
                        gated.append(v * gates[n * channels + c])
                        affine.append(v * scale[c] + shift[c])
                    }
                }
            }
            let mul = Step.mul(count: channels * spatial, channels: channels, perChannel: true, first: 0, second: 1, destination: 2)
            XCTAssertEqual(run(mul, inputs: [x, gates], outputCount: x.count, batch: batch), [gated, gated], "\(channels)x\(spatial)")
            let step = Step.affine(ChannelAffine(scale: scale, shift: shift), spatial: spatial, sources: ChannelSources(buffer: 0, channels: channels),
                                   destination: 1, epilogue: nil)
            XCTAssertEqual(run(step, inputs: [x], outputCount: x.count, batch: batch), [affine, affine], "\(channels)x\(spatial)")
        }
        for batch in [1, 3] {
            let sizes = [7, Step.splitElements + 3, 5, Step.splitElements / 2 + 1]
            let parts = sizes.map { values(batch * $0) }
            let expected = (0..<batch).flatMap { n in zip(sizes, parts).flatMap { size, part in part[(n * size)..<((n + 1) * size)] } }
            let step = Step.concat(sizes: sizes, sources: [0, 1, 2, 3], destination: 4)
            XCTAssertEqual(run(step, inputs: parts, outputCount: expected.count, batch: batch), [expected, expected], "batch \(batch)")
        }
    }

    /// An affine step over a fused concat's inputs (2 to 5 of odd channel counts, batch 1 to 3,
    /// planes from 1x1 up to past the split threshold), with a ReLU, a hard swish or no
    /// activation, against concatenating, scaling, shifting and activating in plain loops.
    func testAffineOverConcatInputsWithItsActivation() {
        let cases: [(channels: [Int], spatial: Int)] = [([3, 5], 1), ([1, 7, 2], 49), ([5, 3, 9, 1], 529), ([13, 3, 1, 5, 7], 57), ([2, 3], Step.splitElements / 3 + 1)]
        for (channels, spatial) in cases {
            let total = channels.reduce(0, +)
            let (scale, shift) = (values(total), values(total))
            for batch in 1...3 {
                let parts = channels.map { values(batch * $0 * spatial) }
                for epilogue in [nil, Activation.relu, .hardSwish] {
                    var expected: [Float] = []
                    for n in 0..<batch {
                        var c = 0
                        for (count, part) in zip(channels, parts) {
                            for local in 0..<count {
                                for k in 0..<spatial {
                                    let v = part[(n * count + local) * spatial + k] * scale[c] + shift[c]
                                    expected.append(epilogue?.apply(v) ?? v)
                                }
                                c += 1
                            }
                        }
                    }
                    let sources = ChannelSources(buffers: Array(channels.indices), channels: channels)
                    let step = Step.affine(ChannelAffine(scale: scale, shift: shift), spatial: spatial, sources: sources,
                                           destination: channels.count, epilogue: epilogue)
                    let outputs = run(step, inputs: parts, outputCount: expected.count, batch: batch)
                    let label = "\(channels) x \(spatial), batch \(batch), \(String(describing: epilogue))"
                    for output in outputs {
                        XCTAssertEqual(output.count, expected.count, label)
                        for (got, want) in zip(output, expected) where abs(got - want) > 1e-5 * max(1, abs(want)) {
                            XCTFail("\(label): \(got) vs \(want)"); break
                        }
                    }
                }
            }
        }
    }

    /// The 2x2 stride-2 unpadded average pool's fast path against a plain loop, on even and
    /// odd maps (the last row and column dropped), 1x1 outputs and batches of 1 and 3.
    func testTwoByTwoAveragePoolAgainstAPlainLoop() {
        for (channels, h, w) in [(3, 7, 7), (5, 6, 9), (2, 2, 3), (37, 56, 56)] {
            let (oh, ow) = (h / 2, w / 2)
            for batch in [1, 3] {
                let x = values(batch * channels * h * w)
                var expected: [Float] = []
                for plane in 0..<(batch * channels) {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var sum: Float = 0
                            for i in 0..<2 { for j in 0..<2 { sum += x[(plane * h + 2 * oy + i) * w + 2 * ox + j] } }
                            expected.append(sum / 4)
                        }
                    }
                }
                let step = Step.pool(PoolStep(max: false, attributes: Pool2dAttributes(kernel: Size2(2)), input: [channels, h, w],
                                              output: [channels, oh, ow], source: 0, destination: 1))
                XCTAssertEqual(run(step, inputs: [x], outputCount: expected.count, batch: batch), [expected, expected], "\(channels)x\(h)x\(w), batch \(batch)")
            }
        }
    }

    func testAveragePools() {
        for (channels, size) in [(3, 5), (37, 29), (67, 15)] {
            let x = random([1, channels, size, size])
            for output in [1, 3, 4] {
                let step = Step.adaptiveAvgPool(input: [channels, size, size], output: [channels, output, output], source: 0, destination: 1)
                let outputs = run(step, inputs: [x.scalars], outputCount: channels * output * output)
                XCTAssertEqual(outputs[0], outputs[1], "adaptive \(channels)x\(size)² → \(output)²")
            }
            let attributes = Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1), countIncludePad: false)
            let out = (size + 2 - 3) / 2 + 1
            let step = Step.pool(PoolStep(max: false, attributes: attributes, input: [channels, size, size], output: [channels, out, out],
                                          source: 0, destination: 1))
            let outputs = run(step, inputs: [x.scalars], outputCount: channels * out * out)
            XCTAssertEqual(outputs[0], outputs[1], "avg pool \(channels)x\(size)²")
        }
    }

    /// `y[n, o, p] = b[o] + Σ_i W[o, i] · x[n, i, p]`.
    func naiveLinear(_ x: [Float], _ w: [Float], _ b: [Float]?, batch: Int, inFeatures: Int, outFeatures: Int, positions: Int) -> [Float] {
        var y: [Float] = []
        for n in 0..<batch {
            for o in 0..<outFeatures {
                for p in 0..<positions {
                    var sum = Double(b?[o] ?? 0)
                    for i in 0..<inFeatures { sum += Double(w[o * inFeatures + i]) * Double(x[(n * inFeatures + i) * positions + p]) }
                    y.append(Float(sum))
                }
            }
        }
        return y
    }

    func testLinearOnVectorsAndMaps() {
        for (inFeatures, outFeatures) in [(5, 3), (1051, 37), (33, 1001)] {
            for (batch, positions) in [(1, 1), (3, 1), (1, 5), (2, 3)] {
                for withBias in [true, false] {
                    let w = Tensor(shape: [outFeatures, inFeatures], scalars: random([outFeatures * inFeatures]).scalars)
                    let b = withBias ? Tensor(shape: [outFeatures], scalars: random([outFeatures]).scalars) : nil
                    let x = random([batch * inFeatures * positions]).scalars
                    let step = Step.linear(LinearStep(weight: w, bias: b, positions: positions, source: 0, destination: 1))
                    let expected = naiveLinear(x, w.scalars, b?.scalars, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                                               positions: positions)
                    for output in run(step, inputs: [x], outputCount: expected.count, batch: batch) {
                        assertClose(output, expected, rtol: 1e-5, atol: 1e-4)
                    }
                }
            }
        }
    }

    /// A 1x1 conv on 1x1 maps (squeeze-excite's) runs as a linear layer, its ReLU fused.
    func testPointwiseConvOnOnePixelMaps() throws {
        for (inC, outC) in [(3, 5), (577, 41), (24, 1001)] {
            for batch in [1, 3] {
                for relu in [false, true] {
                    let (w, b, x) = (random([outC, inC, 1, 1]), random([outC]), random([batch, inC, 1, 1]))
                    var dict = StateDict()
                    dict.setTensor("conv.weight", w)
                    dict.setTensor("conv.bias", b)
                    var g = GraphBuilder()
                    let conv = g.add("conv", .conv2d(Conv2dAttributes()), g.input)
                    if relu { g.add("act", .relu, conv) }
                    let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
                    let y = try Executor(model: model, input: [inC, 1, 1], maxBatch: batch, threads: 2).run(x).scalars
                    let expected = naiveConv(x, w, b, Conv2dAttributes(), out: (1, 1)).map { relu ? max($0, 0) : $0 }
                    assertClose(y, expected, rtol: 1e-5, atol: 1e-4)
                }
            }
        }
    }

    func testZooArchitecturesOneImageOnTwoThreadsGivePyTorchLogits() throws {
        let manifest: [String: ArchitectureZooTests.Case] = try Fixtures.json("architectures/manifest.json")
        for (name, c) in manifest.sorted(by: { $0.key < $1.key }) where c.onnx_forms.contains(".onnx") {
            let model = try ONNXImporter.load(path: Fixtures.path("architectures/\(name).onnx"))
            let input = try Fixtures.float32("architectures/\(name).input.f32"), expected = try Fixtures.float32("architectures/\(name).logits.f32")
            let (inputSize, classes) = (input.count / 2, expected.count / 2), side = Int(Double(inputSize / 3).squareRoot())
            let executor = try Executor(model: model, input: [3, side, side], maxBatch: 1, threads: 2)
            for n in 0..<2 {
                let logits = try executor.run(Tensor(shape: [1, 3, side, side], scalars: Array(input[(n * inputSize)..<((n + 1) * inputSize)])))
                let row = Array(expected[(n * classes)..<((n + 1) * classes)])
                assertClose(logits.scalars, row, rtol: 1e-4, atol: 1e-5 * (row.map(abs).max() ?? 1), "\(name) image \(n)")
            }
        }
    }
}
