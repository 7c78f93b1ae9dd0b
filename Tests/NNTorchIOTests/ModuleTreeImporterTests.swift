import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
import NNEngine

final class ModuleTreeImporterTests: XCTestCase {
    static let relu = ModuleTree(className: "ReLU")

    func testDeepAndSharedTreesAreRefusedByName() {
        var deep = Self.relu
        for _ in 0..<300 { deep = ModuleTree(className: "Sequential", children: [.init(name: "s", module: deep)]) }
        // Two children sharing one subtree per level: 2^30 modules, one copy of each in memory.
        var shared = Self.relu
        for _ in 0..<30 { shared = ModuleTree(className: "Sequential", children: [.init(name: "a", module: shared), .init(name: "b", module: shared)]) }
        for (tree, message) in [(deep, "nested more than 200 modules deep"), (shared, "the tree has more than 1000000 modules")] {
            XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "t.txt")) { error in
                XCTAssertTrue("\(error)".hasPrefix("t.txt: unsupported: module '") && "\(error)".contains(message), "\(error)")
            }
        }
    }

    func testLongNamesAtEveryLevelAreChargedToTheBudget() {
        // 200 levels named by one 50 KB string: each path repeats it up to 200 times.
        let name = String(repeating: "n", count: 50_000)
        var tree = Self.relu
        for _ in 0..<199 { tree = ModuleTree(className: "Sequential", children: [.init(name: name, module: tree)]) }
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 64 << 20
        XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "t.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("t.txt: the paths of its modules (up to 'nnn"), String("\($0)".prefix(200)))
        }
    }

    func testRepeatedNamesAreMadeUniqueInLinearTime() throws {
        let count = 20_000
        let tree = ModuleTree(className: "Sequential", children: (0..<count).map { _ in .init(name: "r", module: Self.relu) })
        let start = Date()
        let model = try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "t.txt").model
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "quadratic in the number of equal names")
        XCTAssertEqual(model.graph.nodes.map(\.name).prefix(4), ["input", "r", "r_1", "r_2"])
        XCTAssertEqual(Set(model.graph.nodes.map(\.name)).count, model.graph.nodes.count)
    }

    func testWindowAttributesAreCheckedNamingTheModule() {
        let conv: [String: ModuleAttribute] = ["in_channels": .int(3), "out_channels": .int(4), "kernel_size": .int(1)]
        let cases: [(String, [String: ModuleAttribute], String)] = [
            ("Conv2d", conv.merging(["stride": .int(0)]) { $1 }, "stride must be one int or a pair of ints from 1 to 65536"),
            ("Conv2d", conv.merging(["dilation": .tuple([.int(1), .int(-1)])]) { $1 }, "dilation must be"),
            ("Conv2d", conv.merging(["padding": .int(-1)]) { $1 }, "padding must be one int or a pair of ints from 0 to 65536"),
            ("Conv2d", conv.merging(["padding": .int(1 << 62)]) { $1 }, "padding must be"),
            ("Conv2d", conv.merging(["kernel_size": .int(1 << 20)]) { $1 }, "kernel_size must be"),
            ("Conv2d", conv.merging(["groups": .int(0)]) { $1 }, "groups must be from 1 to 65536, got 0"),
            ("MaxPool2d", ["kernel_size": .int(2), "stride": .int(0)], "stride must be"),
            ("AvgPool2d", ["kernel_size": .int(-2)], "kernel_size must be"),
            ("AdaptiveAvgPool2d", ["output_size": .int(0)], "output_size must be"),
            ("ChannelShuffle", ["groups": .int(-3)], "groups must be"),
        ]
        for (className, attributes, message) in cases {
            let tree = ModuleTree(className: "Sequential", children: [.init(name: "layer", module: ModuleTree(className: className, attributes: attributes))])
            XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "t.txt")) { error in
                XCTAssertTrue("\(error)".contains("module 'layer' (\(className)): \(message)"), "\(error)")
            }
        }
    }

    func testShuffleBlocksOnDoubledInputsTakeLinearTime() throws {
        // Each stride-2 ShuffleNet block with identity branches concatenates its input with
        // itself; a stride-1 block then asks for the channel count of 2^40 paths.
        let identity = ModuleTree(className: "Sequential", children: [.init(name: "0", module: ModuleTree(className: "Identity"))])
        let down = ModuleTree(className: "InvertedResidual", children: [.init(name: "branch1", module: identity), .init(name: "branch2", module: identity)])
        let split = ModuleTree(className: "InvertedResidual", children: [.init(name: "branch2", module: identity)])
        let conv = ModuleTree(className: "Conv2d", attributes: ["in_channels": .int(3), "out_channels": .int(4), "kernel_size": .int(1), "bias": .bool(false)])
        let blocks = (0..<Self.doublings).map { ModuleTree.Child(name: "down\($0)", module: down) }
        let tree = ModuleTree(className: "Sequential", children: [.init(name: "conv", module: conv)] + blocks + [.init(name: "split", module: split)])
        var stateDict = StateDict()
        stateDict.setTensor("conv.weight", Tensor(shape: [4, 3, 1, 1]))
        let start = Date()
        let model = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: "t.txt").model
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(model.outputChannels(of: model.graph.nodes.count - 2), 4 << Self.doublings)
    }

    static let doublings = 40

    /// torchvision's MobileNetV2 classifier `Dropout(p=0.2)`, from print(model) and from the
    /// pickle: a `.dropout` node `classifier.0` with p 0.2 read by the Linear, and the logits
    /// still PyTorch's eval ones (within 1e-4 relative, 1e-5 of the largest |logit|).
    func testDropoutIsANodeWithItsPAndTheIdentityInInference() throws {
        struct Case: Decodable { let input_size: Int }
        let size = try XCTUnwrap((try Fixtures.json("architectures/manifest.json") as [String: Case])["mobilenet-v2"]).input_size
        let stateDict = try Checkpoint.contents(path: Fixtures.path("architectures/mobilenet-v2.pt")).stateDict
        let trees = [try ModuleTreeText.load(path: Fixtures.path("architectures/mobilenet-v2.txt")),
                     try XCTUnwrap(try Checkpoint.contents(path: Fixtures.path("architectures/mobilenet-v2.module.pt")).moduleTree)]
        let input = Tensor(shape: [2, 3, size, size], scalars: try Fixtures.float32("architectures/mobilenet-v2.input.f32"))
        let expected = try Fixtures.float32("architectures/mobilenet-v2.logits.f32")
        for tree in trees {
            let model = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: "m").model
            let nodes = model.graph.nodes
            let dropout = try XCTUnwrap(nodes.firstIndex { $0.name == "classifier.0" })
            XCTAssertEqual(nodes[dropout].op, .dropout(p: 0.2, wholeChannels: false))
            XCTAssertEqual(nodes.filter { $0.inputs.contains(dropout) }.map(\.name), ["classifier.1"])
            let logits = try Executor(model: model, input: [3, size, size], maxBatch: 2).run(input)
            assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1))
        }
    }

    /// `Dropout2d(p)` drops whole channels: its own kind of dropout; a Dropout without p (a
    /// tree that does not say it) adds no node; a p outside [0, 1] is refused naming the module.
    func testDropout2dIsChannelwiseAndPIsNeverInvented() throws {
        func ops(_ text: String) throws -> [Op] {
            try ModuleTreeImporter.model(try ModuleTreeText.parse(text, path: "t.txt"), stateDict: StateDict(), source: "t.txt").model.graph.nodes.map(\.op)
        }
        XCTAssertEqual(try ops("Sequential(\n  (0): Dropout2d(p=0.1, inplace=False)\n  (1): ReLU()\n)"), [.input, .dropout(p: 0.1, wholeChannels: true), .relu, .flatten])
        XCTAssertEqual(try ops("Sequential(\n  (0): Dropout()\n  (1): ReLU()\n)"), [.input, .relu, .flatten])
        XCTAssertThrowsError(try ops("Sequential(\n  (0): Dropout(p=1.5, inplace=False)\n)")) {
            XCTAssertTrue("\($0)".hasPrefix("t.txt: unsupported: module '0'") && "\($0)".contains("p 1.5 is not a probability"), "\($0)")
        }
    }
}
