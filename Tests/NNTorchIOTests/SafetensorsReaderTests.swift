import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

final class SafetensorsReaderTests: XCTestCase {
    func testDecodedSizesAreCheckedAgainstTheBudgetNamingTheTensor() throws {
        // 1000 bools are 1000 bytes in the file and 8000 decoded (int64).
        let json = Array(#"{"a":{"dtype":"BOOL","shape":[1000],"data_offsets":[0,1000]},"b":{"dtype":"F16","shape":[10],"data_offsets":[1000,1020]}}"#.utf8)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + json + [UInt8](repeating: 0, count: 1020)
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 4096
        XCTAssertThrowsError(try SafetensorsReader.read(bytes, path: "w.safetensors")) {
            XCTAssertEqual("\($0)", "w.safetensors: tensor 'a' of size [1000] would need 7.8 KB, over the memory limit of 4.0 KB (raise MemoryBudget.limit)")
        }
        MemoryBudget.limit = 8000 + 40 + 2 * DecodedTensorBudget.bytesPerKey
        XCTAssertThrowsError(try SafetensorsReader.read(bytes, path: "w.safetensors")) { XCTAssertTrue("\($0)".hasPrefix("w.safetensors: its tensors up to 'b' (2 of 2) would need"), "\($0)") }
        MemoryBudget.limit = 8000 + 40 + 2 * DecodedTensorBudget.bytesPerKey + 2
        XCTAssertEqual(try SafetensorsReader.read(bytes, path: "w.safetensors").keys, ["a", "b"])
    }

    func testOnlyRegularFilesAreRead() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let fifo = directory.appendingPathComponent("w.safetensors").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try SafetensorsReader.read(path: fifo)) { XCTAssertEqual("\($0)", "\(fifo): cannot read: a FIFO (named pipe), not a regular file") }
        XCTAssertThrowsError(try Checkpoint.contents(path: fifo)) { XCTAssertEqual("\($0)", "\(fifo): cannot read: a FIFO (named pipe), not a regular file") }
        XCTAssertThrowsError(try Checkpoint.contents(path: "/dev/zero")) { XCTAssertEqual("\($0)", "/dev/zero: cannot read: a character device, not a regular file") }
    }
}
