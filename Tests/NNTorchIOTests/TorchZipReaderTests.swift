import XCTest
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNTorchIO

final class TorchZipReaderTests: XCTestCase {
    func testBigEndianByteorderRecord() throws {
        var dict = StateDict()
        dict["w"] = .float(Tensor(shape: [3], scalars: [1.5, -2, Float(bitPattern: 0x116C2)]), .float32)  // 1e-40, subnormal
        dict["n"] = .integer(IntTensor(shape: [2], scalars: [-5, 1 << 40]), .int64)
        let little = try ZipArchive(bytes: TorchCheckpointWriter.archive(dict, name: "b"), path: "b.pt")
        var writer = ZipWriter()
        for entry in little.entries {
            let data = Array(try little.data(of: entry))
            switch entry.name {
            case "b/byteorder": writer.add(entry.name, Array("big".utf8))
            case "b/data/0": writer.add(entry.name, swapped(data, size: 4))
            case "b/data/1": writer.add(entry.name, swapped(data, size: 8))
            default: writer.add(entry.name, data)
            }
        }
        XCTAssertEqual(try Checkpoint.contents(writer.finish(), path: "b.pt").stateDict, dict)
    }

    func testMissingRecordsAndBadSizes() throws {
        var dict = StateDict()
        dict["w"] = .float(Tensor(shape: [2], scalars: [1, 2]), .float32)
        let good = try ZipArchive(bytes: TorchCheckpointWriter.archive(dict, name: "x"), path: "x.pt")
        let cases: [(String, (String, [UInt8]) -> [UInt8]?, String)] = [
            ("no version", { $0 == "x/version" ? nil : $1 }, "lacks the record 'x/version' that torch.load requires"),
            ("no storage", { $0 == "x/data/0" ? nil : $1 }, "storage record 'x/data/0' is missing"),
            ("short storage", { $0 == "x/data/0" ? Array($1.prefix(4)) : $1 }, "storage '0' declares 2 float32 elements (8 bytes) but its record has 4 bytes"),
            ("bad byteorder", { $0 == "x/byteorder" ? Array("middle".utf8) : $1 }, "byteorder record says 'middle'"),
            ("no pickle", { $0 == "x/data.pkl" ? nil : $1 }, "no data.pkl record"),
        ]
        for (label, change, message) in cases {
            var writer = ZipWriter()
            for entry in good.entries {
                if let data = change(entry.name, Array(try good.data(of: entry))) { writer.add(entry.name, data) }
            }
            XCTAssertThrowsError(try Checkpoint.contents(writer.finish(), path: "x.pt").stateDict, label) {
                XCTAssertTrue("\($0)".contains(message), "\(label): \($0)")
            }
        }
    }

    private func swapped(_ bytes: [UInt8], size: Int) -> [UInt8] {
        stride(from: 0, to: bytes.count, by: size).flatMap { bytes[$0..<($0 + size)].reversed() }
    }

    func testPicklesInTwoFoldersAreRefused() {
        var writer = ZipWriter()
        for name in ["a/data.pkl", "a/version", "b/data.pkl", "b/version"] { writer.add(name, HostilePickles.pickle([HostilePickles.emptyDict])) }
        XCTAssertThrowsError(try Checkpoint.contents(writer.finish(), path: "two.pt").stateDict) {
            XCTAssertEqual("\($0)", "two.pt: malformed: zip archive has 2 data.pkl records ('a/data.pkl', 'b/data.pkl'); a torch.save checkpoint has one")
        }
    }

    func testDecodedSizesAreCheckedAgainstTheBudgetBeforeGathering() throws {
        // 48 stride-0 views of one 4-byte storage, 2^24 floats each: 3 GB decoded from a 3 KB file.
        let views = HostilePickles.pickle(HostilePickles.views(count: 48, numel: 1, size: [1 << 24], stride: [0]))
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 1 << 30
        XCTAssertThrowsError(try Checkpoint.contents(CheckpointBytes.zip(views), path: "views.pt").stateDict) {
            XCTAssertEqual("\($0)", "views.pt: its tensors up to 'w15' (16 of 48) would need 1.0 GB, over the memory limit of 1.0 GB (raise MemoryBudget.limit)")
        }
        MemoryBudget.limit = 1 << 25
        XCTAssertThrowsError(try Checkpoint.contents(CheckpointBytes.zip(views), path: "views.pt").stateDict) {
            XCTAssertEqual("\($0)", "views.pt: tensor 'w0' of size [16777216] would need 64.0 MB, over the memory limit of 32.0 MB (raise MemoryBudget.limit)")
        }
        let legacy = HostilePickles.legacyFile(HostilePickles.views(count: 48, numel: 1, size: [1 << 24], stride: [0], legacy: true), numel: 1)
        XCTAssertThrowsError(try Checkpoint.contents(legacy, path: "legacy.pt").stateDict) { XCTAssertTrue("\($0)".hasPrefix("legacy.pt: tensor 'w0' of size [16777216] would need 64.0 MB"), "\($0)") }
        // Within the budget the views load, each its own dense tensor.
        MemoryBudget.limit = 1 << 30
        let small = HostilePickles.pickle(HostilePickles.views(count: 3, numel: 1, size: [2, 3], stride: [0, 0]))
        let loaded = try Checkpoint.contents(CheckpointBytes.zip(small), path: "small.pt").stateDict
        XCTAssertEqual(loaded.keys, ["w0", "w1", "w2"])
        XCTAssertEqual(loaded.tensor("w2"), Tensor(shape: [2, 3]))
    }

}
