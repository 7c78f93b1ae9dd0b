import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

final class TorchCheckpointWriterTests: XCTestCase {
    func testRoundTripIsIdentical() throws {
        var dict = StateDict()
        dict["conv.weight"] = .float(Tensor(shape: [2, 1, 2, 2], scalars: [0, -0.0, 1.5, .infinity, -3, Float(bitPattern: 1), 7, 8]), .float32)  // the smallest subnormal
        dict["bn.num_batches_tracked"] = .integer(IntTensor(shape: [], scalars: [7]), .int64)
        dict["scalar"] = .float(Tensor(shape: [], scalars: [2.5]), .float32)
        dict["empty"] = .float(Tensor(shape: [0, 3], scalars: []), .float32)
        dict["ids"] = .integer(IntTensor(shape: [3], scalars: [Int64.min, -1, Int64.max]), .int64)
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("round.pt").path
        try TorchCheckpointWriter.write(dict, to: path)
        XCTAssertEqual(try Checkpoint.contents(path: path).stateDict, dict)
        XCTAssertEqual(try Checkpoint.contents(path: path).stateDict.entries.map { $0.value.floatTensor?.scalars.map(\.bitPattern) },
                       dict.entries.map { $0.value.floatTensor?.scalars.map(\.bitPattern) })
    }

    func testRewritesEveryFixtureAsFloat32AndInt64() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        for file in ["bare_zip_p2.pt", "dtypes.pt", "whole_module_legacy.pt"] {
            let original = try Checkpoint.contents(path: CheckpointManifest.path(file)).stateDict
            let path = directory.appendingPathComponent(file).path
            try TorchCheckpointWriter.write(original, to: path)
            let reread = try Checkpoint.contents(path: path).stateDict
            XCTAssertEqual(reread.keys, original.keys)
            for (key, value) in original.entries {
                switch (value, reread[key]) {
                case let (.float(a, _), .float(b, dtype)?):
                    XCTAssertEqual(b.scalars.map(\.bitPattern), a.scalars.map(\.bitPattern), key)
                    XCTAssertEqual(b.shape, a.shape)
                    XCTAssertEqual(dtype, .float32)
                case let (.integer(a, _), .integer(b, dtype)?):
                    XCTAssertEqual(b, a, key)
                    XCTAssertEqual(dtype, .int64)
                default: XCTFail("\(file): \(key) changed kind")
                }
            }
        }
    }

    func testArchiveLayoutMatchesTorch() throws {
        var dict = StateDict()
        dict["w"] = .float(Tensor(shape: [2], scalars: [1, 2]), .float32)
        dict["n"] = .integer(IntTensor(shape: [], scalars: [3]), .int64)
        let bytes = TorchCheckpointWriter.archive(dict, name: "ck")
        let archive = try ZipArchive(bytes: bytes, path: "ck.pt")
        XCTAssertEqual(archive.entries.map(\.name), ["ck/data.pkl", "ck/.format_version", "ck/.storage_alignment", "ck/byteorder",
                                                     "ck/data/0", "ck/data/1", "ck/version"])
        let text = { (name: String) in String(decoding: try archive.data(of: try XCTUnwrap(archive.entry(named: name))), as: UTF8.self) }
        XCTAssertEqual(try text("ck/version"), "3\n")
        XCTAssertEqual(try text("ck/byteorder"), "little")
        XCTAssertEqual(try text("ck/.storage_alignment"), "64")
        XCTAssertEqual(Array(try archive.data(of: try XCTUnwrap(archive.entry(named: "ck/data/1")))), [3, 0, 0, 0, 0, 0, 0, 0])
        let pickle = String(decoding: try archive.data(of: archive.entries[0]), as: UTF8.self)
        for global in ["collections\nOrderedDict\n", "torch._utils\n_rebuild_tensor_v2\n", "torch\nFloatStorage\n", "torch\nLongStorage\n"] {
            XCTAssertTrue(pickle.contains(global), global)
        }
    }

    func testByteCountIsTheSizeOfTheFileWrittenAsModelPt() throws {
        let original = try Checkpoint.contents(path: CheckpointManifest.path("dtypes.pt")).stateDict
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("model.pt").path
        try TorchCheckpointWriter.write(original, to: path)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertEqual(TorchCheckpointWriter.byteCount(original), size)
    }

    func testArchiveNameIsTheBasenameWithoutItsLastExtension() {
        XCTAssertEqual(TorchCheckpointWriter.archiveName(for: "/tmp/x/ck.pt"), "ck")
        XCTAssertEqual(TorchCheckpointWriter.archiveName(for: "checkpoint.pth.tar"), "checkpoint.pth")
        XCTAssertEqual(TorchCheckpointWriter.archiveName(for: "weights"), "weights")
        XCTAssertEqual(TorchCheckpointWriter.archiveName(for: "dir/.pt"), "archive")
    }

    /// With SHEARS_WRITE_SAMPLE=<path>, writes dtypes.pt's state dict there for
    /// scripts/verify/torch_load_written.py (torch.load(weights_only=True) must read it).
    func testWritesASampleForTorchWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["SHEARS_WRITE_SAMPLE"] else {
            throw XCTSkip("set SHEARS_WRITE_SAMPLE to write a sample checkpoint")
        }
        try TorchCheckpointWriter.write(try Checkpoint.contents(path: CheckpointManifest.path("dtypes.pt")).stateDict, to: path)
    }
}
