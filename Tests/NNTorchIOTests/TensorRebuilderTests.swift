import XCTest
@testable import NNCore
@testable import NNTorchIO

final class TensorRebuilderTests: XCTestCase {
    private let float32 = ElementType(name: "float32", byteCount: 4, dtype: .float32)

    func testContiguity() {
        XCTAssertTrue(TensorRebuilder.isContiguous(shape: [2, 3], strides: [3, 1]))
        XCTAssertTrue(TensorRebuilder.isContiguous(shape: [], strides: []))
        XCTAssertTrue(TensorRebuilder.isContiguous(shape: [1, 3], strides: [99, 1]))
        XCTAssertFalse(TensorRebuilder.isContiguous(shape: [3, 2], strides: [1, 3]))
        XCTAssertFalse(TensorRebuilder.isContiguous(shape: [4], strides: [0]))
    }

    func testGathersThroughStridesAndOffsets() throws {
        let record = floats(Array(0..<12).map(Float.init), bigEndian: false)
        let cases: [(offset: Int, shape: [Int], strides: [Int], expected: [Float])] = [
            (0, [3, 2], [1, 3], [0, 3, 1, 4, 2, 5]), // a saved .t()
            (4, [2], [1], [4, 5]),
            (1, [2, 2], [4, 2], [1, 3, 5, 7]),
            (2, [3], [0], [2, 2, 2]), // expand
            (11, [], [], [11]),
            (0, [0, 3], [3, 1], []),
            (64, [0, 3], [3, 1], []), // empty, at an offset past the storage (a fuzzer's find)
        ]
        for c in cases {
            let storage = StorageReference(key: "0", element: float32, byteOffset: 0, byteCount: 48)
            let tensor = TensorReference(storage: storage, element: float32, offset: c.offset, shape: c.shape, strides: c.strides)
            let stored = try TensorRebuilder.materialize(tensor, record: record[...], bigEndian: false)
            XCTAssertEqual(stored, .float(Tensor(shape: c.shape, scalars: c.expected), .float32), "\(c)")
        }
        // Big-endian storages (zip byteorder 'big') decode the same values.
        let big = floats([1.5, -2], bigEndian: true)
        let storage = StorageReference(key: "0", element: float32, byteOffset: 0, byteCount: 8)
        let tensor = TensorReference(storage: storage, element: float32, offset: 0, shape: [2], strides: [1])
        XCTAssertEqual(try TensorRebuilder.materialize(tensor, record: big[...], bigEndian: true).floatTensor?.scalars, [1.5, -2])
    }

    func testRebuildArgumentsAreValidated() throws {
        let cases: [(offset: Int, shape: [Int], strides: [Int], message: String)] = [
            (0, [4, 4], [4, 1], "reaches element 15 of a 12-element storage '0'"),
            (12, [1], [1], "reaches element 12"),
            (0, [3], [-1], "bad offset, size or stride"),
            (0, [2, 3], [1], "bad offset, size or stride"),
            (0, [1 << 20, 1 << 20], [0, 0], "expands a 12-element storage to 1099511627776 elements"),
            (Int.max, [2], [1], "overflows"),
        ]
        for c in cases {
            var graph = PickleGraph()
            let storage = graph.add(.storage(StorageReference(key: "0", element: float32, byteOffset: 0, byteCount: 48)))
            let args = [storage, graph.add(.int(c.offset)), graph.add(.tuple(c.shape.map { graph.add(.int($0)) })),
                        graph.add(.tuple(c.strides.map { graph.add(.int($0)) })), graph.add(.bool(false)), graph.add(.dict(PickleDictionary()))]
            XCTAssertThrowsError(try TensorRebuilder.tensor(.rebuildTensorV2, arguments: args, in: graph), c.message) { error in
                XCTAssertTrue((error as? PickleFailure)?.reason.contains(c.message) == true, "\(error)")
            }
        }
    }

    func testStoragePersistentIDs() throws {
        var graph = PickleGraph()
        let floatStorage = graph.add(.global(try GlobalAllowlist.resolve(module: "torch", name: "FloatStorage", protocolVersion: 2)))
        let good = graph.add(.tuple([graph.add(.string("storage")), floatStorage, graph.add(.string("3")), graph.add(.string("cuda:0")), graph.add(.int(6))]))
        let parsed = try TensorRebuilder.storageID(good, in: graph, legacy: false)
        XCTAssertEqual(parsed.key, "3")
        XCTAssertEqual(parsed.byteCount, 24)
        XCTAssertEqual(parsed.element, float32)
        XCTAssertThrowsError(try TensorRebuilder.storageID(good, in: graph, legacy: true))
        let notStorage = graph.add(.global(try GlobalAllowlist.resolve(module: "argparse", name: "Namespace", protocolVersion: 2)))
        let bad = graph.add(.tuple([graph.add(.string("storage")), notStorage, graph.add(.string("0")), graph.add(.string("cpu")), graph.add(.int(1))]))
        XCTAssertThrowsError(try TensorRebuilder.storageID(bad, in: graph, legacy: false)) {
            XCTAssertEqual(($0 as? PickleFailure)?.kind, .unsupported)
        }
    }

    private func floats(_ values: [Float], bigEndian: Bool) -> [UInt8] {
        values.flatMap { value -> [UInt8] in
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
            return bigEndian ? bytes.reversed() : bytes
        }
    }
}
