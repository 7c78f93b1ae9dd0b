import XCTest
import TestSupport
import NNTestSupport
import ONNXProto
@testable import NNCore
@testable import NNTorchIO
@testable import NNONNX
@testable import NNEngine

/// ONNXExporter and SafetensorsWriter: what Shears writes reads back to the same model, and
/// Shears' channel-pruned exports (scripts/fixtures/architectures.py ran them in ONNX Runtime)
/// give ONNX Runtime's logits; AdaptiveAvgPool2d to k x k is written for a known input size.
final class ONNXExporterTests: XCTestCase {
    struct Case: Decodable {
        let input_size: Int
        let onnx_parameters: [String: Int]
        /// Absent where Shears refused to channel-prune the model (`channel_error`).
        let channel_parameters: Int?
    }

    func input(_ name: String, _ shape: [Int] = [3, 32, 32]) throws -> Tensor {
        Tensor(shape: [2] + shape, scalars: try Fixtures.float32("architectures/\(name).input.f32"))
    }

    func testExportedModelsReadBackWithTheirLogitsAndNames() throws {
        for name in ZooFixtures.names {
            let model = try ZooFixtures.treeModels(name)[0].model
            let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("\(name).onnx").path
            try ONNXExporter.write(model, to: path)
            let back = try ONNXImporter.load(path: path)
            let expected = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(try input(name)).scalars
            let logits = try Executor(model: back, input: [3, 32, 32], maxBatch: 2).run(try input(name)).scalars
            assertClose(logits, expected, rtol: 1e-6, atol: 1e-7, name)
            let parametric = model.graph.nodes.filter(\.op.isParametric).map(\.name)
            XCTAssertEqual(Set(back.graph.nodes.filter(\.op.isParametric).map(\.name)), Set(parametric), name)
            // nn.Dropout is written as ONNX Dropout with its ratio and reads back with its p.
            let dropouts = { (m: Model) in m.graph.nodes.map(\.op).filter { if case .dropout = $0 { return true } else { return false } } }
            XCTAssertEqual(dropouts(back), dropouts(model), name)
            XCTAssertEqual(try ModelStatistics(model: back, input: [3, 32, 32]).parameters,
                           try ModelStatistics(model: model, input: [3, 32, 32]).parameters, name)
        }
    }

    func testChannelPrunedExportsGiveOnnxRuntimesLogits() throws {
        let manifest: [String: Case] = try Fixtures.json("architectures/manifest.json")
        XCTAssertGreaterThanOrEqual(manifest.count, 21)
        for (name, c) in manifest {
            let shape = [3, c.input_size, c.input_size]
            let model = try ONNXImporter.load(path: Fixtures.path("architectures/\(name).channel.onnx"))
            let logits = try Executor(model: model, input: shape, maxBatch: 2).run(try input(name, shape))
            let ort = try Fixtures.float32("architectures/\(name).channel.ort.f32")
            XCTAssertEqual(logits.shape, [2, 11], name)
            assertClose(logits.scalars, ort, rtol: 1e-4, atol: 1e-5 * (ort.map(abs).max() ?? 1), name)
            let parameters = try ModelStatistics(model: model, input: shape).parameters
            XCTAssertEqual(parameters, try XCTUnwrap(c.channel_parameters, name), name)
            if name == "functional" {
                // Its only channels are one residual group, kept without --prune-residual.
                XCTAssertEqual(parameters, c.onnx_parameters[".onnx"], name)
            } else {
                XCTAssertLessThan(parameters, c.onnx_parameters[".onnx"] ?? 0, "\(name): channel removal must shrink the model")
            }
        }
    }

