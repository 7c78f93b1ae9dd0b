// ResizeShorterSide: the output size of torchvision `transforms.Resize(size)` with one int on a
// PIL image (`_compute_resized_output_size`, docs/FORMATS.md §4.1): the shorter side becomes
// `size`, the longer one `int(size * long / short)`. The resampling is Pillow's bilinear resize
// (PILResize), which Preprocessing runs on the pixels the centre crop keeps.

import NNCore

/// torchvision's `Resize(size)` for an int `size`: the size it resizes to.
public enum ResizeShorterSide {
    /// The output size: `new_short = shorter`, `new_long = (shorter * long) / short` (truncated).
    ///
    /// When `width == height` both become `shorter`. All sizes >= 1.
    public static func outputSize(width: Int, height: Int, shorter: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (shorter, shorter * height / width)
        }
        return (shorter * width / height, shorter)
    }
}
