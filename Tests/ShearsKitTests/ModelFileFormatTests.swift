import Foundation
import XCTest
import ShearsKit
import TestSupport

/// ModelFile's one place that tells formats apart: by content whatever the name (a blob, a
/// torch.export archive), ONNX by name; writing by extension, `.pt2` refused.
final class ModelFileFormatTests: XCTestCase {
    func testContentDecidesWhateverTheName() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path
        let loaded = try ModelFile.read(student)
        // A Shears blob named .pt, a .pt2 archive named .bin, a torch.save zip named .pkl.
        let blob = folder.appendingPathComponent("blob.pt").path
        let quantized = try Quantizer.quantize(loaded.model.stateDict, config: QuantizationConfig(bits: 8), architecture: loaded.model.architecture, source: "student.pt")
        try AtomicFile.write(BlobCodec.encode(quantized), to: blob)
        XCTAssertEqual(try ModelFile.read(blob).model.stateDict.keys, loaded.model.stateDict.keys)
        let archive = folder.appendingPathComponent("plain-cnn.bin").path
        try FileManager.default.copyItem(atPath: Fixtures.path("pt2/plain-cnn.pt2"), toPath: archive)
        XCTAssertNotNil(try ModelFile.read(archive).exportedInput)
        let zip = folder.appendingPathComponent("student.pkl").path
        try ModelFile.write(loaded.model, to: zip)
        XCTAssertEqual(try ModelFile.read(zip).model.graph.nodes.count, loaded.model.graph.nodes.count)
    }

    func testWritingFollowsTheExtensionAndRefusesPT2() throws {
        XCTAssertEqual(ModelFile.Format(path: "a.ONNX"), .onnx)
        XCTAssertEqual(ModelFile.Format(path: "a.safetensors"), .safetensors)
        XCTAssertEqual(ModelFile.Format(path: "a.pth"), .torch)
        XCTAssertTrue(ModelFile.isONNX("m.onnx"))
        let student = try ModelFile.read(Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path)
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("student.pt2").path
        XCTAssertThrowsError(try ModelFile.write(student.model, to: path)) { XCTAssertTrue("\($0)".hasPrefix("\(path): "), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
