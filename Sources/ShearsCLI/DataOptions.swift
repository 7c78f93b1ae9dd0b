// DataOptions: the validation-data options shared by every command that evaluates
// (eval, predict, sweep, sensitivity, quantize): where the images are, how they are
// preprocessed, how many and in what batches.

import ArgumentParser
import Foundation
import ShearsKit

/// `--data`, `--split`, preprocessing and batching options, used with `@OptionGroup`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Image folder: food-11 layout (<split>/<label>_<n>.jpg) or torchvision ImageFolder (one sub-folder per class).",
        valueName: "dir"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp(
        "Split folder inside --data (training, validation, evaluation; default validation, finetune's training). Ignored when --data has no split folders.",
        valueName: "name"))
    var split: String?

    @Option(name: .long, help: ArgumentHelp("Preprocessing preset: food11 = Resize 256, CenterCrop 224, ImageNet mean/std.",
                                            valueName: "name"))
    var preset: String = "food11"

    @Option(name: .long, help: ArgumentHelp("Resize the shorter side to N pixels, at most \(Preprocessing.maximumSide) (overrides the preset).", valueName: "n"))
    var resize: Int?

    @Option(name: .long, help: ArgumentHelp("Centre-crop to N x N pixels, at most \(Preprocessing.maximumSide) (overrides the preset).", valueName: "n"))
    var crop: Int?

    @Option(name: .long, help: ArgumentHelp("Per-channel mean, R,G,B (overrides the preset).", valueName: "a,b,c"))
    var mean: String?

    @Option(name: .long, help: ArgumentHelp("Per-channel standard deviation, R,G,B, each > 0 (overrides the preset).", valueName: "a,b,c"))
    var std: String?

    @Option(name: .long, help: ArgumentHelp("Use only the first N images (in sorted order).", valueName: "n"))
    var limit: Int?

    @Option(name: .long, help: ArgumentHelp("Images per inference batch (one float batch must fit --memory-limit).", valueName: "n"))
    var batch: Int = 64

    @Flag(name: .long, help: "Skip unreadable images (listed on stderr) instead of stopping at the first one.")
    var skipBad = false

    @Flag(name: .long, help: ArgumentHelp(
        "Count images whose label is beyond the model's classes as wrong, as PyTorch's (prediction == label) does.",
        discussion: "Without it such a folder is refused: it is usually the wrong model or the wrong folder."))
    var countUnknownLabels = false

    @Option(name: .long, help: ArgumentHelp(
        "Refuse an image whose JPEG header declares more than N pixels (width x height), before decoding it.",
        discussion: "The default is PIL's decompression-bomb limit, 178956970 pixels.", valueName: "n"))
    var maxPixels: Int = JPEGDecoder.defaultMaximumPixels

    /// What the evaluator does with labels the model cannot predict.
    var unknownLabels: Evaluator.UnknownLabels { countUnknownLabels ? .countAsWrong : .refuse }

    func validate() throws {
        guard preset == "food11" else { throw ValidationError("unknown --preset '\(preset)': the only preset is food11") }
        for (flag, side) in [("--resize", resize), ("--crop", crop)] {
            if let side, !(1...Preprocessing.maximumSide).contains(side) {
                throw ValidationError("\(flag) must be between 1 and \(Preprocessing.maximumSide), got \(side)")
            }
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1, got \(maxPixels)") }
        _ = try preprocessing()
    }

    /// The preprocessing these options describe: the preset with any overrides applied. For
    /// `loaded`, a model file that records a square input size (a `.pt2` archive), the crop
    /// defaults to that side and the resize to the preset's ratio of it (⌊side · 256 / 224⌋:
    /// 36 for 32); a crop its graph cannot run at is refused naming the exported size.
    func preprocessing(for loaded: LoadedModel? = nil) throws -> Preprocessing {
        let base = Preprocessing.food11
        var (defaultResize, defaultCrop) = (base.resize, base.crop)
        if crop == nil, let exported = loaded?.exportedInput, exported.count == 3, exported[0] == 3, exported[1] == exported[2],
           exported[1] <= Preprocessing.maximumSide {
            (defaultResize, defaultCrop) = (min(exported[1] * base.resize / base.crop, Preprocessing.maximumSide), exported[1])
        }
        let mean = try self.mean.map { try Self.floats($0, name: "--mean") } ?? base.mean
        let std = try self.std.map { try Self.floats($0, name: "--std") } ?? base.std
        guard std.allSatisfy({ $0 > 0 }) else { throw ValidationError("--std values must be > 0, got '\(self.std ?? "")'") }
        var settings: Preprocessing
        do {
            settings = try Preprocessing(resize: resize ?? defaultResize, crop: crop ?? defaultCrop, mean: mean, std: std)
        } catch let error as NNError {
            throw ValidationError(error.description)
        }
        settings.maximumPixels = maxPixels
        do {
            _ = try loaded?.inputSize([3, settings.crop, settings.crop], fallback: [])
        } catch {
            throw FlaggedError(error: error, sizeFlag: .crop)
        }
        return settings
    }

    /// The `--data` folder, or a validation error when it is missing.
    func requireData() throws -> String {
        guard let data else { throw ValidationError("--data <dir> is required") }
        return data
    }

    /// Lists and decodes split `split` (default `--split`, else validation) of the dataset at
    /// `root` (default `--data`) once; the uint8 crops are kept and reused for every model
    /// variant. The crops (checked by `DecodedImages`) and one float batch are checked against
    /// the memory budget before anything is decoded.
    func decodeImages(root: String? = nil, split: String? = nil, for loaded: LoadedModel) throws -> DecodedImages {
        let dataset = try ImageDataset(root: try root ?? requireData(), split: split ?? self.split ?? "validation")
        let count = limit.map { min($0, dataset.samples.count) } ?? dataset.samples.count
        let settings = try preprocessing(for: loaded)
        let images = min(batch, max(count, 1))
        try MemoryBudget.check(elements: [images, 3, settings.crop, settings.crop].checkedProduct ?? -1, of: 4,
                               for: "a batch of \(images) float32 images of 3x\(settings.crop)x\(settings.crop)", path: "--batch")
        let progress = ProgressBar("decoding", total: count)
        let decoded = try DecodedImages(dataset: dataset, preprocessing: settings, limit: limit,
                                        skipBad: skipBad, progress: { _, _ in progress.advance() })
        progress.finish()
        for skipped in decoded.skipped { printError("skipped: \(skipped)") }
        return decoded
    }

    /// Parses "a,b,c" as three finite numbers, rounding each from Double to float32 as torch does.
    static func floats(_ text: String, name: String) throws -> [Float] {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { parseDecimal($0).map(Float.init) }
        guard values.count == 3, values.allSatisfy({ $0?.isFinite ?? false }) else {
            throw ValidationError("\(name) needs three comma-separated finite numbers, got '\(text)'")
        }
        return values.compactMap { $0 }
    }
}

/// Writes `line` to stderr as one line: its control characters are escaped, since notes,
/// progress and skipped-file lists quote names from input (keys, file and folder names).
func printError(_ line: String) {
    try? FileHandle.standardError.write(contentsOf: Data((line.escapingControlCharacters + "\n").utf8))
}
