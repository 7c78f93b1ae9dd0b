// JPEGDecoder: file bytes -> RGB pixels identical to `PIL.Image.open(f).convert("RGB")`
// (docs/FORMATS.md §5). libjpeg-turbo does the decoding (CJPEG); this file checks the magic
// bytes, maps failures to NNError and applies PIL's L->RGB and CMYK->RGB conversions.
// It does not rotate by EXIF orientation or apply ICC profiles (PIL does neither), and it
// reads JPEG only: PNG or other content is reported, not decoded.

import NNCore
import CJPEG
import Foundation

/// Decodes JPEG files as PIL does, to 8-bit RGB.
public enum JPEGDecoder {
    /// The largest image accepted by default, in pixels: PIL's decompression-bomb error
    /// threshold, `2 * Image.MAX_IMAGE_PIXELS` (PIL warns above half of it and still decodes).
    public static let defaultMaximumPixels = 2 * (1024 * 1024 * 1024 / 4 / 3)

    /// Reads and decodes the JPEG file at `path` (a regular file: a FIFO, device or folder is
    /// refused, never waited on). An image whose header declares more than `maximumPixels`
    /// (width x height) is refused before any pixel memory is allocated.
    public static func decode(file path: String, maximumPixels: Int = defaultMaximumPixels) throws -> RGBImage {
        try decodeWithWarnings(file: path, maximumPixels: maximumPixels).image
    }

    /// Decodes the JPEG `bytes` read from `path` (used in messages only); see `decode(file:)`.
    public static func decode(_ bytes: [UInt8], path: String, maximumPixels: Int = defaultMaximumPixels) throws -> RGBImage {
        try bytes.withUnsafeBytes { try decodeWithWarnings($0, path: path, maximumPixels: maximumPixels) }.image
    }

    /// `decode(file:)`, also returning how many warnings (e.g. "Corrupt JPEG data") libjpeg
    /// raised and that PIL ignores as well.
    static func decodeWithWarnings(file path: String, maximumPixels: Int = defaultMaximumPixels) throws -> (image: RGBImage, warnings: Int) {
        let bytes = try InputFile.read(path)
        return try bytes.withUnsafeBytes { try decodeWithWarnings($0, path: path, maximumPixels: maximumPixels) }
    }

    /// Bytes a decoded pixel takes at most: libjpeg's output (4 for CMYK) and the RGB copy.
    static let bytesPerDecodedPixel = 7

    /// Checks the magic bytes, runs libjpeg and converts its output to RGB. An image that
    /// would take more than `MemoryBudget.limit` to decode is refused before libjpeg allocates.
    static func decodeWithWarnings(_ bytes: UnsafeRawBufferPointer, path: String, maximumPixels: Int) throws -> (image: RGBImage, warnings: Int) {
        if let problem = notJPEGReason(bytes) { throw NNError.badImage(path: path, reason: problem) }
        var decoded = cjpeg_image()
        let budgetPixels = MemoryBudget.limit / bytesPerDecodedPixel
        let status = cjpeg_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count,
                                  UInt64(max(min(maximumPixels, budgetPixels), 0)), &decoded)
        guard status == Int32(CJPEG_OK.rawValue), let raw = decoded.pixels else {
            let message = withUnsafeBytes(of: decoded.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if status == Int32(CJPEG_TOO_LARGE.rawValue), budgetPixels < maximumPixels {
                let width = Int(decoded.width), height = Int(decoded.height)
                try MemoryBudget.check(elements: width * height, of: bytesPerDecodedPixel,
                                       for: "decoding its \(width)x\(height) pixels", path: path)
            }
            throw NNError.badImage(path: path, reason: message)
        }
        defer { cjpeg_free(raw) }
        let width = Int(decoded.width), height = Int(decoded.height)
        let source = UnsafeBufferPointer(start: raw, count: width * height * Int(decoded.components))
        let pixels: [UInt8]
        switch decoded.components {
        case 1: pixels = grayToRGB(source)
        case 4: pixels = invertedCMYKToRGB(source)
        default: pixels = Array(source)
        }
        return (RGBImage(width: width, height: height, pixels: pixels), Int(decoded.warnings))
    }

    /// Why `bytes` cannot be a JPEG (PIL's test: they start with FF D8 FF), or nil.
    static func notJPEGReason(_ bytes: UnsafeRawBufferPointer) -> String? {
        if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF { return nil }
        if bytes.isEmpty { return "not a JPEG image (empty file)" }
        let signatures: [(prefix: [UInt8], name: String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "PNG"), ([0x47, 0x49, 0x46, 0x38], "GIF"), ([0x42, 0x4D], "BMP"),
            ([0x52, 0x49, 0x46, 0x46], "RIFF/WebP"), ([0x49, 0x49, 0x2A, 0x00], "TIFF"), ([0x4D, 0x4D, 0x00, 0x2A], "TIFF"),
        ]
        for signature in signatures where bytes.starts(with: signature.prefix) {
            return "not a JPEG image (\(signature.name) data; only JPEG is supported)"
        }
        return "not a JPEG image (starts with " + bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ") + ")"
    }
}
