// Tests for ChannelPruner on grouped convs (scripts/fixtures/grouped_channels.py: torchvision's
// ResNet Bottleneck with groups=4, a RegNetY-style RegNet, a groups=2/4 student, concats and
// a shuffle around grouped convs): every group loses the same number of channels and the
// group counts stay; the removed model computes its masked twin's logits, and at amount 0.3
// the logits ONNX Runtime computed on the file `shears prune --method channel --amount 0.3 -o`
// wrote.

import NN
@testable import Prune
import TestSupport
import XCTest

/// One entry of Tests/Fixtures/grouped/manifest.json.
struct GroupedCase: Decodable {
    let onnx_parameters: Int
    let channel_onnx_parameters: Int
}

extension ChannelPrunerTests {
    func groupedLogits(_ model: Model) throws -> [Float] {
        let batch = Tensor(shape: [2] + input, scalars: try Fixtures.float32("grouped/input.f32"))
        return try Executor(model: model, input: input, maxBatch: 2).run(batch).scalars
    }

    /// The fixture `name` from its ONNX file (BatchNorm folded) or its module tree (BatchNorm
    /// kept), checked against PyTorch's logits.
    func grouped(_ name: String, moduleTree: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> Model {
        let model: Model
        if moduleTree {
            let path = Fixtures.path("grouped/\(name).module.pt")
            let contents = try Checkpoint.contents(path: path)
            model = try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: path).model
        } else {
            model = try ONNXImporter.load(path: Fixtures.path("grouped/\(name).onnx"))
        }
        assertClose(try groupedLogits(model), try Fixtures.float32("grouped/\(name).logits.f32"), "\(name) loads", file: file, line: line)
        return model
    }

