import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// Every architecture of the zoo (scripts/fixtures/_zoo.py) in both module-tree forms
/// (whole-module pickle; print(model) text with the state dict): never silently wrong. Each
/// form either loads with PyTorch's logits and parameter count, or is refused in one line
/// naming the file and the way to give the exact graph. The torchvision models whose forward
/// is known load without a warning; the custom class whose forward() applies functional ops
/// is refused; the students load with a warning naming the guess.
final class ModuleTreeZooTests: XCTestCase {
    struct Case: Decodable { let input_size: Int; let parameters: Int }

    static let known = ["alexnet", "densenet", "efficientnet-b0", "googlenet", "mnasnet", "mobilenet-v2", "mobilenet-v3-small", "narrow-resnet",
                        "regnet-y", "resnet50", "resnext50", "shufflenet", "squeezenet", "vgg11-bn"]
    static let guessed = ["dw-relu6", "hw7-student", "leaky-bias", "ta-student", "teachernet"]

    func testEveryFormLoadsRightOrIsRefusedNamingTheWayOut() throws {
        let manifest: [String: Case] = try Fixtures.json("architectures/manifest.json")
        var loaded: [String: [String]] = [:]
        for (name, c) in manifest.sorted(by: { $0.key < $1.key }) {
            let path = { (form: String) in Fixtures.path("architectures/\(name).\(form)") }
            let shape = [3, c.input_size, c.input_size]
            let input = Tensor(shape: [2] + shape, scalars: try Fixtures.float32("architectures/\(name).input.f32"))
            let expected = try Fixtures.float32("architectures/\(name).logits.f32")
            for source in [path("module.pt"), path("txt")] {
                let result = Result {
                    if source.hasSuffix(".txt") {
                        return try ModuleTreeImporter.model(try ModuleTreeText.load(path: source), stateDict: try Checkpoint.contents(path: path("pt")).stateDict, source: source)
                    }
                    let contents = try Checkpoint.contents(path: source)
                    return try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: source)
                }
                switch result {
                case .success(let (model, warnings)):
                    loaded[name, default: []] += warnings
                    let logits = try Executor(model: model, input: shape, maxBatch: 2).run(input)
                    assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), source)
                    XCTAssertEqual(try ModelStatistics(model: model, input: shape).parameters, c.parameters, source)
                case .failure(let error):
                    let message = "\(error)"
                    XCTAssertTrue(message.hasPrefix("\(source): unsupported: module '") && !message.contains("\n"), message)
                    XCTAssertTrue(message.hasSuffix("save it with torch.export.save(torch.export.export(model, (x,)), 'model.pt2') or export it with torch.onnx.export"), message)
                }
            }
        }
        for name in Self.known { XCTAssertEqual(loaded[name], [], name) }
        for name in Self.guessed { XCTAssertEqual(loaded[name]?.count, 2, name) }
        XCTAssertNil(loaded["functional"], "the functional forward loaded")
    }
}
