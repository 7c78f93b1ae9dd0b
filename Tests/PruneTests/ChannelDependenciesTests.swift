// ChannelDependenciesTests: the channel spaces of small graphs built in Swift: a residual add
// joins its inputs' producers into one space read by the next conv; a flatten hands a space
// to the linear layer behind it; a space that reaches the output, or that a LayerNorm reads,
// cannot be pruned; a grouped conv's space is split evenly by its groups; a dropout passes
// channels (and a flatten) through.

import NNCore
@testable import Prune
import XCTest

final class ChannelDependenciesTests: XCTestCase {
    /// A model over `graph` whose convs and linear layers carry zero weights of `shapes`.
    func model(_ graph: GraphBuilder, _ shapes: [String: [Int]]) -> Model {
        var stateDict = StateDict()
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) { stateDict.setTensor("\(name).weight", Tensor(shape: shape, repeating: 0)) }
        return Model(architecture: "test", graph: graph.graph, stateDict: stateDict)
    }

    /// `a → relu → b → add(b, relu) → c → pool → flatten → fc`.
    func residualModel() -> Model {
        var g = GraphBuilder()
        let a = g.add("a", .conv2d(Conv2dAttributes(padding: Size2(1))), g.input)
        let relu = g.add("relu", .relu, a)
        let b = g.add("b", .conv2d(Conv2dAttributes(padding: Size2(1))), relu)
        let sum = g.add("add", .add, b, relu)
        let c = g.add("c", .conv2d(Conv2dAttributes()), sum)
        let pool = g.add("pool", .adaptiveAvgPool(Size2(1)), c)
        let flat = g.add("flatten", .flatten, pool)
        g.add("fc", .linear, flat)
        return model(g, ["a": [8, 3, 3, 3], "b": [8, 8, 3, 3], "c": [4, 8, 1, 1], "fc": [10, 4]])
    }

    func testAResidualAddJoinsItsProducersAndAFlattenHandsTheSpaceToTheLinear() throws {
        let model = residualModel()
        let names = { (nodes: [Int]) in nodes.map { model.graph.nodes[$0].name } }
        let spaces = try ChannelDependencies.spaces(of: model)
        let joined = try XCTUnwrap(spaces.first { names($0.producers) == ["a", "b"] })
        XCTAssertTrue(joined.isResidual)
        XCTAssertFalse(joined.blocked)
        XCTAssertEqual(names(joined.convReaders), ["b", "c"])
        let last = try XCTUnwrap(spaces.first { names($0.producers) == ["c"] })
        XCTAssertEqual(names(last.linearReaders), ["fc"])
        XCTAssertFalse(last.blocked)
    }

    /// AlexNet's classifier: `c → pool → flatten → dropout → fc`: the dropout passes the
    /// flatten on, so fc still reads c's channels in blocks; a Dropout2d passes channels through.
    func testADropoutPassesChannelsAndTheFlattenOn() throws {
        var g = GraphBuilder()
        let a = g.add("a", .conv2d(Conv2dAttributes()), g.input)
        let channels = g.add("drop2d", .dropout(p: 0.1, wholeChannels: true), a)
        let c = g.add("c", .conv2d(Conv2dAttributes()), channels)
        let flat = g.add("flatten", .flatten, g.add("pool", .adaptiveAvgPool(Size2(2)), c))
        g.add("fc", .linear, g.add("drop", .dropout(p: 0.5, wholeChannels: false), flat))
        let model = model(g, ["a": [8, 3, 1, 1], "c": [4, 8, 1, 1], "fc": [10, 16]])
        let names = { (nodes: [Int]) in nodes.map { model.graph.nodes[$0].name } }
        let spaces = try ChannelDependencies.spaces(of: model)
        XCTAssertEqual(names(try XCTUnwrap(spaces.first { names($0.producers) == ["a"] }).convReaders), ["c"])
        let last = try XCTUnwrap(spaces.first { names($0.producers) == ["c"] })
        XCTAssertEqual(names(last.linearReaders), ["fc"])
        XCTAssertFalse(last.blocked)
    }

    func testASpaceAtTheOutputOrReadByALayerNormIsBlocked() throws {
        var g = GraphBuilder()
        let a = g.add("a", .conv2d(Conv2dAttributes()), g.input)
        let norm = g.add("norm", .layerNorm(eps: 1e-6), a)
        g.add("b", .conv2d(Conv2dAttributes()), norm)
        let spaces = try ChannelDependencies.spaces(of: model(g, ["a": [4, 3, 1, 1], "norm": [4], "b": [5, 4, 1, 1]]))
        XCTAssertEqual(spaces.count, 2)
        XCTAssertTrue(spaces.allSatisfy(\.blocked), "a: read by a LayerNorm; b: the network's output")
    }

    func testAGroupedConvMarksItsSpaceGrouped() throws {
        var g = GraphBuilder()
        let a = g.add("a", .conv2d(Conv2dAttributes()), g.input)
        let grouped = g.add("grouped", .conv2d(Conv2dAttributes(groups: 2)), a)
        let pool = g.add("pool", .adaptiveAvgPool(Size2(1)), grouped)
        let flat = g.add("flatten", .flatten, pool)
        g.add("fc", .linear, flat)
        let model = model(g, ["a": [8, 3, 1, 1], "grouped": [6, 4, 1, 1], "fc": [10, 6]])
        let spaces = try ChannelDependencies.spaces(of: model)
        let first = try XCTUnwrap(spaces.first { $0.producers == [1] })
        XCTAssertEqual(first.grouped, [2], "a's space is read by the 2-group conv")
        XCTAssertFalse(first.blocked)
    }
}
