// DecodedImages: every sample of a dataset decoded, resized and cropped once, kept as uint8
// crops (`[crop, crop, 3]`, a quarter of the float size) for as many evaluations as needed;
// batches are normalised from them on demand. Decoding runs on all cores.
// Bad files (corrupt, truncated, empty, not a JPEG) stop the load with an error naming the
// file, or are skipped and listed when asked.

import NNCore
import Dispatch
import Foundation

/// Preprocessed uint8 crops of a list of samples, ready to be batched.
public struct DecodedImages: Sendable {
    public let preprocessing: Preprocessing
    /// The samples that decoded, in listing order.
    public let samples: [ImageDataset.Sample]
    /// `images[i]` is the `[crop, crop, 3]` crop of `samples[i]`.
    public let images: [RGBImage]
    /// The files left out (`NNError.badImage` or `.io`, each naming its file), in listing order;
    /// empty unless `skipBad` was set.
    public let skipped: [NNError]

    /// Number of decoded images.
    public var count: Int { images.count }

    /// Decodes the first `limit` samples (all when nil) of `dataset`; see `init(samples:...)`.
    public init(dataset: ImageDataset, preprocessing: Preprocessing, limit: Int? = nil, skipBad: Bool = false,
                parallel: Bool = true, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        let samples = limit.map { Array(dataset.samples.prefix(max($0, 0))) } ?? dataset.samples
        try self.init(samples: samples, preprocessing: preprocessing, skipBad: skipBad, parallel: parallel,
                      folder: dataset.directory, progress: progress)
    }

    /// Decodes and crops every sample. Their crops, `samples.count · crop² · 3` bytes, are
    /// checked against the memory budget before the first file is read.
    ///
    /// - Parameters:
    ///   - skipBad: false: the first bad file (in listing order) is thrown; true: bad files are
    ///     left out and listed in `skipped`.
    ///   - folder: where the samples are, for the budget's message (default: the first one's folder).
    ///   - parallel: spread the files over all cores (`DispatchQueue.concurrentPerform`);
    ///     the result is the same either way.
    ///   - progress: called with (files done, total) after each file, one call at a time, from
    ///     worker threads.
    public init(samples: [ImageDataset.Sample], preprocessing: Preprocessing, skipBad: Bool = false,
                parallel: Bool = true, folder: String? = nil, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        let crop = preprocessing.crop
        try MemoryBudget.check(elements: [samples.count, crop, crop].checkedProduct ?? -1, of: 3,
                               for: "the \(crop)x\(crop) RGB crops of \(samples.count) images",
                               path: folder ?? samples.first.map { ($0.path as NSString).deletingLastPathComponent } ?? "")
        let loaded = try Self.load(samples, skipBad: skipBad, parallel: parallel, progress: progress, preprocessing.croppedImage(file:))
        self.preprocessing = preprocessing
        self.samples = loaded.samples
        self.images = loaded.images
        self.skipped = loaded.skipped
    }

    /// Runs `image` on every sample's file, in parallel when asked, and keeps what it returns
    /// in listing order; the samples whose file threw are left out and listed in `skipped`
    /// when `skipBad`, else the first of them (in listing order) is thrown. `progress` as in
    /// `init(samples:...)`; `image` is called from several threads at once when `parallel`.
    static func load(_ samples: [ImageDataset.Sample], skipBad: Bool, parallel: Bool,
                     progress: ((_ done: Int, _ total: Int) -> Void)?,
                     _ image: @escaping (_ path: String) throws -> RGBImage) throws
        -> (samples: [ImageDataset.Sample], images: [RGBImage], skipped: [NNError]) {
        var results = [Result<RGBImage, NNError>?](repeating: nil, count: samples.count)
        let lock = NSLock()
        var done = 0
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = buffer  // each index is written by one worker only
            let work = { (i: Int) in
                let path = samples[i].path
                do {
                    slots[i] = .success(try image(path))
                } catch let error as NNError {
                    slots[i] = .failure(error)
                } catch {
                    slots[i] = .failure(.badImage(path: path, reason: "\(error)"))
                }
                if let progress {
                    lock.lock()
                    done += 1
                    progress(done, samples.count)
                    lock.unlock()
                }
            }
            if parallel {
                DispatchQueue.concurrentPerform(iterations: samples.count, execute: work)
            } else {
                for i in 0..<samples.count { work(i) }
            }
        }
        var kept: [ImageDataset.Sample] = [], images: [RGBImage] = [], skipped: [NNError] = []
        for (sample, result) in zip(samples, results) {
            switch result {
            case .success(let image)?:
                kept.append(sample)
                images.append(image)
            case .failure(let error)?:
                guard skipBad else { throw error }
                skipped.append(error)
            case nil:
                throw NNError.badImage(path: sample.path, reason: "was not decoded")
            }
        }
        return (kept, images, skipped)
    }

    /// Images `range` normalised into one `[range.count, 3, crop, crop]` tensor, with their labels.
    public func batch(_ range: Range<Int>) -> ImageBatch {
        let crop = preprocessing.crop
        var tensor = Tensor(shape: [range.count, 3, crop, crop])
        let normalization = preprocessing.normalization
        for (slot, i) in range.enumerated() {
            normalization.write(images[i], into: &tensor, at: slot)
        }
        return ImageBatch(images: tensor, labels: range.map { samples[$0].label }, range: range)
    }

    /// Consecutive batches of `size` images (the last one may be smaller), made on demand.
    public func batches(size: Int) throws -> ImageBatches {
        guard size >= 1 else { throw NNError.invalidArgument(name: "batch size", reason: "must be >= 1, got \(size)") }
        return ImageBatches(images: self, size: size)
    }
}
