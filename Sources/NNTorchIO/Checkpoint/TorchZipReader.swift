// TorchZipReader: the zip checkpoint format of torch.save since 1.6 (docs/FORMATS.md §1.2-1.3).
// Finds the one `<prefix>/data.pkl` (two are refused: which one torch reads depends on the
// entry order), requires the `version` record torch.load requires, reads the
// optional `byteorder`, and resolves each storage persistent id to the record
// `<prefix>/data/<key>`, checking its size against the declared element count.

import NNCore

enum TorchZipReader {
    /// Unpickles the zip checkpoint `bytes` read from `path`.
    static func read(_ bytes: [UInt8], path: String) throws -> UnpickledCheckpoint {
        let archive = try ZipArchive(bytes: bytes, path: path)
        let pickles = archive.entries.filter { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }
        guard let pickleEntry = pickles.first else {
            throw NNError.malformed(path: path, reason: "zip archive has no data.pkl record: not a torch.save checkpoint")
        }
        guard pickles.count == 1 else {
            throw NNError.malformed(path: path, reason: "zip archive has \(pickles.count) data.pkl records ('\(pickles[0].name)', '\(pickles[1].name)'); a torch.save checkpoint has one")
        }
        let prefix = String(pickleEntry.name.dropLast("data.pkl".count))
        guard archive.entry(named: prefix + "version") != nil || archive.entry(named: prefix + ".data/version") != nil else {
            throw NNError.malformed(path: path, reason: "zip checkpoint lacks the record '\(prefix)version' that torch.load requires")
        }
        var bigEndian = false
        if let entry = archive.entry(named: prefix + "byteorder") {
            switch String(decoding: try archive.data(of: entry), as: UTF8.self) {
            case "little": bigEndian = false
            case "big": bigEndian = true
            case let other: throw NNError.malformed(path: path, reason: "byteorder record says '\(other.prefix(20))', not 'little' or 'big'")
            }
        }
        var records: [String: ArraySlice<UInt8>] = [:]
        var storages: [String: ObjectID] = [:]
        let loader: Unpickler.PersistentLoader = { graph, id in
            let storage = try TensorRebuilder.storageID(id, in: graph, legacy: false)
            // The first id of a key decides its type, as torch's `loaded_storages` cache does.
            if let known = storages[storage.key] { return known }
            let name = "\(prefix)data/\(storage.key)"
            guard let entry = archive.entry(named: name) else {
                throw PickleFailure(.malformed, "storage record '\(name)' is missing")
            }
            let data = try archive.data(of: entry)
            guard data.count == storage.byteCount else {
                throw PickleFailure(.malformed, "storage '\(storage.key)' declares \(storage.byteCount / storage.element.byteCount) \(storage.element.name) elements (\(storage.byteCount) bytes) but its record has \(data.count) bytes")
            }
            records[storage.key] = data
            let object = graph.add(.storage(StorageReference(key: storage.key, element: storage.element, byteOffset: 0, byteCount: storage.byteCount)))
            storages[storage.key] = object
            return object
        }
        let pickle = try archive.data(of: pickleEntry)
        var unpickler = Unpickler(bytes, range: pickle.startIndex..<pickle.endIndex, path: path, context: pickleEntry.name, persistentLoad: loader)
        let root = try unpickler.load()
        return UnpickledCheckpoint(path: path, graph: unpickler.graph, root: root, records: records, bigEndian: bigEndian)
    }
}
