import XCTest
import ShearsKit
import TestSupport

/// Every form of every zoo architecture (scripts/fixtures/_zoo.py, 32x32 inputs but VGG's and AlexNet's 56x56) through
/// `ModelFile.read`, as a user's file reaches Shears: a form that carries the forward loads,
/// counts torch's parameters (ONNX: the file's, BatchNorm folded) and gives PyTorch's logits
/// within 1e-4; a form that cannot is refused in one line naming the file. The table here is
/// the README's table of architectures and forms.
final class ZooFormsTests: XCTestCase {
    struct Case: Decodable {
        let input_size: Int
        let parameters: Int
        let onnx_parameters: [String: Int]
    }

    /// The forms a user saves (file suffixes in Tests/Fixtures/architectures/).
    enum Form: String, CaseIterable {
        /// `print(model)` text with the state dict (`--arch-from`).
        case printed = "txt"
        /// The state dict alone.
        case stateDict = "pt"
        /// `torch.save(model)`.
        case module = "module.pt"
        case onnx = "onnx"
        /// `torch.onnx.export(..., dynamo=False)`, where torch can write it.
        case legacyONNX = "legacy.onnx"
        /// `torch.export.save`.
        case exported = "pt2"
    }

    /// The forms each architecture is refused in, with words the one-line error contains
    /// besides the file's path. Every other form loads.
    static let refused: [String: [Form: [String]]] = [
        // forward() applies F.relu and a residual add that no module shows.
        "functional": [.printed: ["torch.export"], .stateDict: ["torch.export"], .module: ["torch.export"]],
        // print(model) does not show transform_input; the keys show neither it nor the layout.
        "googlenet": [.printed: ["transform_input"], .stateDict: ["transform_input"]],
        // Custom classes and shortened torchvision configurations: the keys alone do not fix
        // the activations, strides or pools.
        "ta-student": [.stateDict: ["torch.save(model)"]],
        "dw-relu6": [.stateDict: ["torch.save(model)"]],
        "leaky-bias": [.stateDict: ["torch.save(model)"]],
        "mobilenet-v2": [.stateDict: ["not the default setting's 17", "torch.save(model)"]],
        "squeezenet": [.stateDict: ["neither SqueezeNet 1.0's nor 1.1's", "torch.save(model)"]],
        "mobilenet-v3-small": [.stateDict: ["torch.save(model)"]],
        "efficientnet-b0": [.stateDict: ["torch.save(model)"]],
        "vgg11-bn": [.stateDict: ["none of torchvision's VGG configurations"]],
        "alexnet": [.stateDict: ["does not fit a 56x56 input"]],
    ]

    func testEveryFormLoadsWithPyTorchsLogitsOrIsRefusedInOneLine() throws {
        let manifest: [String: Case] = try Fixtures.json("architectures/manifest.json")
        XCTAssertGreaterThanOrEqual(manifest.count, 21)
        for (name, c) in manifest.sorted(by: { $0.key < $1.key }) {
            let shape = [3, c.input_size, c.input_size]
            let input = Tensor(shape: [2] + shape, scalars: try Fixtures.float32("architectures/\(name).input.f32"))
            let expected = try Fixtures.float32("architectures/\(name).logits.f32")
            for form in Form.allCases {
                let path = Fixtures.path("architectures/\(name).\(form == .printed ? Form.stateDict.rawValue : form.rawValue)")
                guard FileManager.default.fileExists(atPath: path) else { continue }  // torch could not write it
                let label = "\(name).\(form.rawValue)"
                let text = form == .printed ? Fixtures.path("architectures/\(name).txt") : nil
                do {
                    let loaded = try ModelFile.read(path, moduleTreeText: text, inputSize: c.input_size)
                    XCTAssertNil(Self.refused[name]?[form], "\(label) loaded, expected a refusal")
                    let logits = try Executor(model: loaded.model, input: shape, maxBatch: 2).run(input)
                    assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), label)
                    let parameters = [.onnx, .legacyONNX].contains(form) ? c.onnx_parameters[".\(form.rawValue)"] : c.parameters
                    XCTAssertEqual(try ModelStatistics(model: loaded.model, input: shape).parameters, parameters, label)
                } catch {
                    let message = "\(error)"
                    guard let words = Self.refused[name]?[form] else { XCTFail("\(label): \(message)"); continue }
                    XCTAssertTrue(message.hasPrefix(text ?? path) && !message.contains("\n"), "\(label): \(message)")
                    for word in words { XCTAssertTrue(message.contains(word), "\(label): '\(word)' not in \(message)") }
                }
            }
        }
    }
}
