// Preprocessing: the evaluation transform of torchvision ImageNet-style pipelines,
// `Resize(resize) + CenterCrop(crop) + ToTensor() + Normalize(mean, std)`, split in two:
// file -> uint8 crop (decode, resize, crop; what is cached so each image is decoded once)
// and uint8 crop -> float32 CHW slice of a batch (normalize). Bit-exact with PIL + torchvision.

/// Resize-shorter-side, centre-crop and normalisation settings.
import NNCore

public struct Preprocessing: Equatable, Sendable {
    /// The shorter side after resizing (`Resize(resize)`).
    public let resize: Int
    /// The side of the square centre crop (`CenterCrop(crop)`).
    public let crop: Int
    /// Per-channel (RGB) mean and standard deviation, as float32.
    public let mean: [Float]
    public let std: [Float]
    /// The largest image decoded, in pixels (width x height, as its JPEG header declares):
    /// larger files are refused before their pixels are allocated. PIL's limit by default.
    public var maximumPixels = JPEGDecoder.defaultMaximumPixels

    /// The largest `resize` and `crop`: JPEG's largest side, 65,535. Bounding them keeps every
    /// size computed from them (resized sides, crop bytes) far from overflow.
    public static let maximumSide = 65_535

    /// Checks the settings: sizes in 1...`maximumSide`, 3 finite means, 3 non-zero finite
    /// standard deviations.
    ///
    /// torch converts Python floats (Float64) to float32; pass `Float(double)` values, since a
    /// Float literal rounds the decimal directly and may differ in the last bit.
    public init(resize: Int, crop: Int, mean: [Float], std: [Float]) throws {
        for (name, side) in [("resize", resize), ("crop", crop)] where !(1...Self.maximumSide).contains(side) {
            throw NNError.invalidArgument(name: name, reason: "must be between 1 and \(Self.maximumSide), got \(side)")
        }
        guard mean.count == 3, mean.allSatisfy(\.isFinite) else {
            throw NNError.invalidArgument(name: "mean", reason: "needs 3 finite values (R, G, B), got \(mean)")
        }
        guard std.count == 3, std.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw NNError.invalidArgument(name: "std", reason: "needs 3 finite non-zero values (R, G, B), got \(std)")
        }
        self.init(checkedResize: resize, crop: crop, mean: mean, std: std)
    }

    private init(checkedResize resize: Int, crop: Int, mean: [Float], std: [Float]) {
        self.resize = resize
        self.crop = crop
        self.mean = mean
        self.std = std
    }

    /// Food-11 / ImageNet evaluation: `Resize(256)`, `CenterCrop(224)`, ImageNet mean and std.
    public static let food11 = Preprocessing(
        checkedResize: 256, crop: 224,
        mean: [0.485, 0.456, 0.406].map { (value: Double) in Float(value) },
        std: [0.229, 0.224, 0.225].map { (value: Double) in Float(value) })

    /// Resizes the shorter side to `resize` and takes the centre `crop` x `crop`.  -> [crop, crop, 3]
    ///
    /// Only the resized pixels that the crop keeps are computed (their values are those of the
    /// full resize); a side shorter than `crop` is resized whole, then zero-padded.
    public func croppedImage(_ image: RGBImage) -> RGBImage {
        let size = ResizeShorterSide.outputSize(width: image.width, height: image.height, shorter: resize)
        if size.width == image.width && size.height == image.height { return CenterCrop.apply(image, crop: crop) }
        func kept(_ length: Int) -> Range<Int> {
            let start = max(CenterCrop.offset(size: length, crop: crop), 0)
            return start ..< min(start + crop, length)
        }
        let region = PILResize.resize(image, width: size.width, height: size.height,
                                      columns: kept(size.width), rows: kept(size.height))
        return CenterCrop.apply(region, crop: crop)
    }

    /// Decodes the JPEG at `path` and crops it (`croppedImage(_:)`).  -> [crop, crop, 3]
    ///
    /// The resize's buffers (`resizeBytes`) are checked against the memory budget first: a
    /// 65535x2 image resized to a shorter side of 65,535 would need terabytes.
    public func croppedImage(file path: String) throws -> RGBImage {
        let image = try JPEGDecoder.decode(file: path, maximumPixels: maximumPixels)
        try MemoryBudget.check(resizeBytes(width: image.width, height: image.height),
                               for: "resizing its \(image.width)x\(image.height) pixels to a shorter side of \(resize)", path: path)
        return croppedImage(image)
    }

    /// Bytes `croppedImage(_:)` allocates for a `width` x `height` image (nil past 2^62): per
    /// resized axis of n inputs and m outputs, m · (16 + 4 · taps) for Pillow's coefficients
    /// (taps = 2 · ⌈max(n / m, 1)⌉ + 1), the first pass's height · crop · 3 (width · crop · 3
    /// when the vertical pass runs first, `PILResize.verticalFirst`) and the crop's crop² · 3
    /// (+ crop · 12 for the vertical accumulator).
    public func resizeBytes(width: Int, height: Int) -> Int? {
        let size = ResizeShorterSide.outputSize(width: width, height: height, shorter: resize)
        func coefficients(_ inputs: Int, _ outputs: Int) -> Double {
            guard inputs != outputs else { return 0 }
            let taps = 2 * (Double(inputs) / Double(outputs)).rounded(.up) + 1
            return Double(outputs) * (16 + 4 * Swift.max(taps, 3))
        }
        let side = Double(crop)
        let bytes = coefficients(width, size.width) + coefficients(height, size.height)
            + Double(PILResize.verticalFirst(from: (width, height), to: size) ? width : height) * side * 3 + side * side * 3 + side * 12
        return bytes < 0x1p62 ? Int(bytes) : nil
    }

    /// The ToTensor + Normalize step for these settings.
    public var normalization: Normalization { Normalization(mean: mean, std: std) }
}
