import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

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
}
