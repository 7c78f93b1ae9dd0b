// BlobCodec+Read: recognising and reading a blob file (bytes → PickleValue through NN's
// restricted unpickler → QuantizedModel).

import NNCore
import NNTorchIO

extension BlobCodec {
    /// True when `bytes` start like a Shears blob: `PROTO 4` then `EMPTY_DICT`. torch's
    /// legacy files start `PROTO n` then `LONG1` (their magic number) instead.
    public static func looksLikeBlob(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x80 && bytes[1] == 4 && bytes[2] == 0x7D
    }

    /// Reads and validates the blob `bytes`, the contents of the file `path` (named in errors).
    public static func read(_ bytes: [UInt8], path: String) throws -> QuantizedModel {
        try decode(try Unpickler.plainValue(bytes, path: path), path: path)
    }
}
