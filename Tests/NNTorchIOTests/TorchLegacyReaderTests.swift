import XCTest
@testable import NNCore
@testable import NNTorchIO

final class TorchLegacyReaderTests: XCTestCase {
    /// An old-writer legacy file: a tensor over a storage *view* `('v', 2, 3)` of root storage 'k'.
    private func legacyFile(count: Int64 = 6, keys: [String] = ["k"]) -> [UInt8] {
        var bytes: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + TorchLegacyReader.magicNumber + [0x2E]
        for value in [PickleValue.int(1001), .dict([("protocol_version", .int(1001)), ("little_endian", .bool(true))])] {
            var writer = PickleWriter(protocol: 2)
            writer.write(value)
            bytes += writer.finish()
        }
        var object = PickleWriter(protocol: 2)
        object.emptyDict(); object.mark(); object.string("a")
        object.global("torch._utils", "_rebuild_tensor_v2"); object.mark()
        object.mark(); object.string("storage"); object.global("torch", "FloatStorage"); object.string("k"); object.string("cpu")
        object.int(6); object.write(.tuple([.string("v"), .int(2), .int(3)])); object.tupleFromMark(); object.persistentID()
        object.int(0); object.write(.tuple([.int(3)])); object.write(.tuple([.int(1)])); object.bool(false)
        object.global("collections", "OrderedDict"); object.emptyTuple(); object.reduce()
        object.tupleFromMark(); object.reduce(); object.setItems()
        bytes += object.finish()
        var list = PickleWriter(protocol: 2)
        list.write(.list(keys.map { .string($0) }))
        bytes += list.finish()
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: count >> (8 * Int64($0))) }
        for value in [Float](arrayLiteral: 0, 1, 2, 3, 4, 5) { bytes += (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
        return bytes
    }

    func testStorageViewsOfOldWriters() throws {
        let dict = try Checkpoint.contents(legacyFile(), path: "old.pt").stateDict
        XCTAssertEqual(dict["a"], .float(Tensor(shape: [3], scalars: [2, 3, 4]), .float32))
    }

    func testStorageCountsAndKeysAreChecked() {
        XCTAssertThrowsError(try Checkpoint.contents(legacyFile(count: 7), path: "old.pt").stateDict) {
            XCTAssertTrue("\($0)".contains("legacy storage 'k' holds 7 elements but its pickle declares 6"), "\($0)")
        }
        XCTAssertThrowsError(try Checkpoint.contents(legacyFile(keys: ["zz"]), path: "old.pt").stateDict) {
            XCTAssertTrue("\($0)".contains("never uses"), "\($0)")
        }
        XCTAssertThrowsError(try Checkpoint.contents(Array(legacyFile().dropLast(4)), path: "old.pt").stateDict) {
            XCTAssertTrue("\($0)".contains("truncated"), "\($0)")
        }
    }
}
