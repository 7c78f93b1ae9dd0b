// UnpickledCheckpoint: what the torch readers (zip and legacy) hand to StateDictNormalizer:
// the object graph of the checkpoint's pickle plus the raw storage records its tensors point
// into. Tensors are gathered only when the normalizer asks for them, so tensors elsewhere in
// the file (optimizer state) are never decoded.

import NNCore

struct UnpickledCheckpoint {
    /// The checkpoint file, for messages.
    let path: String
    let graph: PickleGraph
    let root: ObjectID
    /// Storage bytes by storage key.
    let records: [String: ArraySlice<UInt8>]
    /// From the zip `byteorder` record; legacy files are always little-endian.
    let bigEndian: Bool

    /// The dense tensor `reference` describes; `key` names it in errors.
    func tensor(_ reference: TensorReference, key: String) throws -> StoredTensor {
        guard let record = records[reference.storage.key] else {
            throw NNError.malformed(path: path, reason: "tensor '\(key)': storage '\(reference.storage.key)' has no data in the file")
        }
        do {
            return try TensorRebuilder.materialize(reference, record: record, bigEndian: bigEndian)
        } catch let failure as PickleFailure {
            throw failure.error(path: path, location: "tensor '\(key)'")
        }
    }
}
