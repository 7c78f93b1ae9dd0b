import XCTest
import TestSupport
@testable import NN
@testable import NNCore
@testable import NNEngine

/// What the Executor refuses before it allocates: ops outside ShapeInference's invariants,
/// windows with more taps than the kernels hold, a lane's buffers past 32-bit indices, and
/// buffers and scratch over the memory budget.
final class ExecutionPlanTests: XCTestCase {
    func testAnOpOutsideItsInvariantsNeverReachesAKernel() {
        for attributes in [Conv2dAttributes(dilation: Size2(-1)), Conv2dAttributes(stride: Size2(0)), Conv2dAttributes(padding: Size2(-3)),
                           Conv2dAttributes(groups: 0), Conv2dAttributes(padding: Size2(1 << 62))] {
            XCTAssertThrowsError(try Executor(model: ShapeInferenceTests.convModel(attributes), input: [3, 16, 16], maxBatch: 2)) { error in
                XCTAssertTrue("\(error)".hasPrefix("layer 'conv': "), "\(error)")
            }
        }
    }

    func testWindowsWithMoreTapsThanTheKernelsHoldAreRefused() {
        XCTAssertThrowsError(try Executor(model: ShapeInferenceTests.convModel(Conv2dAttributes(), kernel: 129), input: [3, 129, 129], maxBatch: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'conv': its 129x129 window has more than the engine's 16384 taps")
        }
        var graph = GraphBuilder()
        graph.add("pool", .avgPool(Pool2dAttributes(kernel: Size2(200, 100))), graph.input)
        let pool = Model(architecture: "test", graph: graph.graph, stateDict: StateDict())
        XCTAssertThrowsError(try Executor(model: pool, input: [1, 200, 100], maxBatch: 1)) { error in
            XCTAssertTrue("\(error)".contains("layer 'pool': its 200x100 window"), "\(error)")
        }
        XCTAssertNoThrow(try Executor(model: ShapeInferenceTests.convModel(Conv2dAttributes(), kernel: 128), input: [3, 128, 128], maxBatch: 1))
    }

    func testALaneBeyondThirtyTwoBitIndicesIsRefusedBeforeAllocating() {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = Int.max
        var graph = GraphBuilder()
        graph.add("relu", .relu, graph.input)
        let model = Model(architecture: "test", graph: graph.graph, stateDict: StateDict())
        XCTAssertThrowsError(try Executor(model: model, input: [1, 1 << 15, 1 << 15], maxBatch: 2, threads: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'input': its output [1, 32768, 32768] for the 2 samples of a thread has more than the kernels' 2147483647 floats; use a smaller batch")
        }
    }

    func testBuffersAndScratchOverTheBudgetAreRefusedBeforeAllocating() throws {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 64 << 20
        let model = ShapeInferenceTests.convModel(Conv2dAttributes(padding: Size2(1)))
        XCTAssertNoThrow(try Executor(model: model, input: [3, 256, 256], maxBatch: 1, threads: 1))
        XCTAssertThrowsError(try Executor(model: model, input: [3, 256, 256], maxBatch: 64, threads: 2)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("layer 'conv': running a batch of 64 on 2 threads (its output [4, 256, 256] the largest of the buffers) would need"), text)
            XCTAssertTrue(text.hasSuffix("over the memory limit of 64.0 MB (raise MemoryBudget.limit)"), text)
        }
    }
}
