// Augmentation: the training-time transforms `shears finetune --augment` offers, each
// torchvision's, applied to every image anew each epoch from seeded draws (TrainingImages).

/// Which random transforms a training epoch applies to each image.
public enum Augmentation: String, CaseIterable, Sendable {
    /// The evaluation transform alone: `Resize(resize)`, `CenterCrop(crop)` (then ToTensor,
    /// Normalize), the very tensors `shears eval` feeds.
    case none
    /// `Resize(resize)`, `CenterCrop(crop)`, `RandomHorizontalFlip(0.5)`.
    case flip
    /// `RandomResizedCrop(crop)` (scale 0.08...1, ratio 3/4...4/3) on the image as decoded,
    /// then `RandomHorizontalFlip(0.5)`: torchvision's ImageNet training transform. `resize`
    /// is not used: the random crop takes the place of Resize + CenterCrop.
    case cropFlip = "crop-flip"
}
