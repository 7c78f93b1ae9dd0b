// ResizeShorterSide: torchvision `transforms.Resize(size)` with one int on a PIL image
// (`_compute_resized_output_size`, docs/FORMATS.md §4.1): the shorter side becomes `size`, the
// longer one `int(size * long / short)`, then Pillow's bilinear resize (PILResize).

/// torchvision's `Resize(size)` for an int `size`.
import NNCore

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

    /// Resizes `image` so its shorter side is `shorter`; an unchanged size returns the image as is.
    public static func apply(_ image: RGBImage, shorter: Int) -> RGBImage {
        let size = outputSize(width: image.width, height: image.height, shorter: shorter)
        if size.width == image.width && size.height == image.height { return image }
        return PILResize.resize(image, width: size.width, height: size.height)
    }
}
