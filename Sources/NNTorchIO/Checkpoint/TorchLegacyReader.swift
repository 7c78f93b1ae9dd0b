// TorchLegacyReader: the pre-1.6 format, `torch.save(..., _use_new_zipfile_serialization=False)`
// (docs/FORMATS.md §1.4): five pickles back to back (magic number, protocol version 1001, sys_info,
// the object, the sorted storage keys), then per key an 8-byte little-endian element count and
// the raw little-endian elements. Storage ids carry a 6th field, `view_metadata`.

import NNCore

enum TorchLegacyReader {
    /// `0x1950A86A20F9469CFC6C` as little-endian bytes (the LONG1 payload).
    static let magicNumber: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion = 1001

    /// Unpickles the legacy checkpoint `bytes` read from `path`.
    static func read(_ bytes: [UInt8], path: String) throws -> UnpickledCheckpoint {
        var offset = 0
        func next(_ context: String, _ loader: Unpickler.PersistentLoader? = nil) throws -> (PickleGraph, ObjectID) {
            var unpickler = Unpickler(bytes, range: offset..<bytes.count, path: path, context: context, persistentLoad: loader)
            let root = try unpickler.load()
            offset = unpickler.endOffset
            return (unpickler.graph, root)
        }
        let (magicGraph, magic) = try next("magic number")
        guard case .bigInt(let value) = magicGraph[magic], value == magicNumber else {
            throw NNError.unsupported(path: path, reason: "not a PyTorch checkpoint: a pickle that does not start with torch's magic number")
        }
        let (versionGraph, version) = try next("protocol version")
        guard versionGraph.int(version) == protocolVersion else {
            throw NNError.unsupported(path: path, reason: "legacy checkpoint protocol version is not \(protocolVersion)")
        }
        _ = try next("sys_info")
        var roots: [String: TensorRebuilder.StorageID] = [:]
        let loader: Unpickler.PersistentLoader = { graph, id in
            if let fields = graph.sequence(id), fields.count == 4, graph.string(fields[0]) == "module" {
                return fields[1] // ('module', cls, source_file, source): the class, as data
            }
            let storage = try TensorRebuilder.storageID(id, in: graph, legacy: true)
            let root = roots[storage.key] ?? storage
            roots[storage.key] = root
            guard let view = storage.view else {
                return graph.add(.storage(StorageReference(key: root.key, element: root.element, byteOffset: 0, byteCount: root.byteCount)))
            }
            let size = storage.element.byteCount
            guard (view.offset + view.size) * size <= root.byteCount else {
                throw PickleFailure(.malformed, "storage view '\(view.key)' lies outside storage '\(root.key)'")
            }
            return graph.add(.storage(StorageReference(key: root.key, element: storage.element, byteOffset: view.offset * size, byteCount: view.size * size)))
        }
        let (graph, root) = try next("object pickle", loader)
        let (keysGraph, keysList) = try next("storage key list")
        guard let keyIDs = keysGraph.sequence(keysList) else {
            throw NNError.malformed(path: path, reason: "legacy checkpoint: the storage key list is not a list")
        }
        var reader = ByteReader(bytes, range: offset..<bytes.count, path: path, context: "legacy storage data")
        var records: [String: ArraySlice<UInt8>] = [:]
        for keyID in keyIDs {
            guard let key = keysGraph.string(keyID), let storage = roots[key] else {
                throw NNError.malformed(path: path, reason: "legacy checkpoint lists storage \(keysGraph[keyID].kindName) that its pickle never uses")
            }
            let count = try reader.unsigned(8)
            guard count == UInt64(storage.byteCount / storage.element.byteCount) else {
                throw NNError.malformed(path: path, reason: "legacy storage '\(key)' holds \(count) elements but its pickle declares \(storage.byteCount / storage.element.byteCount)")
            }
            records[key] = try reader.take(storage.byteCount)
        }
        return UnpickledCheckpoint(path: path, graph: graph, root: root, records: records, bigEndian: false)
    }
}
