// Tests for ChannelPruner: the channel-removed model computes the masked model's logits,
// shrinks, reloads through the architecture catalog; depthwise convs follow their
// producer; residual groups are kept or pruned together; roundTo keeps multiples.

import NN
@testable import Prune
import TestSupport
import XCTest

final class ChannelPrunerTests: XCTestCase {
    let input = [3, 32, 32]

    func model(_ name: String) throws -> Model {
        try ArchitectureCatalog.build(SafetensorsReader.read(path: Fixtures.path("prune/\(name).safetensors")))
    }

    func logits(_ model: Model) throws -> [Float] {
        let batch = Tensor(shape: [2] + input, scalars: try Fixtures.float32("prune/input.f32"))
        return try Executor(model: model, input: input, maxBatch: 2).run(batch).scalars
    }

    /// Removed vs masked logits, smaller statistics, and a strict reload of the removed state dict.
    func checkExact(_ name: String, ratio: Double, options: ChannelPruningOptions,
                    file: StaticString = #filePath, line: UInt = #line) throws -> (Model, PruneRecord) {
        let original = try model(name)
        let (removed, record) = try ChannelPruner.removeChannels(original, ratio: ratio, options: options)
        let (masked, maskRecord) = try ChannelPruner.maskChannels(original, ratio: ratio, options: options)
        XCTAssertEqual(record.channelGroups, maskRecord.channelGroups, file: file, line: line)
        XCTAssertTrue(record.channelGroups.contains { $0.after < $0.before }, file: file, line: line)
        let expected = try logits(masked)
        assertClose(try logits(removed), expected, rtol: 1e-4, atol: 1e-5, "\(name) ratio \(ratio)", file: file, line: line)
        XCTAssertNotEqual(expected, try logits(original), file: file, line: line)
        let before = try ModelStatistics(model: original, input: input)
        let after = try ModelStatistics(model: removed, input: input)
        XCTAssertLessThan(after.parameters, before.parameters, file: file, line: line)
        XCTAssertLessThan(after.macs, before.macs, file: file, line: line)
        XCTAssertEqual(record.parameters, after.parameters, file: file, line: line)
        let reloaded = try ArchitectureCatalog.build(removed.stateDict)
        XCTAssertEqual(reloaded.graph, removed.graph, file: file, line: line)
        return (removed, record)
    }

    /// An ONNX graph with a squeeze-excite Mul and a two-branch Concat (scripts/fixtures/onnx_models.py).
    func testConcatBlocksAndSqueezeExciteGatesFollowTheirSpaces() throws {
        let original = try ONNXImporter.load(path: Fixtures.path("onnx/blocks.onnx"))
        let batch = Tensor(shape: [2] + input, scalars: try Fixtures.float32("onnx/blocks.input.f32"))
        func logits(_ model: Model) throws -> [Float] { try Executor(model: model, input: input, maxBatch: 2).run(batch).scalars }
        let (removed, record) = try ChannelPruner.removeChannels(original, ratio: 0.5)
        let (masked, _) = try ChannelPruner.maskChannels(original, ratio: 0.5)
        assertClose(try logits(removed), try logits(masked), rtol: 1e-4, atol: 1e-5, "blocks")
        // The gate's producer is pruned with the gated stem; each concat branch on its own.
        XCTAssertTrue(record.channelGroups.contains { $0.producers == ["stem", "se_fc2"] && $0.after == 8 })
        XCTAssertEqual(removed.stateDict.tensor("expand1.weight")?.shape[0], 6)
        XCTAssertEqual(removed.stateDict.tensor("expand3.weight")?.shape[0], 6)
        // head feeds a Sigmoid (sigmoid(0) ≠ 0): its channels stay.
        XCTAssertEqual(removed.stateDict.tensor("head.weight")?.shape, [24, 12, 1, 1])
        XCTAssertEqual(removed.stateDict.tensor("fc.weight")?.shape, [7, 24])
    }

