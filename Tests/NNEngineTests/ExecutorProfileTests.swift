// ExecutorProfileTests: `Executor.profile` on a small conv net: one row per plan step, in
// order, labelled with the node each step was lowered from, with the nodes fused into it, its
// kernel, shapes and exact MACs; one time per timed run, on one lane or several; bad inputs
// and run counts refused. Never asserts on a time's value.

import XCTest
@testable import NNCore
@testable import NNEngine
import TestSupport

final class ExecutorProfileTests: XCTestCase {
    /// `input [3, 8, 8] → conv1 (3 → 4, 3x3, pad 1) → bn1 → relu1 → pool1 (max 2x2) → dw (depthwise
    /// 4, 3x3, pad 1) → add (pool1 + dw) → relu2 → gap → flatten → fc (4 → 5)`.
    func model() -> Model {
        var graph = GraphBuilder()
        let conv1 = graph.add("conv1", .conv2d(Conv2dAttributes(padding: Size2(1))), graph.input)
        let bn1 = graph.add("bn1", .batchNorm(eps: 1e-5), conv1)
        let relu1 = graph.add("relu1", .relu, bn1)
        let pool1 = graph.add("pool1", .maxPool(Pool2dAttributes(kernel: Size2(2))), relu1)
        let dw = graph.add("dw", .conv2d(Conv2dAttributes(padding: Size2(1), groups: 4)), pool1)
        let add = graph.add("add", .add, pool1, dw)
        let relu2 = graph.add("relu2", .relu, add)
        let gap = graph.add("gap", .adaptiveAvgPool(Size2(1)), relu2)
        let flat = graph.add("flatten", .flatten, gap)
        graph.add("fc", .linear, flat)
        var dict = StateDict()
        func ramp(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 7) / 7 - 0.4 })
        }
        dict.setTensor("conv1.weight", ramp([4, 3, 3, 3]))
        for (key, value) in [("weight", 1), ("bias", 0), ("running_mean", 0), ("running_var", 1)] as [(String, Float)] {
            dict.setTensor("bn1.\(key)", Tensor(shape: [4], repeating: value))
        }
        dict.setTensor("dw.weight", ramp([4, 1, 3, 3]))
        dict.setTensor("fc.weight", ramp([5, 4]))
        dict.setTensor("fc.bias", ramp([5]))
        return Model(architecture: "test", graph: graph.graph, stateDict: dict)
    }

    func testRowsAreThePlanStepsNamedByTheirNodesWithExactMACs() throws {
        let executor = try Executor(model: model(), input: [3, 8, 8], maxBatch: 3, threads: 2)
        let input = Tensor(shape: [3, 3, 8, 8], scalars: (0..<576).map { Float($0 % 11) / 11 })
        let before = try executor.run(input)
        let rows = try executor.profile(input, warmup: 1, iterations: 3)
        XCTAssertEqual(try executor.profile(Tensor(shape: [1, 3, 8, 8], repeating: 0.5), iterations: 1).map(\.batch), [1, 1, 1, 1, 1])
        XCTAssertEqual(rows.count, executor.steps.count)
        XCTAssertEqual(rows.map(\.label), ["conv1", "dw", "add", "gap", "fc"])
        XCTAssertEqual(rows.map(\.kernel), executor.steps.map(\.kernelName))
        XCTAssertEqual(rows.map(\.op), ["Conv2d+BatchNorm2d+ReLU+MaxPool2d", "Conv2d", "Add+ReLU", "AdaptiveAvgPool2d", "Linear"])
        XCTAssertEqual(rows[1].kernel, "depthwise")
        XCTAssertEqual(Array(rows.map(\.kernel).dropFirst(2)), ["add", "adaptive-avg-pool", "linear"])
        XCTAssertEqual(rows.map(\.inputShape), [[3, 8, 8], [4, 4, 4], [4, 4, 4], [4, 4, 4], [4]])
        XCTAssertEqual(rows.map(\.outputShape), [[4, 4, 4], [4, 4, 4], [4, 4, 4], [4, 1, 1], [5]])
        // conv1: outC·inC·kh·kw·outH·outW = 4·3·3·3·8·8 (before the pool); dw: 4·1·3·3·4·4; fc: 4·5.
        XCTAssertEqual(rows.map(\.macs), [6912, 576, 0, 0, 20])
        XCTAssertEqual(rows.map(\.batch), [Int](repeating: 3, count: 5))
        XCTAssertEqual(rows.map(\.milliseconds.count), [Int](repeating: 3, count: 5))
        XCTAssertTrue(rows.allSatisfy { $0.milliseconds.allSatisfy { $0 >= 0 } })
        // Profiling leaves the executor's runs as they were (bit for bit: same lanes, same
        // kernels), and they match a single lane's up to rounding (a lane of one sample runs
        // its linear layer as a GEMV, a lane of several as an sgemm).
        XCTAssertEqual(try executor.run(input).scalars, before.scalars)
        let reference = try Executor(model: model(), input: [3, 8, 8], maxBatch: 3, threads: 1).run(input)
        assertClose(before.scalars, reference.scalars, rtol: 1e-6, atol: 1e-6, "one lane")
    }

    func testEveryConvKernelHasItsName() {
        let kernels: [ConvStep.Kernel] = [.depthwise, .grouped, .groupedGrid([]), .batched(nil), .winograd([]), .polyphase([]), .direct([]),
                                          .sparse(SparseWeight(dense: [1], rows: 1, columns: 1))]
        XCTAssertEqual(kernels.map(\.name), ["depthwise", "grouped", "grouped grid", "batched", "winograd", "polyphase", "direct", "sparse"])
    }

    func testBadInputsAndRunCountsAreRefused() throws {
        let executor = try Executor(model: model(), input: [3, 8, 8], maxBatch: 2, threads: 2)
        let input = Tensor(shape: [2, 3, 8, 8], repeating: 0.5)
        for (batch, iterations, warmup) in [(3, 1, 0), (2, 0, 0), (2, 1, -1)] {
            XCTAssertThrowsError(try executor.profile(Tensor(shape: [batch, 3, 8, 8], repeating: 0), warmup: warmup, iterations: iterations)) { error in
                guard case NNError.invalidArgument = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try executor.profile(Tensor(shape: [2, 3, 4, 4], repeating: 0), iterations: 1))
        XCTAssertEqual(try executor.profile(input, warmup: 0, iterations: 1).count, 5)
    }
}
