// Normalization: torchvision `ToTensor()` then `Normalize(mean, std)` (docs/FORMATS.md §4.4),
// bit-exact: `x = Float(u8) / 255` (float32 true division), then `(x - mean) / std` in
// float32, a subtraction and a true division (no reciprocal, no fused multiply-add).
// Every result depends only on (channel, byte), so a 3 x 256 table holds them all.

/// ToTensor + Normalize from uint8 HWC to float32 CHW.
import NNCore

public struct Normalization: Sendable {
    /// `[3, 256]`: `table[c * 256 + v] = (Float(v) / 255 - mean[c]) / std[c]`.
    let table: [Float]

    /// `mean` and `std` hold 3 values (RGB); they are float32 as in torch (`as_tensor(..., float32)`).
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3, "Normalization: mean and std need 3 values")
        var table = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for v in 0..<256 {
                let x = Float(v) / 255
                table[c * 256 + v] = (x - mean[c]) / std[c]
            }
        }
        self.table = table
    }

    /// Writes `image` as `[3, height, width]` floats into `destination` (which holds exactly that many).
    public func apply(_ image: RGBImage, into destination: UnsafeMutableBufferPointer<Float>) {
        let plane = image.width * image.height
        precondition(destination.count == 3 * plane, "Normalization: destination holds \(destination.count), needs \(3 * plane)")
        table.withUnsafeBufferPointer { table in
            image.pixels.withUnsafeBufferPointer { src in
                for i in 0..<plane {
                    destination[i] = table[Int(src[3 * i])]
                    destination[plane + i] = table[256 + Int(src[3 * i + 1])]
                    destination[2 * plane + i] = table[512 + Int(src[3 * i + 2])]
                }
            }
        }
    }

    /// Writes `image` into `batch[index]` of a `[N, 3, height, width]` tensor.
    public func write(_ image: RGBImage, into batch: inout Tensor, at index: Int) {
        let size = 3 * image.width * image.height
        precondition(batch.shape == [batch.shape.first ?? 0, 3, image.height, image.width] && index < batch.shape[0],
                     "Normalization: batch \(batch.shape) cannot take a \(image.width)x\(image.height) image at \(index)")
        batch.scalars.withUnsafeMutableBufferPointer { scalars in
            apply(image, into: UnsafeMutableBufferPointer(rebasing: scalars[index * size ..< (index + 1) * size]))
        }
    }
}
