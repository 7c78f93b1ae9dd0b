// BlobCodec+Read: recognising and reading a blob file (bytes → PickleValue through NN's
// restricted unpickler → QuantizedModel).

import Foundation
import NN

extension BlobCodec {
    /// True when `bytes` start like a Shears blob: `PROTO 4` then `EMPTY_DICT`. torch's
    /// legacy files start `PROTO n` then `LONG1` (their magic number) instead.
    public static func looksLikeBlob(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x80 && bytes[1] == 4 && bytes[2] == 0x7D
    }

    /// Reads and validates the blob at `path`.
    public static func read(path: String) throws -> QuantizedModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NNError.io(path: path, reason: "cannot read file")
        }
        return try decode(try Unpickler.plainValue([UInt8](data), path: path), path: path)
    }
}
