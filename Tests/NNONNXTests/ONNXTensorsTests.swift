import XCTest
import TestSupport
@testable import NNCore
@testable import NNONNX

/// External data: the location must resolve (symlinks followed) to a regular file inside the
/// model's folder; offset and length must lie within it; lengths count against the budget.
/// Each refusal is one line naming the model file and the location.
final class ONNXTensorsTests: XCTestCase {
    /// `folder/model/m.onnx` whose conv weight (108 floats) is external data `entries`, and
    /// `folder/model/w.bin` holding 512 bytes; returns the model's path.
    func model(in folder: URL, _ entries: [(String, String)]) throws -> String {
        let directory = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var model = ONNXModel.convClassifier(conv: [])
        model.removeInitializer("conv.weight")
        model.externalInitializer("conv.weight", dims: [4, 3, 3, 3], entries: entries)
        let path = directory.appendingPathComponent("m.onnx").path
        try Data(try model.bytes(output: "logits")).write(to: URL(fileURLWithPath: path))
        try Data(repeating: 0, count: 512).write(to: directory.appendingPathComponent("w.bin"))
        return path
    }

    func assertRefused(_ path: String, _ words: String..., file: StaticString = #filePath, line: UInt = #line) {
        let start = Date()
        XCTAssertThrowsError(try ONNXImporter.load(path: path), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(path + ": "), text, file: file, line: line)
            for word in words { XCTAssertTrue(text.contains(word), "no '\(word)' in: \(text)", file: file, line: line) }
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, file: file, line: line)
    }

    func testExternalDataInsideTheFolderLoads() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let path = try model(in: folder, [("location", "w.bin"), ("offset", "64"), ("length", "432")])
        XCTAssertEqual(try ONNXImporter.load(path: path).stateDict.tensor("conv.weight")?.shape, [4, 3, 3, 3])
        // Through a link that stays inside the folder.
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("model/link.bin").path, withDestinationPath: "w.bin")
        let linked = try model(in: folder, [("location", "./link.bin"), ("length", "432")])
        XCTAssertNoThrow(try ONNXImporter.load(path: linked))
    }

    func testLinksAndPathsLeadingOutsideTheFolderAreRefused() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let secret = folder.appendingPathComponent("secret.bin")
        try Data(repeating: 7, count: 4096).write(to: secret)
        let path = try model(in: folder, [("location", "evil.bin"), ("length", "432")])
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("model/evil.bin").path, withDestinationPath: secret.path)
        assertRefused(path, "external data 'evil.bin' resolves to", "outside the model's folder")
        // A folder inside that is a link to one outside.
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("model/sub").path, withDestinationPath: folder.path)
        assertRefused(try model(in: folder, [("location", "sub/secret.bin"), ("length", "432")]), "'sub/secret.bin'", "outside the model's folder")
        assertRefused(try model(in: folder, [("location", "../secret.bin"), ("length", "432")]), "'../secret.bin'", "outside the model's folder")
        assertRefused(try model(in: folder, [("location", secret.path)]), "is not a file name relative to the model's folder")
        assertRefused(try model(in: folder, [("offset", "0")]), "external data ''")
    }

    func testAFifoFolderOrMissingFileIsRefusedWithoutBlocking() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let path = try model(in: folder, [("location", "pipe.bin")])
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("model/pipe.bin").path, 0o600), 0)
        assertRefused(path, "external data 'pipe.bin'", "FIFO")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("model/dir"), withIntermediateDirectories: true)
        assertRefused(try model(in: folder, [("location", "dir")]), "external data 'dir'", "a folder")
        assertRefused(try model(in: folder, [("location", ".")]), "external data '.' resolves to", "outside the model's folder")
        assertRefused(try model(in: folder, [("location", "gone.bin")]), "external data 'gone.bin' is missing")
        // The model itself as a FIFO.
        let pipe = folder.appendingPathComponent("pipe.onnx").path
        XCTAssertEqual(mkfifo(pipe, 0o600), 0)
        assertRefused(pipe, "FIFO")
    }

    func testOffsetsAndLengthsOutsideTheFileAreRefusedWithoutTrapping() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        for (offset, length, words) in [("9223372036854775000", "432", "offset 9223372036854775000 is not within its 512 bytes"),
                                        ("64", "9223372036854775807", "length 9223372036854775807 from offset 64"),
                                        ("-8", "432", "offset -8"), ("0x10", "432", "offset 0x10"),
                                        ("128", "432", "length 432 from offset 128 is not within its 512 bytes"),
                                        ("0", "-1", "length -1")] {
            assertRefused(try model(in: folder, [("location", "w.bin"), ("offset", offset), ("length", length)]), "external data 'w.bin'", words)
        }
    }

    func testManyTensorsOnOneStretchOfDataAddUpAgainstTheBudget() throws {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 4096
        let folder = try Fixtures.temporaryDirectory(for: self)
        let path = try model(in: folder, [("location", "w.bin"), ("length", "432")])
        var proto = ONNXModel.convClassifier(conv: [])
        proto.removeInitializer("conv.weight")
        proto.externalInitializer("conv.weight", dims: [4, 3, 3, 3], entries: [("location", "w.bin"), ("length", "432")])
        for k in 0..<20 { proto.externalInitializer("unused\(k)", dims: [108], entries: [("location", "w.bin"), ("length", "432")]) }
        try Data(try proto.bytes(output: "logits")).write(to: URL(fileURLWithPath: path))
        assertRefused(path, "tensor 'unused", "with the constants before it", "over the memory limit of 4.0 KB")
    }
}
