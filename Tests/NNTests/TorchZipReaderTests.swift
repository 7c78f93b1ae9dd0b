import XCTest
@testable import NN
@testable import NNCore
@testable import NNEngine
@testable import NNONNX
@testable import NNTorchIO
@testable import NNVision

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
        XCTAssertEqual(try Checkpoint.read(writer.finish(), path: "b.pt"), dict)
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
            XCTAssertThrowsError(try Checkpoint.read(writer.finish(), path: "x.pt"), label) {
                XCTAssertTrue("\($0)".contains(message), "\(label): \($0)")
            }
        }
    }

    private func swapped(_ bytes: [UInt8], size: Int) -> [UInt8] {
        stride(from: 0, to: bytes.count, by: size).flatMap { bytes[$0..<($0 + size)].reversed() }
    }
}
