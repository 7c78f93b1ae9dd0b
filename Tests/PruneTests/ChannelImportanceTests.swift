// Tests for ChannelImportance: BN-scale ranking keeps the channels PyTorch's torch.topk(|gamma|)
// keeps, one-shot and round after round, and the channel-removed model gives the logits of the
// model PyTorch slices (scripts/fixtures/slimming.py); L2 ranks as ln_structured(n=2); BN scale
// is refused, naming the layer, where no BatchNorm alone reads a producer.

import NN
@testable import Prune
import TestSupport
import XCTest

final class ChannelImportanceTests: XCTestCase {
    struct Case: Decodable {
        let ratio: Double
        let rounds: Int
        let residual: Bool
        /// Per round: the kept channels of each pruned space, by its first producer's name.
        let kept: [[String: [Int]]]
    }

    let input = [3, 16, 16]

    func slimModel() throws -> Model {
        let path = Fixtures.path("slimming/slim.module.pt")
        let contents = try Checkpoint.contents(path: path)
        return try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: path).model
    }

    func logits(_ model: Model) throws -> [Float] {
        let batch = Tensor(shape: [2] + input, scalars: try Fixtures.float32("slimming/input.f32"))
        return try Executor(model: model, input: input, maxBatch: 2).run(batch).scalars
    }

    /// Kept channels per space of `model`, keyed as the fixture keys them.
    func kept(_ model: Model, ratio: Double, options: ChannelPruningOptions) throws -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: try ChannelPruner.plan(model, ratio: ratio, options: options).map { space, kept in
            (model.graph.nodes[space.producers[0]].name, kept)
        })
    }

    func testBatchNormScaleKeepsTorchTopKOfGammaAndGivesTheSlicedModelsLogits() throws {
        let cases: [String: Case] = try Fixtures.json("slimming/manifest.json")
        XCTAssertEqual(cases.count, 3)
        let original = try slimModel()
        for (name, c) in cases.sorted(by: { $0.key < $1.key }) {
            let options = ChannelPruningOptions(pruneResidualGroups: c.residual, importance: .batchNormScale)
            // Each round ranks the gammas of the model the round before left.
            var current = original
            for round in 0..<c.rounds {
                XCTAssertEqual(try kept(current, ratio: c.ratio, options: options), c.kept[round], "\(name) round \(round + 1)")
                current = try ChannelPruner.removeChannels(current, ratio: c.ratio, options: options).0
            }
            // The same schedule through Pruner.run, the method carrying the importance to every round.
            let schedule: PruneSchedule = c.rounds == 1 ? .oneShot(.fraction(c.ratio)) : .iterative(step: .fraction(c.ratio), steps: c.rounds)
            var scheduled = original
            try Pruner.run(original, method: .channel(importance: .batchNormScale), schedule: schedule,
                           pruneResidualGroups: c.residual) { _, model, _ in scheduled = model }
            XCTAssertEqual(scheduled.stateDict, current.stateDict, name)
            assertClose(try logits(scheduled), try Fixtures.float32("slimming/\(name).logits.f32"), rtol: 1e-4, atol: 1e-5, "case \(name)")
        }
    }

    func testL1StaysTheDefaultAndDiffersFromBatchNormScaleHere() throws {
        let model = try slimModel()
        let byDefault = try kept(model, ratio: 0.5, options: ChannelPruningOptions())
        XCTAssertEqual(byDefault, try kept(model, ratio: 0.5, options: ChannelPruningOptions(importance: .l1)))
        XCTAssertNotEqual(byDefault, try kept(model, ratio: 0.5, options: ChannelPruningOptions(importance: .batchNormScale)))
    }

    func testL2RanksAsLnStructuredL2() throws {
        let original = try ArchitectureCatalog.build(SafetensorsReader.read(path: Fixtures.path("prune/student.safetensors")), architecture: "student")
        let (_, record) = try ChannelPruner.maskChannels(original, ratio: 0.4, options: ChannelPruningOptions(importance: .l2))
        XCTAssertFalse(record.channelGroups.isEmpty)
        for group in record.channelGroups {
            let key = "\(group.producers[0]).weight"
            let expected = try StructuredMask.ln(weight: original.stateDict.tensor(key)!, amount: .count(group.before - group.after), n: 2, dim: 0)
            XCTAssertEqual(record.masks[key], expected, key)
        }
    }

    /// `a → [bn] → relu → b → bnb → pool → flatten → fc`, with `a` also read by `extra`, an add
    /// after the relu (a residual group), where given.
    func handBuilt(batchNorm: Bool, gamma: Bool = true, extraReader: Bool = false) -> Model {
        var g = GraphBuilder()
        let a = g.add("a", .conv2d(Conv2dAttributes(padding: Size2(1))), g.input)
        var x = a
        if batchNorm { x = g.add("bn", .batchNorm(eps: 1e-5), a) }
        x = g.add("relu", .relu, x)
        if extraReader { x = g.add("extra", .add, x, a) }
        let b = g.add("b", .conv2d(Conv2dAttributes()), x)
        let pool = g.add("pool", .adaptiveAvgPool(Size2(1)), g.add("bnb", .batchNorm(eps: 1e-5), b))
        g.add("fc", .linear, g.add("flatten", .flatten, pool))
        var stateDict = StateDict()
        let shapes = ["a.weight": [8, 3, 3, 3], "b.weight": [4, 8, 1, 1], "fc.weight": [10, 4]]
        for (key, shape) in shapes { stateDict.setTensor(key, Tensor(shape: shape, repeating: 1)) }
        for (name, channels) in batchNorm ? [("bn", 8), ("bnb", 4)] : [("bnb", 4)] {
            for suffix in gamma || name == "bnb" ? ["weight", "bias", "running_mean", "running_var"] : ["running_mean", "running_var"] {
                stateDict.setTensor("\(name).\(suffix)", Tensor(shape: [channels], repeating: 1))
            }
        }
        return Model(architecture: "test", graph: g.graph, stateDict: stateDict)
    }

    func testBatchNormScaleRefusesAProducerNoBatchNormAloneReads() throws {
        let bn = ChannelPruningOptions(importance: .batchNormScale)
        XCTAssertNoThrow(try ChannelPruner.removeChannels(handBuilt(batchNorm: true), ratio: 0.5, options: bn))
        let refusals = [
            (handBuilt(batchNorm: false), "bn-scale: 'a' is not read by a BatchNorm alone (read by 'relu')"),
            (handBuilt(batchNorm: true, extraReader: true), "bn-scale: 'a' is not read by a BatchNorm alone (read by 'bn', 'extra')"),
            (handBuilt(batchNorm: true, gamma: false), "bn-scale: BatchNorm 'bn' after 'a' has no weight of 8 channels (affine=False?)"),
        ]
        for (model, message) in refusals {
            XCTAssertThrowsError(try Pruner.prune(model, method: .channel(importance: .batchNormScale), amount: .fraction(0.5),
                                                  pruneResidualGroups: true)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("unsupported graph: \(message)"), text)
                XCTAssertTrue(text.hasSuffix("rank its channels by importance l1 or l2, or exclude the layer"), text)
                XCTAssertFalse(text.contains("\n"))
            }
            // L1 and L2 prune it.
            XCTAssertNoThrow(try Pruner.prune(model, method: .channel(importance: .l2), amount: .fraction(0.5), pruneResidualGroups: true))
        }
    }
}
