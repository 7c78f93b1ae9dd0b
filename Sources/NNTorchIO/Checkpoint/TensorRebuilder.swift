// TensorRebuilder: torch's tensor pickling, read back (docs/FORMATS.md §1.3). Parses storage
// persistent ids and `_rebuild_tensor(_v2/_v3)` arguments into a `TensorReference`, checking
// that the view fits its storage, and later gathers the referenced elements through the
// strides into a contiguous `StoredTensor` (decoding via RawTensorDecoder).

import NNCore

package enum TensorRebuilder {
    /// Most elements a tensor may have beyond its storage's (stride-0 expansion), 2^24.
    static let maximumExpandedElements = 1 << 24

    /// A storage persistent id: `('storage', StorageClass, key, location, numel[, view_metadata])`.
    /// `numel` counts elements of the storage class (bytes for UntypedStorage).
    struct StorageID {
        let element: ElementType
        let key: String
        let byteCount: Int
        /// Legacy files only: `(view_key, offset, size)` in elements, or nil.
        let view: (key: String, offset: Int, size: Int)?
    }

    /// Parses a storage persistent id; legacy files have the 6th `view_metadata` field.
    static func storageID(_ id: ObjectID, in graph: PickleGraph, legacy: Bool) throws -> StorageID {
        guard let fields = graph.sequence(id), fields.count == (legacy ? 6 : 5),
              graph.string(fields[0]) == "storage" else {
            throw PickleFailure(.malformed, "persistent id is not a \(legacy ? 6 : 5)-tuple ('storage', type, key, location, numel\(legacy ? ", view" : ""))")
        }
        guard case .global(let type) = graph[fields[1]], case .storageType(let element)? = type.known else {
            throw PickleFailure(.unsupported, "storage type \(graph[fields[1]].kindName)")
        }
        guard let key = graph.string(fields[2]) ?? graph.int(fields[2]).map(String.init),
              let numel = graph.int(fields[4]), numel >= 0 else {
            throw PickleFailure(.malformed, "storage persistent id has a bad key or element count")
        }
        let (byteCount, overflow) = numel.multipliedReportingOverflow(by: element.byteCount)
        guard !overflow else { throw PickleFailure(.malformed, "storage '\(key)' declares \(numel) elements") }
        var view: (String, Int, Int)?
        if legacy, let fields = graph.sequence(fields[5]) {
            guard fields.count == 3, let viewKey = graph.string(fields[0]),
                  let offset = graph.int(fields[1]), let size = graph.int(fields[2]),
                  offset >= 0, size >= 0, offset <= numel, size <= numel - offset else {
                throw PickleFailure(.malformed, "storage '\(key)' has a view outside its \(numel) elements")
            }
            view = (viewKey, offset, size)
        }
        return StorageID(element: element, key: key, byteCount: byteCount, view: view)
    }

    /// `_rebuild_tensor(storage, offset, size, stride)`, `_v2(…, requires_grad, hooks[, metadata])`
    /// or `_v3(…, requires_grad, hooks, dtype[, metadata])`.
    static func tensor(_ function: KnownGlobal, arguments args: [ObjectID], in graph: PickleGraph) throws -> TensorReference {
        let counts: ClosedRange<Int> = function == .rebuildTensor ? 4...4 : function == .rebuildTensorV2 ? 6...7 : 7...8
        guard counts.contains(args.count) else {
            throw PickleFailure(.malformed, "tensor rebuild takes \(counts) arguments, got \(args.count)")
        }
        guard case .storage(let storage) = graph[args[0]] else {
            throw PickleFailure(.malformed, "tensor rebuild needs a storage, got a \(graph[args[0]].kindName)")
        }
        var element = storage.element
        if function == .rebuildTensorV3 {
            guard case .global(let dtype) = graph[args[6]], case .dtype(let declared)? = dtype.known else {
                throw PickleFailure(.malformed, "_rebuild_tensor_v3 needs a torch dtype, got a \(graph[args[6]].kindName)")
            }
            element = declared
        }
        guard let offset = graph.int(args[1]), offset >= 0,
              let shape = graph.sequence(args[2]).map({ $0.compactMap(graph.int) }),
              let strides = graph.sequence(args[3]).map({ $0.compactMap(graph.int) }),
              shape.count == graph.sequence(args[2])?.count, strides.count == shape.count,
              shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw PickleFailure(.malformed, "tensor rebuild has a bad offset, size or stride")
        }
        var tensor = TensorReference(storage: storage, element: element, offset: offset, shape: shape, strides: strides)
        try checkBounds(tensor)
        // Optional last argument: metadata such as {'neg': True} (torch._utils.get_tensor_metadata).
        if args.count == counts.upperBound, function != .rebuildTensor, case .dict(let metadata) = graph[args[args.count - 1]],
           let negated = metadata.value(forString: "neg") {
            tensor.negated = graph.int(negated) == 1
        }
        return tensor
    }

    /// `torch.as_strided(storage, shape, strides, offset)` over `record`, a flat storage of
    /// `dtype` elements (little-endian), gathered dense: how torch.export archives store their
    /// weights. Sizes, strides and offset are checked as for a pickled tensor; errors name
    /// `path` and `context` (the tensor and its record).
    package static func view(of record: ArraySlice<UInt8>, dtype: DType, shape: [Int], strides: [Int], offset: Int,
                             path: String, context: String) throws -> StoredTensor {
        let element = ElementType(name: dtype.rawValue, byteCount: dtype.byteCount, dtype: dtype)
        do {
            guard offset >= 0, strides.count == shape.count, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
                throw PickleFailure(.malformed, "size \(shape), stride \(strides), offset \(offset): negative or of different ranks")
            }
            guard record.count % dtype.byteCount == 0 else {
                throw PickleFailure(.malformed, "its \(record.count)-byte record is not a whole number of \(dtype.rawValue) elements")
            }
            let storage = StorageReference(key: context, element: element, byteOffset: 0, byteCount: record.count)
            let tensor = TensorReference(storage: storage, element: element, offset: offset, shape: shape, strides: strides)
            try checkBounds(tensor)
            return try materialize(tensor, record: record, bigEndian: false)
        } catch let failure as PickleFailure {
            throw failure.error(path: path, location: context)
        }
    }

    /// Every element index `offset + Σ i_k·stride_k` must lie inside the storage, and a
    /// tensor may not expand a small storage into a huge one.
    private static func checkBounds(_ t: TensorReference) throws {
        let storageElements = t.storage.byteCount / t.element.byteCount
        var count = 1, last = t.offset, overflow = false
        for (size, stride) in zip(t.shape, t.strides) {
            let c = count.multipliedReportingOverflow(by: size)
            let step = (max(size, 1) - 1).multipliedReportingOverflow(by: stride)
            let sum = last.addingReportingOverflow(step.partialValue)
            overflow = overflow || c.overflow || step.overflow || sum.overflow
            count = c.partialValue
            last = sum.partialValue
        }
        let description = "tensor of size \(t.shape), stride \(t.strides), offset \(t.offset)"
        guard !overflow else { throw PickleFailure(.malformed, "\(description) overflows") }
        if count > 0, last >= storageElements {
            throw PickleFailure(.malformed, "\(description) reaches element \(last) of a \(storageElements)-element storage '\(t.storage.key)'")
        }
        if count > storageElements, count > maximumExpandedElements {
            throw PickleFailure(.unsupported, "\(description) expands a \(storageElements)-element storage to \(count) elements")
        }
    }

    /// Gathers the tensor's elements from `record` (the whole storage record) into a dense
    /// tensor, negated when the tensor carries torch's negation bit.
    static func materialize(_ t: TensorReference, record: ArraySlice<UInt8>, bigEndian: Bool) throws -> StoredTensor {
        let stored = try gather(t, record: record, bigEndian: bigEndian)
        guard t.negated else { return stored }
        switch stored {
        case .float(var tensor, let dtype):
            tensor.scalars = tensor.scalars.map { -$0 }
            return .float(tensor, dtype)
        case .integer(var tensor, let dtype):
            tensor.scalars = tensor.scalars.map { 0 &- $0 }
            return .integer(tensor, dtype)
        }
    }

    private static func gather(_ t: TensorReference, record: ArraySlice<UInt8>, bigEndian: Bool) throws -> StoredTensor {
        guard let dtype = t.element.dtype else {
            throw PickleFailure(.unsupported, "dtype \(t.element.name) is not supported (Shears reads float32/16/64, bfloat16, int8-64, uint8, bool)")
        }
        guard record.count >= t.storage.byteOffset + t.storage.byteCount else {
            throw PickleFailure(.malformed, "storage '\(t.storage.key)' needs \(t.storage.byteOffset + t.storage.byteCount) bytes, its record has \(record.count)")
        }
        let size = t.element.byteCount
        let base = record.startIndex + t.storage.byteOffset + t.offset * size
        let count = t.shape.reduce(1, *)
        // An empty tensor reads nothing, whatever its offset (torch allows any offset then).
        if count == 0 { return RawTensorDecoder.decode(record.prefix(0), dtype: dtype, shape: t.shape, bigEndian: bigEndian) }
        if isContiguous(shape: t.shape, strides: t.strides) {
            return RawTensorDecoder.decode(record[base..<(base + count * size)], dtype: dtype, shape: t.shape, bigEndian: bigEndian)
        }
        var gathered = [UInt8]()
        gathered.reserveCapacity(count * size)
        var index = [Int](repeating: 0, count: t.shape.count)
        var position = 0 // element offset from `base`
        for _ in 0..<count {
            let start = base + position * size
            gathered.append(contentsOf: record[start..<(start + size)])
            var dim = t.shape.count - 1
            while dim >= 0 {
                index[dim] += 1
                position += t.strides[dim]
                if index[dim] < t.shape[dim] { break }
                position -= t.strides[dim] * t.shape[dim]
                index[dim] = 0
                dim -= 1
            }
        }
        return RawTensorDecoder.decode(gathered[...], dtype: dtype, shape: t.shape, bigEndian: bigEndian)
    }

    /// Row-major (C order) strides; dimensions of size 1 may have any stride.
    static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() where size != 1 {
            if stride != expected { return false }
            expected *= size
        }
        return true
    }
}