    /// ConvNeXt (scripts/fixtures/convnext.py): each CNBlock's MLP hidden width (Linear on the
    /// feature map → GELU → Linear) is removed exactly against the masked twin; the residual
    /// stream that LayerNorms read stays whole, even with residual groups pruned.
    func testConvNeXtPrunesTheMLPHiddenWidthAndPinsLayerNormSpaces() throws {
        let path = Fixtures.path("convnext/convnext.module.pt")
        let contents = try Checkpoint.contents(path: path)
        let original = try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: path).model
        let batch = Tensor(shape: [2] + input, scalars: try Fixtures.float32("convnext/convnext.input.f32"))
        func logits(_ model: Model) throws -> [Float] { try Executor(model: model, input: input, maxBatch: 2).run(batch).scalars }
        let options = ChannelPruningOptions(pruneResidualGroups: true)
        let (removed, record) = try ChannelPruner.removeChannels(original, ratio: 0.5, options: options)
        let (masked, _) = try ChannelPruner.maskChannels(original, ratio: 0.5, options: options)
        let expected = try logits(masked)
        assertClose(try logits(removed), expected, rtol: 1e-4, atol: 1e-5, "convnext")
        XCTAssertNotEqual(expected, try logits(original))
        XCTAssertEqual(record.channelGroups.map(\.producers), [["features.1.0.block.3"], ["features.3.0.block.3"], ["features.5.0.block.3"]])
        XCTAssertEqual(removed.stateDict.tensor("features.3.0.block.3.weight")?.shape, [16, 8])
        XCTAssertEqual(removed.stateDict.tensor("features.3.0.block.5.weight")?.shape, [8, 16])
        XCTAssertEqual(removed.stateDict.tensor("features.3.0.layer_scale")?.shape, [8, 1, 1])
        XCTAssertEqual(try ModelStatistics(model: removed, input: input).parameters, record.parameters)
    }

    func testResNetRemovalEqualsMaskingResidualsKept() throws {
        let (removed, record) = try checkExact("resnet", ratio: 0.5, options: ChannelPruningOptions())
        // Stem and layer1 share one residual group: untouched. Block-internal convs are halved.
        XCTAssertEqual(removed.stateDict.tensor("conv1.weight")?.shape[0], 8)
        XCTAssertEqual(removed.stateDict.tensor("layer1.0.conv1.weight")?.shape, [4, 8, 3, 3])
        XCTAssertEqual(removed.stateDict.tensor("layer4.0.conv1.weight")?.shape, [12, 16, 3, 3])
        XCTAssertEqual(removed.stateDict.tensor("layer4.0.conv2.weight")?.shape, [24, 12, 3, 3])
        XCTAssertTrue(record.channelGroups.allSatisfy { $0.producers.count == 1 })
    }

    func testResNetResidualGroupsPrunedTogether() throws {
        let (removed, record) = try checkExact("resnet", ratio: 0.3, options: ChannelPruningOptions(pruneResidualGroups: true))
        let stem = try XCTUnwrap(record.channelGroups.first { $0.producers.contains("conv1") })
        XCTAssertEqual(stem.producers, ["conv1", "layer1.0.conv2", "layer1.1.conv2"])
        XCTAssertEqual(stem.after, 6)  // round(0.3 · 8) = 2 removed
        for key in ["conv1.weight", "layer1.0.conv2.weight", "layer1.1.conv2.weight", "bn1.weight", "layer1.1.bn2.running_var"] {
            XCTAssertEqual(removed.stateDict.tensor(key)?.shape[0], 6, key)
        }
        XCTAssertEqual(removed.stateDict.tensor("layer2.0.downsample.0.weight")?.shape[1], 6)
        XCTAssertEqual(removed.stateDict.tensor("fc.weight")?.shape, [11, 17])  // 24 - round(7.2)
    }

    func testStudentDepthwiseFollowsProducer() throws {
        let (removed, _) = try checkExact("student", ratio: 0.5, options: ChannelPruningOptions())
        // layer1.3 (16 → 8) feeds layer2.0, a depthwise conv over those channels.
        XCTAssertEqual(removed.stateDict.tensor("layer1.0.weight")?.shape, [6, 1, 3, 3])  // stem 12 → 6
        XCTAssertEqual(removed.stateDict.tensor("layer1.3.weight")?.shape, [8, 6, 1, 1])
        XCTAssertEqual(removed.stateDict.tensor("layer2.0.weight")?.shape, [8, 1, 3, 3])
        XCTAssertEqual(removed.stateDict.tensor("layer2.0.bias")?.shape, [8])
        XCTAssertEqual(removed.stateDict.tensor("layer2.3.weight")?.shape, [12, 8, 1, 1])
        let node = try XCTUnwrap(removed.graph.nodes.first { $0.name == "layer2.0" })
        XCTAssertEqual(node.op, .conv2d(Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 8)))
        XCTAssertEqual(removed.stateDict.tensor("fc.weight")?.shape, [11, 10])
    }

    func testRoundToKeepsMultiples() throws {
        let (_, record) = try checkExact("student", ratio: 0.3, options: ChannelPruningOptions(roundTo: 8))
        XCTAssertEqual(record.channelGroups.map(\.before), [12, 16, 24, 32, 20])
        // keep 8, 11→8, 17→16, 22→24, 14→16
        XCTAssertEqual(record.channelGroups.map(\.after), [8, 8, 16, 24, 16])
    }

    func testRankingIsLnStructuredL1() throws {
        let original = try model("student")
        let (_, record) = try ChannelPruner.maskChannels(original, ratio: 0.4)
        for group in record.channelGroups {
            let key = "\(group.producers[0]).weight"
            let expected = try StructuredMask.ln(weight: original.stateDict.tensor(key)!, amount: .count(group.before - group.after), n: 1, dim: 0)
            XCTAssertEqual(record.masks[key], expected, key)
        }
    }

    func testSelectionAndInvalidRatio() throws {
        let original = try model("student")
        let (removed, record) = try ChannelPruner.removeChannels(original, ratio: 0.5,
                                                                options: ChannelPruningOptions(selection: LayerSelection(include: ["layer1.*"])))
        XCTAssertEqual(record.channelGroups.map(\.producers), [["layer1.3"]])
        XCTAssertEqual(removed.stateDict.tensor("conv1.weight")?.shape[0], 12)
        XCTAssertThrowsError(try ChannelPruner.removeChannels(original, ratio: 1.5))
        // ratio 1 keeps one channel per group
        let (tiny, tinyRecord) = try ChannelPruner.removeChannels(original, ratio: 1)
        XCTAssertTrue(tinyRecord.channelGroups.allSatisfy { $0.after == 1 })
        XCTAssertNoThrow(try logits(tiny))
    }
}

extension ChannelPrunerTests {
    func testFlattenOfSpatialMapRemovesBlocks() throws {
        let (removed, record) = try checkExact("plain", ratio: 0.5, options: ChannelPruningOptions())
        XCTAssertEqual(record.channelGroups.map(\.after), [4, 6, 5])
        XCTAssertEqual(removed.stateDict.tensor("fc.0.weight")?.shape, [11, 5 * 16])
    }
}
