import XCTest
import ShearsKit
import TestSupport

/// ModelFile.read on state dicts alone: torchvision classifiers and the HW7 student by their keys
/// (with a note), plain CNNs at the input size given, and refusals that name the file and
/// the forms that carry the graph, the way out a value (ErrorMessagesTests: the CLI's flags).
final class ModelFileTests: XCTestCase {
    static let forms = ["moduleTreeText:", "torch.save(model)", "torch.export.save", "torch.onnx.export"]

    func assertRefusal(_ error: Error, naming path: String, _ mentions: String..., file: StaticString = #filePath, line: UInt = #line) {
        let text = "\(error)"
        XCTAssertTrue(text.hasPrefix(path), text, file: file, line: line)
        for mention in mentions { XCTAssertTrue(text.contains(mention), "\(mention) not in: \(text)", file: file, line: line) }
    }

    func testATorchvisionStateDictLoadsWithANoteNamingTheVariant() throws {
        let path = Fixtures.path("statedicts/resnet50.pt")
        let loaded = try ModelFile.read(path)
        XCTAssertEqual(loaded.model.architecture, "ResNet")
        XCTAssertEqual(loaded.warnings.count, 1)
        XCTAssertTrue(loaded.warnings[0].text.contains(path) && loaded.warnings[0].text.contains("resnet50"), "\(loaded.warnings[0])")
        XCTAssertEqual(loaded.warnings[0].wayOut, .wholeModel())
    }

    func testTheHW7StudentIsNotTakenForThePlainCNN() throws {
        let loaded = try ModelFile.read(Fixtures.path("statedicts/hw7-student.pt"))
        XCTAssertEqual(loaded.model.architecture, "StudentNet")
        XCTAssertTrue(loaded.warnings.contains { $0.text.contains("HW7") && $0.text.contains("ReLU6") }, "\(loaded.warnings)")
    }

    func testATeacherWithoutItsLastPoolLoadsAtTheInputSizeGiven() throws {
        let loaded = try ModelFile.read(Fixtures.path("statedicts/teacher-no-last-pool.pt"), inputSize: 32)
        XCTAssertEqual(loaded.model.architecture, "plain-cnn")
        XCTAssertEqual(loaded.model.graph.nodes.filter { if case .maxPool = $0.op { return true } else { return false } }.count, 5)
    }

    func testAPlainCNNNoLayoutFitsIsRefusedNamingTheFile() {
        // The TA student: unpadded convs and an AdaptiveAvgPool inside `cnn`; at 32x32 neither
        // layout after its last conv gives fc's 100 features.
        let path = Fixtures.path("architectures/ta-student.pt")
        XCTAssertThrowsError(try ModelFile.read(path, inputSize: 32)) { error in
            self.assertRefusal(error, naming: path, "fc.0 reads 100 features", "32x32")
            for form in Self.forms { XCTAssertTrue("\(error)".contains(form), "\(error)") }
            XCTAssertEqual((error as? NNError)?.wayOut, .wholeModel())
        }
    }

    func testAStudentWithConvBiasesIsRefusedNotTakenForTheReLUStudent() throws {
        // The course student's keys plus conv biases, as a LeakyReLU student with bias=True has.
        var stateDict = try Checkpoint.contents(path: Fixtures.path("models/student.safetensors")).stateDict
        for key in stateDict.keys where key.hasSuffix(".weight") && (key.hasSuffix(".0.weight") || key.hasSuffix(".3.weight")) {
            stateDict.setTensor(String(key.dropLast("weight".count)) + "bias", Tensor(shape: [stateDict[key]?.shape.first ?? 1]))
        }
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("leaky.pt").path
        try TorchCheckpointWriter.write(stateDict, to: path)
        XCTAssertThrowsError(try ModelFile.read(path)) { error in
            self.assertRefusal(error, naming: path, "conv biases", "activations", "architecture: \"student\"")
            XCTAssertEqual((error as? NNError)?.wayOut, .wholeModel(orArchitectures: ["student"]))
        }
        XCTAssertEqual(try ModelFile.read(path, architecture: "student").model.architecture, "student")
    }

    func testABottleneckForcedAsACatalogResNetNamesTheFileAndTheWayOut() {
        let path = Fixtures.path("statedicts/resnet50.pt")
        XCTAssertThrowsError(try ModelFile.read(path, architecture: "resnet18")) { error in
            self.assertRefusal(error, naming: path, "Bottlenecks", "architecture: nil")
            XCTAssertEqual((error as? NNError)?.wayOut, .unforcedArchitecture)
        }
    }

    func testUnknownKeysNameTheFileAndTheForms() throws {
        var stateDict = StateDict()
        stateDict.setTensor("encoder.weight", Tensor(shape: [4, 3, 1, 1]))
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("custom.pt").path
        try TorchCheckpointWriter.write(stateDict, to: path)
        XCTAssertThrowsError(try ModelFile.read(path)) { error in
            self.assertRefusal(error, naming: path, "encoder.weight")
            for form in Self.forms { XCTAssertTrue("\(error)".contains(form), "\(error)") }
            XCTAssertEqual((error as? NNError)?.wayOut, .wholeModel(orArchitectures: ArchitectureCatalog.names))
        }
    }
}
