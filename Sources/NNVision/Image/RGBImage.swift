// RGBImage: an 8-bit RGB image in memory, the form every image takes between the JPEG
// decoder and the float batches. Not a general image type: always 3 channels, uint8.

/// An 8-bit RGB image, rows top to bottom, channels interleaved.
///
/// `pixels` is `[height, width, 3]` (HWC), `pixels.count == height * width * 3`.
import NNCore

public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// `[height, width, 3]` bytes, R G B per pixel.
    public var pixels: [UInt8]

    /// Wraps `pixels`; the count must be `height * width * 3` (a programmer error otherwise).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(width)x\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A black (all zero) image.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }
}
