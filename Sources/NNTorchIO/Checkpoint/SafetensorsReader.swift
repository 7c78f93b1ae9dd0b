// SafetensorsReader: reads a `.safetensors` file into a StateDict.
// Layout (docs/FORMATS.md §3): u64 LE header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
// then the byte buffer; offsets are relative to the buffer, packed with no gaps. The tensors'
// decoded sizes (wider than stored for 1- and 2-byte types) are checked against the
// `MemoryBudget` before any is decoded.

import NNCore
import Foundation

/// Reader for the safetensors format, validating as the reference implementation does.
public enum SafetensorsReader {
    /// Largest header the reference reader accepts.
    static let maximumHeaderBytes = 100_000_000

    /// Parses `bytes` (the whole file) read from `path` (used in messages).
    public static func read(_ bytes: [UInt8], path: String) throws -> StateDict {
        func fail(_ reason: String) -> NNError { .malformed(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("file is \(bytes.count) bytes, shorter than the 8-byte safetensors header length") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
        guard headerLength <= UInt64(maximumHeaderBytes), 8 + Int(headerLength) <= bytes.count else {
            throw fail("header length \(headerLength) exceeds the file size \(bytes.count)")
        }
        let bufferStart = 8 + Int(headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes[8..<bufferStart])),
              let header = json as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        typealias Entry = (name: String, dtype: DType, shape: [Int], begin: Int, end: Int)
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = dtypeNames[dtypeName] else {
                throw NNError.unsupported(path: path, reason: "tensor '\(name)' has dtype \(dtypeName)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)' has a negative dimension in \(shape)") }
            entries.append((name, dtype, shape, offsets[0], offsets[1]))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expectedBegin = 0
        for entry in entries {
            let byteCount = (entry.shape + [entry.dtype.byteCount]).checkedProduct
            guard entry.end <= bytes.count - bufferStart else {
                throw fail("tensor '\(entry.name)' \(entry.shape) ends at data byte \(entry.end), but the file holds \(bytes.count - bufferStart) data bytes")
            }
            guard let byteCount, entry.begin == expectedBegin, entry.end >= entry.begin,
                  entry.end - entry.begin == byteCount else {
                throw fail("tensor '\(entry.name)' data_offsets [\(entry.begin), \(entry.end)] do not match its shape \(entry.shape) and dtype, or leave a gap")
            }
            expectedBegin = entry.end
        }
        guard bufferStart + expectedBegin == bytes.count else {
            throw fail("tensor data ends at byte \(bufferStart + expectedBegin) but the file has \(bytes.count) bytes")
        }
        // Entries in file order keep the writer's order; sort by name for a stable result.
        let sorted = entries.sorted(by: { $0.name < $1.name })
        try DecodedTensorBudget.check(sorted.map { ($0.name, $0.shape, $0.dtype) }, path: path)
        var stateDict = StateDict()
        for entry in sorted {
            let raw = bytes[(bufferStart + entry.begin)..<(bufferStart + entry.end)]
            stateDict[entry.name] = RawTensorDecoder.decode(raw, dtype: entry.dtype, shape: entry.shape, bigEndian: false)
        }
        return stateDict
    }

    /// Reads the file at `path` (a regular file, its size within the memory budget).
    public static func read(path: String) throws -> StateDict {
        try read(try InputFile.read(path), path: path)
    }

    static let dtypeNames: [String: DType] = [
        "F32": .float32, "F16": .float16, "BF16": .bfloat16, "F64": .float64,
        "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool,
    ]
}
