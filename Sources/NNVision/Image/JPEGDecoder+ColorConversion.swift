// JPEGDecoder+ColorConversion: PIL's `Image.convert("RGB")` for the two non-RGB JPEG modes
// (Pillow src/libImaging/Convert.c, docs/FORMATS.md §5.2). Integer arithmetic, bit-exact.

import NNCore

extension JPEGDecoder {
    /// PIL `l2rgb`: R = G = B = L.  [h, w] -> [h, w, 3]
    static func grayToRGB(_ gray: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: gray.count * 3) { out, initialized in
            for i in 0..<gray.count {
                let v = gray[i]
                out[3 * i] = v
                out[3 * i + 1] = v
                out[3 * i + 2] = v
            }
            initialized = gray.count * 3
        }
    }

    /// PIL's `CMYK;I` unpacking (`c = 255 - raw`, Adobe inverted CMYK) followed by `cmyk2rgb`:
    /// `nk = 255 - k`, `out = clamp(nk - MULDIV255(c, nk))` for C, M, Y with
    /// `MULDIV255(a, b) = ((t >> 8) + t) >> 8`, `t = a * b + 128`.  [h, w, 4] -> [h, w, 3]
    static func invertedCMYKToRGB(_ cmyk: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let count = cmyk.count / 4
        return [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialized in
            for i in 0..<count {
                let nk = Int32(cmyk[4 * i + 3])  // 255 - k, where k = 255 - raw
                for c in 0..<3 {
                    let t = (255 - Int32(cmyk[4 * i + c])) * nk + 128
                    let value = nk - (((t >> 8) + t) >> 8)
                    out[3 * i + c] = UInt8(clamping: value)
                }
            }
            initialized = count * 3
        }
    }
}
