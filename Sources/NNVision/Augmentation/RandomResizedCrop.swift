// RandomResizedCrop: torchvision `transforms.RandomResizedCrop(size, scale, ratio)` on a PIL
// image (torchvision 0.29, transforms.py): `get_params` picks a box, `F.resized_crop` crops it
// (an exact pixel copy) and resizes it to size x size with PIL's antialiased bilinear filter
// (PILResize, bit-exact). The box follows get_params step for step, in its precisions:
//
//     area = H · W;  log_ratio = log(float32(ratio))                       (float32)
//     10 attempts:  target_area = area · U(scale)                          (U: a float32 draw)
//                   aspect = exp(U(log_ratio))                             (float32)
//                   w = round(sqrt(target_area · aspect)), h = round(sqrt(target_area / aspect))
//                   (Python round: half to even; square roots in Float64)
//                   if 0 < w <= W and 0 < h <= H:
//                       i = randint(0, H − h + 1), j = randint(0, W − w + 1)  -> (i, j, h, w)
//     fallback, the centred box: W / H below min(ratio): w = W, h = round(W / min(ratio));
//                   above max(ratio): h = H, w = round(H · max(ratio)); else the whole image;
//                   i = (H − h) // 2, j = (W − w) // 2.
//
// One departure, where torchvision would fail: a fallback side that rounds to 0 (an image
// far narrower than the ratio range, e.g. 1x300 with ratios 3...4) is made 1 pixel; PIL
// cannot resize an empty crop.

import NNCore
import Foundation

/// torchvision's `RandomResizedCrop(size, scale, ratio)` with bilinear interpolation.
public struct RandomResizedCrop: Equatable, Sendable {
    /// A crop box in `F.crop`'s terms: rows `top ..< top + height`, columns `left ..< left + width`.
    public struct Box: Equatable, Sendable {
        /// `i`: the first row.
        public let top: Int
        /// `j`: the first column.
        public let left: Int
        /// `h`, `w`: the box's size, both >= 1.
        public let height: Int
        public let width: Int

        public init(top: Int, left: Int, height: Int, width: Int) {
            self.top = top
            self.left = left
            self.height = height
            self.width = width
        }
    }

    /// The side of the square output.
    public let size: Int
    /// The range of the box's area as a fraction of the image's (`scale`).
    public let scale: ClosedRange<Double>
    /// The range of the box's width / height before rounding (`ratio`), drawn log-uniformly.
    public let ratio: ClosedRange<Double>

    /// Checks the settings: `size` in 1...`Preprocessing.maximumSide`, `scale` finite and >= 0,
    /// `ratio` finite and > 0 as float32 (torch takes their logarithms in float32).
    public init(size: Int, scale: ClosedRange<Double> = 0.08...1.0, ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0)) throws {
        guard (1...Preprocessing.maximumSide).contains(size) else {
            throw NNError.invalidArgument(name: "crop size", reason: "must be between 1 and \(Preprocessing.maximumSide), got \(size)")
        }
        guard scale.lowerBound >= 0, Float(scale.upperBound).isFinite else {
            throw NNError.invalidArgument(name: "crop scale", reason: "must be finite and >= 0, got \(scale)")
        }
        guard Float(ratio.lowerBound) > 0, Float(ratio.upperBound).isFinite else {
            throw NNError.invalidArgument(name: "crop ratio", reason: "must be finite and > 0 in float32, got \(ratio)")
        }
        self.size = size
        self.scale = scale
        self.ratio = ratio
    }

    /// `get_params`: the box for a `width` x `height` image (both >= 1), from `draws`.
    ///
    /// Each attempt draws `uniform(scale)` then `uniform(log ratio)`; an accepted one then
    /// draws `integer(below: height − h + 1)` (i) and `integer(below: width − w + 1)` (j).
    public func box(width: Int, height: Int, using draws: inout some RandomDraws) -> Box {
        let area = Double(width) * Double(height)
        let logLow = log(Float(ratio.lowerBound)), logHigh = log(Float(ratio.upperBound))
        for _ in 0..<10 {
            let targetArea = area * Double(draws.uniform(Float(scale.lowerBound), Float(scale.upperBound)))
            let aspect = Double(exp(draws.uniform(logLow, logHigh)))
            let w = (targetArea * aspect).squareRoot().rounded(.toNearestOrEven)
            let h = (targetArea / aspect).squareRoot().rounded(.toNearestOrEven)
            if w > 0 && w <= Double(width) && h > 0 && h <= Double(height) {
                let top = draws.integer(below: height - Int(h) + 1)
                let left = draws.integer(below: width - Int(w) + 1)
                return Box(top: top, left: left, height: Int(h), width: Int(w))
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = max(Int((Double(width) / ratio.lowerBound).rounded(.toNearestOrEven)), 1)
        } else if inRatio > ratio.upperBound {
            w = max(Int((Double(height) * ratio.upperBound).rounded(.toNearestOrEven)), 1)
        }
        return Box(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
    }

    /// A random box of `image` resized to `size` x `size`.  [h, w, 3] -> [size, size, 3]
    public func apply(_ image: RGBImage, using draws: inout some RandomDraws) -> RGBImage {
        Self.resizedCrop(image, box(width: image.width, height: image.height, using: &draws), size: size)
    }

    /// `F.resized_crop(img, i, j, h, w, [size, size])` on a PIL image: the box's pixels, then
    /// Pillow's bilinear resize to `size` x `size`. The box must lie inside `image`.
    /// [h, w, 3] -> [size, size, 3]
    public static func resizedCrop(_ image: RGBImage, _ box: Box, size: Int) -> RGBImage {
        precondition(box.top >= 0 && box.left >= 0 && box.height >= 1 && box.width >= 1
                     && box.top + box.height <= image.height && box.left + box.width <= image.width,
                     "RandomResizedCrop: box \(box) outside \(image.width)x\(image.height)")
        let region = PILResize.copy(image, columns: box.left ..< box.left + box.width, rows: box.top ..< box.top + box.height)
        return PILResize.resize(region, width: size, height: size)
    }
}