    /// ConvNeXt (scripts/fixtures/convnext.py): its module-tree model exports with LayerNorms,
    /// per-position linears and layer scales under their torch keys and reads back identically,
    /// and Shears' channel-pruned export gives ONNX Runtime's logits.
    func testConvNeXtExportsReadBackAndRunInOnnxRuntime() throws {
        struct Manifest: Decodable { let parameters: Int; let channel_parameters: Int }
        let manifest: Manifest = try Fixtures.json("convnext/manifest.json")
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("convnext/convnext.input.f32"))
        let source = Fixtures.path("convnext/convnext.module.pt")
        let contents = try Checkpoint.contents(path: source)
        let model = try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: source).model
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("convnext.onnx").path
        try ONNXExporter.write(model, to: path)
        let back = try ONNXImporter.load(path: path)
        let expected = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input).scalars
        assertClose(try Executor(model: back, input: [3, 32, 32], maxBatch: 2).run(input).scalars, expected, rtol: 1e-6, atol: 1e-7)
        XCTAssertEqual(Set(back.graph.nodes.filter(\.op.isParametric).map(\.name)), Set(model.graph.nodes.filter(\.op.isParametric).map(\.name)))
        XCTAssertEqual(Set(back.stateDict.keys), Set(contents.stateDict.keys))
        XCTAssertEqual(try ModelStatistics(model: back, input: [3, 32, 32]).parameters, manifest.parameters)

        let pruned = try ONNXImporter.load(path: Fixtures.path("convnext/convnext.channel.onnx"))
        let ort = try Fixtures.float32("convnext/convnext.channel.ort.f32")
        assertClose(try Executor(model: pruned, input: [3, 32, 32], maxBatch: 2).run(input).scalars, ort,
                    rtol: 1e-4, atol: 1e-5 * (ort.map(abs).max() ?? 1), "convnext.channel.onnx")
        XCTAssertEqual(try ModelStatistics(model: pruned, input: [3, 32, 32]).parameters, manifest.channel_parameters)
        XCTAssertLessThan(manifest.channel_parameters, manifest.parameters)
    }

    func testAdaptivePoolsOtherThanOneByOneNeedAnInputSizeWithUniformBins() throws {
        var g = GraphBuilder()
        g.add("pool", .adaptiveAvgPool(Size2(2)), g.input)
        let model = Model(architecture: "t", graph: g.graph, stateDict: StateDict())
        XCTAssertThrowsError(try ONNXExporter.serialized(model, path: "out.onnx")) { error in
            XCTAssertTrue("\(error)".contains("out.onnx") && "\(error)".contains("layer 'pool'") && "\(error)".contains("input: [C, H, W]"), "\(error)")
            XCTAssertEqual((error as? NNError)?.wayOut, .exportInputSize)
        }
        // 5 → 2: bins [0, 3) and [2, 5), of three pixels overlapping by one: no ONNX pool.
        XCTAssertThrowsError(try ONNXExporter.serialized(model, path: "out.onnx", input: [3, 5, 4])) { error in
            XCTAssertTrue("\(error)".contains("layer 'pool'") && "\(error)".contains("bins of unequal size"), "\(error)")
        }
    }

    /// VGG's and AlexNet's layouts at 32x32 (scripts/fixtures/onnx_patterns.py): their
    /// AdaptiveAvgPool2d is written for the input size as an AveragePool (4x4 → 2x2) or a
    /// nearest Resize (1x1 → 3x3), the input declared at that size, and a note says so.
    func testAdaptivePoolsAreWrittenForAKnownInputSize() throws {
        for (name, form, kernel) in [("vggish", "AveragePool kernel 2 stride 2", [Int64(2), 2]), ("alexish", "nearest Resize by 3", nil)] {
            let path = Fixtures.path("onnxpatterns/\(name).module.pt")
            let contents = try Checkpoint.contents(path: path)
            let model = try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: path).model
            let (bytes, notes) = try ONNXExporter.serialized(model, path: "\(name).onnx", input: [3, 32, 32])
            XCTAssertEqual(notes.count, 1, name)
            XCTAssertTrue(notes[0].contains("layer 'avgpool'") && notes[0].contains(form) && notes[0].contains("3x32x32"), notes[0])
            let graph = try ONNXFile.parse(Data(bytes), path: name).graph
            XCTAssertEqual(graph.input[0].type.tensorType.shape.dim.dropFirst().map(\.dimValue), [3, 32, 32], name)
            let pool = graph.node.filter { $0.name.hasPrefix("avgpool") }
            XCTAssertEqual(pool.map(\.opType), [kernel == nil ? "Resize" : "AveragePool"], name)
            if let kernel { XCTAssertEqual(pool[0].attribute.first { $0.name == "kernel_shape" }?.ints, kernel, name) }
        }
    }

    func testChannelPrunedPoolWrittenForItsSizeGivesOnnxRuntimesLogits() throws {
        // `shears prune vggish.module.pt --method channel --amount 0.3 --input 3x32x32 -o vggish.channel.onnx`
        let model = try ONNXImporter.load(path: Fixtures.path("onnxpatterns/vggish.channel.onnx"))
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("onnxpatterns/input.f32"))
        let ort = try Fixtures.float32("onnxpatterns/vggish.channel.ort.f32")
        let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
        assertClose(logits.scalars, ort, rtol: 1e-4, atol: 1e-5 * (ort.map(abs).max() ?? 1), "vggish.channel.onnx")
    }

    func testSafetensorsRoundTrip() throws {
        let stateDict = try Checkpoint.contents(path: Fixtures.path("architectures/narrow-resnet.pt")).stateDict
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("m.safetensors").path
        try SafetensorsWriter.write(stateDict, to: path)
        let back = try Checkpoint.contents(path: path).stateDict
        XCTAssertEqual(Set(back.keys), Set(stateDict.keys))
        for (key, value) in stateDict.entries {
            switch (value, back[key]) {
            case (.float(let a, _), .float(let b, .float32)?): XCTAssertEqual(a, b, key)
            case (.integer(let a, _), .integer(let b, .int64)?): XCTAssertEqual(a, b, key)
            default: XCTFail("\(key): \(String(describing: back[key]))")
            }
        }
    }
}
