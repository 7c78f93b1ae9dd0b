// FuzzJPEG: the image path of an evaluation: libjpeg-turbo through the CJPEG shim (magic
// bytes, the pixel limit checked on the header, warnings), PIL's colour conversions, then
// the resize, crop and normalisation of a validation transform. Corpus: fuzz/corpus/jpeg.

import FuzzSupport
import NN

/// Small images, and a pixel limit that refuses a header declaring 60000x60000 (or 5000x5000)
/// at once, as `--max-pixels` does, instead of spending the run decoding one huge image.
let preprocessing: Preprocessing = {
    var settings = try! Preprocessing(resize: 20, crop: 16, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
    settings.maximumPixels = 1 << 22
    return settings
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        let image = try JPEGDecoder.decode(bytes, path: "input.jpg", maximumPixels: preprocessing.maximumPixels)
        var batch = Tensor(shape: [1, 3, preprocessing.crop, preprocessing.crop])
        preprocessing.normalization.write(preprocessing.croppedImage(image), into: &batch, at: 0)
    }
}
