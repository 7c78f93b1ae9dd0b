// RandomHorizontalFlip: torchvision `transforms.RandomHorizontalFlip(p)` on a PIL image:
// `if torch.rand(1) < p: F.hflip(img)`, where hflip is PIL's
// `transpose(FLIP_LEFT_RIGHT)`, an exact pixel copy (column x goes to width - 1 - x).

import NNCore

/// torchvision's `RandomHorizontalFlip(p)`.
public struct RandomHorizontalFlip: Equatable, Sendable {
    /// The probability of a flip.
    public let p: Float

    /// `p` in [0, 1]: 0 never flips, 1 always does.
    public init(p: Float = 0.5) throws {
        guard (0...1).contains(p) else { throw NNError.invalidArgument(name: "flip probability", reason: "must be between 0 and 1, got \(p)") }
        self.p = p
    }

    /// `image` flipped when the draw `uniform(0, 1)` is below `p`, else unchanged (one draw either way).
    public func apply(_ image: RGBImage, using draws: inout some RandomDraws) -> RGBImage {
        draws.uniform(0, 1) < p ? Self.flipped(image) : image
    }

    /// `F.hflip`: pixel (x, y) of the result is pixel (width − 1 − x, y) of `image`.  [h, w, 3] -> [h, w, 3]
    public static func flipped(_ image: RGBImage) -> RGBImage {
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        let width = image.width
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let row = y * width * 3
                    for x in 0..<width {
                        let from = row + (width - 1 - x) * 3, to = row + x * 3
                        dst[to] = src[from]
                        dst[to + 1] = src[from + 1]
                        dst[to + 2] = src[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: width, height: image.height, pixels: out)
    }
}