    /// Removed vs masked logits, the parameter drop, group counts kept and every grouped conv's
    /// groups of equal width; for the ONNX file at the CLI's defaults (0.3) ONNX Runtime's
    /// logits of the file `shears prune` wrote.
    func checkGrouped(_ original: Model, _ name: String, ratio: Double = 0.3, options: ChannelPruningOptions = ChannelPruningOptions(),
                      fromONNX: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> (Model, PruneRecord) {
        let (removed, record) = try ChannelPruner.removeChannels(original, ratio: ratio, options: options)
        let (masked, maskRecord) = try ChannelPruner.maskChannels(original, ratio: ratio, options: options)
        XCTAssertEqual(record.channelGroups, maskRecord.channelGroups, file: file, line: line)
        let expected = try groupedLogits(masked)
        assertClose(try groupedLogits(removed), expected, rtol: 0, atol: 1e-5, "\(name) removed vs masked", file: file, line: line)
        XCTAssertNotEqual(expected, try groupedLogits(original), file: file, line: line)
        if fromONNX && ratio == 0.3 && options == ChannelPruningOptions() {
            assertClose(try groupedLogits(removed), try Fixtures.float32("grouped/\(name).channel.ort.f32"), "\(name) vs ONNX Runtime", file: file, line: line)
            let manifest: [String: GroupedCase] = try Fixtures.json("grouped/manifest.json")
            let counts = try XCTUnwrap(manifest[name], file: file, line: line)
            XCTAssertEqual(ModelStatistics.parameterCount(of: original), counts.onnx_parameters, file: file, line: line)
            XCTAssertEqual(record.parameters, counts.channel_onnx_parameters, "the file ONNX Runtime ran", file: file, line: line)
        }
        let before = try ModelStatistics(model: original, input: input), after = try ModelStatistics(model: removed, input: input)
        XCTAssertLessThan(after.parameters, before.parameters, file: file, line: line)
        XCTAssertEqual(record.parameters, after.parameters, file: file, line: line)
        for (node, pruned) in zip(original.graph.nodes, removed.graph.nodes) {
            guard case .conv2d(let attributes) = node.op, attributes.groups > 1 else { continue }
            XCTAssertEqual(pruned.op, node.op, "\(node.name): attributes", file: file, line: line)
            let weight = try XCTUnwrap(removed.stateDict.tensor("\(node.name).weight"), file: file, line: line)
            XCTAssertEqual(weight.shape[0] % attributes.groups, 0, "\(node.name) \(weight.shape)", file: file, line: line)
        }
        return (removed, record)
    }

    /// The output channels of the conv `name` in `model`'s weight.
    func filters(_ model: Model, _ name: String) -> [Int]? { model.stateDict.tensor("\(name).weight")?.shape }

    func testResNeXtBottleneckPrunesEveryGroupedConvEvenly() throws {
        let original = try grouped("resnext")
        let (removed, record) = try checkGrouped(original, "resnext")
        // layer1's grouped conv2 has 4 groups of 2 (each loses round(0.6) = 1), layers 2-4's
        // 4 groups of 4 (each loses round(1.2) = 1); conv1 feeds it and follows its groups.
        XCTAssertEqual(filters(removed, "layer1.0.conv1"), [4, 6, 1, 1])  // stem 8 → 6
        XCTAssertEqual(filters(removed, "layer1.0.conv2"), [4, 1, 3, 3])
        XCTAssertEqual(filters(removed, "layer1.0.conv3"), [16, 4, 1, 1])  // residual: kept
        for layer in ["layer2", "layer3", "layer4"] {
            XCTAssertEqual(filters(removed, "\(layer).0.conv1")?[0], 12)
            XCTAssertEqual(filters(removed, "\(layer).0.conv2"), [12, 3, 3, 3])
            XCTAssertEqual(filters(removed, "\(layer).0.conv3"), [32, 12, 1, 1])
        }
        // 9451 parameters (BN folded into biased convs) → stem 888, layer1 260, downsample 112,
        // layer2 1500, layers 3 and 4 2204 each, fc 363.
        XCTAssertEqual(ModelStatistics.parameterCount(of: original), 9451)
        XCTAssertEqual(record.parameters, 7419)
        XCTAssertEqual(record.channelGroups.filter { $0.after < $0.before }.count, 9)
        // With the residual groups pruned too, still exact.
        _ = try checkGrouped(original, "resnext", options: ChannelPruningOptions(pruneResidualGroups: true))
    }

    func testRegNetGroupedConvsAndSqueezeExciteGates() throws {
        let original = try grouped("regnet")
        let (removed, record) = try checkGrouped(original, "regnet")
        // Conv b (group width 4 and 8) and the gate's producer se.fc2 form one space; its 4
        // groups of 4 lose 1 each, its 3 groups of 8 lose round(2.4) = 2 each.
        let convs = original.graph.nodes.filter { node in
            if case .conv2d(let a) = node.op { return a.groups > 1 } else { return false }
        }.map(\.name)
        XCTAssertEqual(convs.count, 3)
        XCTAssertEqual(convs.map { filters(removed, $0)?[0] }, [12, 18, 18])
        XCTAssertEqual(convs.map { filters(removed, $0)?[1] }, [3, 6, 6])
        for conv in convs {
            let group = try XCTUnwrap(record.channelGroups.first { $0.producers.first == conv })
            XCTAssertEqual(group.producers.count, 2, conv)
            XCTAssertTrue(group.producers[1].hasSuffix("se.fc2"), conv)
        }
    }

    func testGroupStudentModuleTreeBatchNormAndDepthwise() throws {
        let original = try grouped("group-student", moduleTree: true)
        let (removed, record) = try checkGrouped(original, "group-student", fromONNX: false)
        XCTAssertEqual(record.channelGroups.map(\.before), [16, 32, 32, 16, 32, 24])
        // 16: read by a groups=2 conv (2 blocks of 8); 32: groups 2 and 4 (4 blocks of 8);
        // 16 behind the depthwise conv: read by groups=16 (blocks of 1, nothing to remove);
        // 32 from groups=16 (16 blocks of 2, each loses 1); 24: ungrouped, round(7.2) = 7.
        XCTAssertEqual(record.channelGroups.map(\.after), [12, 24, 24, 16, 16, 17])
        XCTAssertEqual(filters(removed, "4"), [24, 6, 3, 3])
        XCTAssertEqual(filters(removed, "8"), [24, 6, 3, 3])
        XCTAssertEqual(filters(removed, "10"), [16, 12, 1, 1])
        XCTAssertEqual(filters(removed, "13"), [16, 1, 3, 3])
        XCTAssertEqual(filters(removed, "16"), [16, 1, 3, 3])
        XCTAssertEqual(removed.stateDict.tensor("5.running_var")?.shape, [24])
        // 7051 (torch's count) → 324+24, 1296+48, 1320, 192+32, 144+32, 144+32, 289, fc 198.
        XCTAssertEqual(ModelStatistics.parameterCount(of: original), 7051)
        XCTAssertEqual(record.parameters, 4075)
        // The ONNX form (BN folded, so other norms) prunes as many channels; ONNX Runtime agrees.
        let (_, onnxRecord) = try checkGrouped(try grouped("group-student"), "group-student")
        XCTAssertEqual(onnxRecord.channelGroups.map(\.after), record.channelGroups.map(\.after))
    }

    func testGroupedRankingIsPerGroupL1AndRoundToKeepsMultiples() throws {
        let original = try grouped("group-student", moduleTree: true)
        let (_, record) = try ChannelPruner.maskChannels(original, ratio: 0.3)
        // Conv 4 (32 filters, read by groups=4): each block of 8 keeps its 6 largest L1 norms,
        // as ln_structured(amount=2, n=1, dim=0) on that block's filters.
        let weight = try XCTUnwrap(original.stateDict.tensor("4.weight"))
        let mask = try XCTUnwrap(record.masks["4.weight"])
        let block = weight.count / 4
        for b in 0..<4 {
            let slice = Tensor(shape: [8] + weight.shape.dropFirst(), scalars: Array(weight.scalars[(b * block)..<((b + 1) * block)]))
            let expected = try StructuredMask.ln(weight: slice, amount: .count(2), n: 1, dim: 0)
            XCTAssertEqual(Array(mask.scalars[(b * block)..<((b + 1) * block)]), expected.scalars, "block \(b)")
        }
        // roundTo 4: per block a multiple of 4 / gcd(4, blocks), so each total is a multiple of 4.
        let (_, rounded) = try checkGrouped(original, "group-student", options: ChannelPruningOptions(roundTo: 4), fromONNX: false)
        XCTAssertEqual(rounded.channelGroups.map(\.after), [12, 24, 24, 16, 16, 16])
    }

    func testConcatsAndShufflesAroundGroupedConvs() throws {
        let original = try grouped("group-concat")
        let (removed, record) = try checkGrouped(original, "group-concat")
        // b (groups=2) is a concat branch read by the ungrouped c: pruned by its groups, c's
        // input channels at b's offset. The second concat is read by the grouped head, which
        // would tie its branches' counts: c and d keep their channels. f (groups=2) feeds a
        // channel shuffle: pinned; e (groups=2) reads the shuffled channels, its own are pruned.
        XCTAssertEqual(record.channelGroups.filter { $0.after < $0.before }.map(\.producers), [["stem"], ["a"], ["b"], ["head"], ["e"]])
        XCTAssertEqual(filters(removed, "b"), [6, 3, 3, 3])
        XCTAssertEqual(filters(removed, "c"), [16, 12, 1, 1])
        XCTAssertEqual(filters(removed, "d"), [16, 8, 3, 3])
        XCTAssertEqual(filters(removed, "head"), [12, 8, 3, 3])
        XCTAssertEqual(filters(removed, "f"), [16, 6, 1, 1])
        XCTAssertEqual(filters(removed, "e"), [12, 8, 1, 1])
    }
}

extension ChannelPrunerTests {
    /// A conv whose groups split neither its filters nor the channels it reads is refused
    /// (loaders reject such graphs; a Model built by hand must not crash the pruner).
    func testGroupsThatDoNotSplitAreRefused() throws {
        let original = try grouped("group-student", moduleTree: true)
        let index = try XCTUnwrap(original.graph.nodes.firstIndex { $0.name == "8" })
        guard case .conv2d(var attributes) = original.graph.nodes[index].op else { return XCTFail("8 is a conv") }
        for (groups, mention) in [(5, "conv '8' has no input or no 4-D weight whose filters split into its 5 groups"),
                                  (8, "conv '8' reads 32 channels with a [32, 8, 3, 3] weight in 8 groups")] {
            var model = original
            attributes.groups = groups
            model.graph.nodes[index].op = .conv2d(attributes)
            XCTAssertThrowsError(try ChannelPruner.removeChannels(model, ratio: 0.3)) { error in
                XCTAssertTrue("\(error)".contains(mention), "\(error)")
            }
        }
    }

    /// The zoo's leaf-layer student (scripts/fixtures/_zoo.py LeakyNet, trained): its groups=2
    /// and dilated groups=4 convs now lose channels too.
    func testZooLeakyNetGroupedConvsShrink() throws {
        let path = Fixtures.path("architectures/leaky-bias.module.pt")
        let contents = try Checkpoint.contents(path: path)
        let original = try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: path).model
        let (removed, record) = try checkGrouped(original, "leaky-bias", fromONNX: false)
        // conv1 24 (read by groups=2: 2 blocks of 12, each loses round(3.6) = 4), conv2 48 (groups
        // 2 and 4: 4 blocks of 12), conv3 48 (groups 4), conv4 32 (ungrouped, round(9.6) = 10).
        XCTAssertEqual(record.channelGroups.map(\.after), [16, 32, 32, 22])
        XCTAssertEqual(filters(removed, "conv2"), [32, 8, 3, 3])
        XCTAssertEqual(filters(removed, "conv3"), [32, 8, 3, 3])
        XCTAssertEqual(filters(removed, "fc"), [11, 22])
    }
}
