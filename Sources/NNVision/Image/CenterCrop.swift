// CenterCrop: torchvision `transforms.CenterCrop(size)` on a PIL image (docs/FORMATS.md §4.3):
// offsets `int(round((size - crop) / 2.0))` with Python's half-to-even rounding, and zero
// padding of `(crop - size) // 2` before / `(crop - size + 1) // 2` after on a side that is
// too small. An exact pixel copy: no resampling.

/// torchvision's square `CenterCrop(size)`.
import NNCore

public enum CenterCrop {
    /// Where the crop starts along one axis of length `size`: `round((size - crop) / 2)`, ties to even.
    ///
    /// Negative when the axis is padded: `-((crop - size) / 2)` (the pad before the image).
    public static func offset(size: Int, crop: Int) -> Int {
        if size < crop { return -((crop - size) / 2) }
        let difference = size - crop, half = difference / 2
        if difference % 2 == 0 || half % 2 == 0 { return half }
        return half + 1
    }

    /// The `crop` x `crop` centre of `image`; padded sides are zero.  [h, w, 3] -> [crop, crop, 3]
    public static func apply(_ image: RGBImage, crop: Int) -> RGBImage {
        let left = offset(size: image.width, crop: crop), top = offset(size: image.height, crop: crop)
        if left == 0 && top == 0 && image.width == crop && image.height == crop { return image }
        // Source columns and rows that land inside the output.
        let x0 = max(left, 0), x1 = min(left + crop, image.width)
        let y0 = max(top, 0), y1 = min(top + crop, image.height)
        var out = [UInt8](repeating: 0, count: crop * crop * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let rowBytes = (x1 - x0) * 3
                for y in y0..<y1 {
                    let from = (y * image.width + x0) * 3
                    let to = ((y - top) * crop + (x0 - left)) * 3
                    UnsafeMutableRawPointer(dst.baseAddress! + to)
                        .copyMemory(from: src.baseAddress! + from, byteCount: rowBytes)
                }
            }
        }
        return RGBImage(width: crop, height: crop, pixels: out)
    }
}
