// TorchCheckpointWriter: writes a StateDict as a torch.save zip checkpoint that
// `torch.load(weights_only=True)` reads (docs/FORMATS.md §1.2-1.3): an `OrderedDict` of
// `_rebuild_tensor_v2` tensors over BINPERSID storages, protocol 2, records `<name>/data.pkl`,
// `.format_version`, `.storage_alignment`, `byteorder`, `data/<k>`, `version`, 64-byte aligned.
// Floating tensors are written as float32 (FloatStorage), integer ones as int64 (LongStorage).

/// Writes torch.save-compatible zip checkpoints of plain state dicts.
import NNCore

public enum TorchCheckpointWriter {
    /// Writes `stateDict` to `path` atomically; the archive folder is the file's basename
    /// without its last extension, as torch names it (`ck.pt` → `ck/`).
    public static func write(_ stateDict: StateDict, to path: String) throws {
        try AtomicFile.write(archive(stateDict, name: archiveName(for: path)), to: path)
    }

    /// Bytes of the file `write` makes of `stateDict` at `<archiveName>.pt` (the archive name is
    /// in every record's path, so it is fixed here to keep sizes comparable across runs).
    public static func byteCount(_ stateDict: StateDict, archiveName: String = "model") -> Int {
        archive(stateDict, name: archiveName).count
    }

    /// `inline_container.cc::basename`: the last path component without its last extension.
    static func archiveName(for path: String) -> String {
        let file = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let name = file.lastIndex(of: ".").map { String(file[..<$0]) } ?? file
        return name.isEmpty ? "archive" : name
    }

    /// The checkpoint's bytes, with every record under `name/`.
    static func archive(_ stateDict: StateDict, name: String) -> [UInt8] {
        var pickle = PickleWriter(protocol: 2)
        var storages: [[UInt8]] = []
        pickle.global("collections", "OrderedDict")
        pickle.emptyTuple()
        pickle.reduce()
        if stateDict.count > 0 { pickle.mark() }
        for (key, value) in stateDict.entries {
            let (storageClass, data) = storageBytes(value)
            pickle.string(key)
            pickle.global("torch._utils", "_rebuild_tensor_v2")
            pickle.mark()
            // Persistent id ('storage', <class>, key, location, numel), then the view.
            pickle.mark()
            pickle.string("storage")
            pickle.global("torch", storageClass)
            pickle.string(String(storages.count))
            pickle.string("cpu")
            pickle.int(value.shape.reduce(1, *))
            pickle.tupleFromMark()
            pickle.persistentID()
            pickle.int(0)
            pickle.write(.tuple(value.shape.map { .int($0) }))
            pickle.write(.tuple(contiguousStrides(value.shape).map { .int($0) }))
            pickle.bool(false)
            pickle.global("collections", "OrderedDict")
            pickle.emptyTuple()
            pickle.reduce()
            pickle.tupleFromMark()
            pickle.reduce()
            storages.append(data)
        }
        if stateDict.count > 0 { pickle.setItems() }
        var zip = ZipWriter()
        zip.add("\(name)/data.pkl", pickle.finish())
        zip.add("\(name)/.format_version", Array("1".utf8))
        zip.add("\(name)/.storage_alignment", Array("64".utf8))
        zip.add("\(name)/byteorder", Array("little".utf8))
        for (key, data) in storages.enumerated() { zip.add("\(name)/data/\(key)", data) }
        zip.add("\(name)/version", Array("3\n".utf8))
        return zip.finish()
    }

    /// Storage class and little-endian bytes: float32 for floating tensors, int64 for integer ones.
    private static func storageBytes(_ tensor: StoredTensor) -> (String, [UInt8]) {
        var bytes: [UInt8] = []
        switch tensor {
        case .float(let t, _):
            bytes.reserveCapacity(t.count * 4)
            for value in t.scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
            return ("FloatStorage", bytes)
        case .integer(let t, _):
            bytes.reserveCapacity(t.scalars.count * 8)
            for value in t.scalars { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
            return ("LongStorage", bytes)
        }
    }

    /// Row-major strides of `shape`, in elements.
    private static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        return strides
    }
}
