// TrainingImages: the labelled images of a training split, decoded once and kept as uint8,
// from which every epoch draws its own augmented views (TrainingBatches). What is kept depends
// on the augmentation: the evaluation crops for none and flip (DecodedImages' own crops, so
// `none` feeds exactly what `shears eval` feeds), the images as decoded for crop-flip (the
// random crop is taken from the whole image, before its resize, as torchvision does).

import NNCore
import Foundation

/// Decoded training images with their labels, and the augmentation each epoch applies.
public struct TrainingImages: Sendable {
    public let preprocessing: Preprocessing
    public let augmentation: Augmentation
    /// The samples that decoded, in listing order (the order `shears eval` lists them).
    public let samples: [ImageDataset.Sample]
    /// `labels[i]` is the label of `samples[i]`.
    public let labels: [Int]
    /// The files left out (as in `DecodedImages.skipped`); empty unless `skipBad` was set.
    public let skipped: [NNError]
    /// `[crop, crop, 3]` evaluation crops (none, flip) or `[h, w, 3]` decoded images (crop-flip).
    let sources: [RGBImage]
    let resizedCrop: RandomResizedCrop
    let flip: RandomHorizontalFlip

    /// Number of training images.
    public var count: Int { sources.count }

    /// Decodes the first `limit` samples (all when nil) of `dataset`; see `init(samples:...)`.
    public init(dataset: ImageDataset, preprocessing: Preprocessing, augmentation: Augmentation, limit: Int? = nil,
                skipBad: Bool = false, parallel: Bool = true, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        let samples = limit.map { Array(dataset.samples.prefix(max($0, 0))) } ?? dataset.samples
        try self.init(samples: samples, preprocessing: preprocessing, augmentation: augmentation, skipBad: skipBad,
                      parallel: parallel, folder: dataset.directory, progress: progress)
    }

    /// Decodes every sample once.
    ///
    /// none and flip keep each image's `Resize(resize)` + `CenterCrop(crop)` (a `DecodedImages`:
    /// `count · crop² · 3` bytes, checked against the memory budget before the first file is
    /// read). crop-flip keeps each image whole, as decoded (`resize` is not used); their bytes
    /// are added up as they decode, and the load stops with `NNError.overBudget` naming the
    /// folder once the sum passes the budget.
    ///
    /// Every sample must be labelled: an unlabelled one (a flat-layout name without `<label>_`)
    /// is refused, naming the file, before anything is decoded; so is an empty list, or one
    /// that is empty once the bad files are skipped.
    /// - Parameters: as `DecodedImages.init(samples:...)`.
    public init(samples: [ImageDataset.Sample], preprocessing: Preprocessing, augmentation: Augmentation,
                skipBad: Bool = false, parallel: Bool = true, folder: String? = nil,
                progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        let folder = folder ?? samples.first.map { ($0.path as NSString).deletingLastPathComponent } ?? ""
        if let unlabelled = samples.first(where: { $0.label == nil }) {
            throw NNError.badDataset(path: unlabelled.path, reason: "has no label; training needs labelled images (<label>_<n>.jpg names, or one folder per class)")
        }
        let loaded: (samples: [ImageDataset.Sample], images: [RGBImage], skipped: [NNError])
        switch augmentation {
        case .none, .flip:
            let decoded = try DecodedImages(samples: samples, preprocessing: preprocessing, skipBad: skipBad,
                                            parallel: parallel, folder: folder, progress: progress)
            loaded = (decoded.samples, decoded.images, decoded.skipped)
        case .cropFlip:
            loaded = try Self.decodeWhole(samples, preprocessing: preprocessing, skipBad: skipBad, parallel: parallel,
                                          folder: folder, progress: progress)
        }
        guard !loaded.images.isEmpty else {
            throw NNError.badDataset(path: folder, reason: samples.isEmpty ? "no images to train on" : "no image decoded (all \(samples.count) were skipped)")
        }
        self.preprocessing = preprocessing
        self.augmentation = augmentation
        self.samples = loaded.samples
        self.labels = loaded.samples.compactMap(\.label)
        self.skipped = loaded.skipped
        self.sources = loaded.images
        self.resizedCrop = try RandomResizedCrop(size: preprocessing.crop)
        self.flip = try RandomHorizontalFlip(p: 0.5)
    }

    /// Every file decoded whole, the running sum of their bytes held to the memory budget:
    /// past it, the files not yet decoded are not read and the load throws `.overBudget`.
    private static func decodeWhole(_ samples: [ImageDataset.Sample], preprocessing: Preprocessing, skipBad: Bool, parallel: Bool,
                                    folder: String, progress: ((_ done: Int, _ total: Int) -> Void)?) throws
        -> (samples: [ImageDataset.Sample], images: [RGBImage], skipped: [NNError]) {
        let lock = NSLock()
        var total = 0, over: NNError?
        let what = "the decoded images of \(samples.count) files (crop-flip keeps them whole)"
        let loaded: (samples: [ImageDataset.Sample], images: [RGBImage], skipped: [NNError])
        do {
            loaded = try DecodedImages.load(samples, skipBad: skipBad, parallel: parallel, progress: progress) { path in
                lock.lock()
                let stopped = over
                lock.unlock()
                if let stopped { throw stopped }
                let image = try JPEGDecoder.decode(file: path, maximumPixels: preprocessing.maximumPixels)
                lock.lock()
                defer { lock.unlock() }
                total += image.pixels.count
                do {
                    try MemoryBudget.check(total, for: what, path: folder)
                } catch let error as NNError {
                    over = over ?? error
                    throw error
                }
                return image
            }
        } catch {
            throw over ?? error
        }
        if let over { throw over }
        return loaded
    }

    /// Image `index` as one epoch sees it, from that image's `draws`.  -> [crop, crop, 3]
    ///
    /// none: the evaluation crop (no draw). flip: the crop, flipped when `uniform(0, 1) < 0.5`.
    /// crop-flip: `RandomResizedCrop(crop)` of the decoded image (its draws), then the flip's draw.
    public func image(_ index: Int, using draws: inout some RandomDraws) -> RGBImage {
        switch augmentation {
        case .none: return sources[index]
        case .flip: return flip.apply(sources[index], using: &draws)
        case .cropFlip: return flip.apply(resizedCrop.apply(sources[index], using: &draws), using: &draws)
        }
    }

    /// Epoch `epoch`'s batches of `size` images (the last may hold fewer, as torch's DataLoader
    /// with `drop_last=False`), in a shuffled order or (`shuffle` false) in listing order;
    /// see `TrainingBatches` for the draws.
    public func batches(epoch: Int, size: Int, shuffle: Bool = true, seed: UInt64 = 0) throws -> TrainingBatches {
        guard size >= 1 else { throw NNError.invalidArgument(name: "batch size", reason: "must be >= 1, got \(size)") }
        guard epoch >= 0 else { throw NNError.invalidArgument(name: "epoch", reason: "must be >= 0, got \(epoch)") }
        return TrainingBatches(images: self, epoch: epoch, size: size, shuffle: shuffle, seed: seed)
    }
}
